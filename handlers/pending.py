"""Operations in the contract whose implementation lands with a later issue.

They answer 501 problem+json, and the contract tests skip exactly this list;
remove an operation from it when its implementation lands.
"""

from typing import NoReturn

from kernel.errors import NotImplementedYet

PENDING_OPERATIONS: frozenset[str] = frozenset()


def not_implemented_yet(operation_id: str) -> NoReturn:
    assert operation_id in PENDING_OPERATIONS
    raise NotImplementedYet(f"{operation_id} is in the contract but not implemented yet.")
