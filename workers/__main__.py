"""`python -m workers workers.actors --queues …`: Dramatiq's command line, logging in the app's format.

Dramatiq's own command line writes its main process's lines in text; here every process logs
through the app's JSON handler at LOG_LEVEL (worker processes are set up again at boot by
workers.tracing.SignalsAtBoot, once Dramatiq has pointed their output at its log pipe).
"""

import sys

from dramatiq.cli import main as dramatiq_main
from dramatiq.cli import make_argument_parser

from kernel.observability import configure_logging
from kernel.settings import get_settings


def main() -> int:
    configure_logging(get_settings().log_level)
    args = make_argument_parser().parse_args([*sys.argv[1:], "--skip-logging"])  # type: ignore[no-untyped-call]
    return int(dramatiq_main(args) or 0)  # type: ignore[no-untyped-call]


if __name__ == "__main__":
    sys.exit(main())
