"""What the benchmarks share: contract-tests/run.py, whose database and server helpers they use."""

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def load_contract_runner() -> ModuleType:
    """contract-tests/run.py (its directory name is not importable as a package)."""
    spec = importlib.util.spec_from_file_location("contract_run", ROOT / "contract-tests" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
