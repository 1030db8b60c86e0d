"""How schemathesis draws: date-times in the contract's range; where stateful scenarios start."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.specs.openapi import stateful as openapi_stateful


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat()


# The contract bounds date-times to the years 2000-2099 (its `pattern`); drawn from years 1-9999
# and filtered, almost none pass, and the stateful phase drops the steps that need one (booking,
# availability). Drawn in range instead, with offsets other than UTC too.
schemathesis.openapi.format(
    "date-time",
    st.builds(
        lambda moment, offset: _rfc3339(moment.replace(tzinfo=offset)),
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
        st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5, minutes=30))]),
    ),
)


_classify_roots = openapi_stateful.classify_root_transitions


def _roots_with_supplied_inputs(
    operations: Any, transitions: Any, graph: Any
) -> openapi_stateful.RootTransitions:
    """Scenarios may also start at a POST whose inputs no operation of the API produces.

    Schemathesis starts scenarios only at operations it expects to succeed on generated data,
    and leaves out those taking an identifier no response supplies: the chat's conversation,
    the webhooks' call (Twilio makes those). Here a new conversation or call needs none and the
    hooks sign each webhook, so they start scenarios too, and the links from them are followed.
    (schemathesis has no setting for this; `create_state_machine` looks the function up by name.)
    """
    roots = _classify_roots(operations, transitions, graph)
    roots.reliable |= {label for label in roots.fallback if label.startswith("POST ")}
    return roots


openapi_stateful.classify_root_transitions = _roots_with_supplied_inputs
