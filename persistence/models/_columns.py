"""Column types shared by the models (PEP 593 aliases for ``Mapped[...]``)."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from sqlalchemy import Enum, func, text
from sqlalchemy.orm import mapped_column

UUIDPk = Annotated[
    uuid.UUID,
    mapped_column(primary_key=True, default=uuid.uuid4, server_default=text("gen_random_uuid()")),
]
CreatedAt = Annotated[datetime, mapped_column(server_default=func.now())]
UpdatedAt = Annotated[datetime, mapped_column(server_default=func.now(), onupdate=func.now())]


def pg_enum(enum_class: type[StrEnum], name: str) -> Enum:
    """A PostgreSQL enum type whose labels are the members' values."""
    return Enum(enum_class, name=name, values_callable=lambda members: [m.value for m in members])
