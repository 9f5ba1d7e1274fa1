"""`pk(row)`: the primary key of a row that is in the database, typed `int`.

SQLModel declares `id: int | None` because a new row has no id until it is flushed. Code that
reads an id to store it in another row or to look something up needs an `int`; `pk` says so and
fails loudly (instead of writing NULL into a foreign key) when a row was never flushed.
"""

from __future__ import annotations

from typing import Protocol


class _HasId(Protocol):
    @property
    def id(self) -> int | None: ...


class UnsavedRowError(RuntimeError):
    """A row's id was needed before the row was flushed: a programming error, not bad input."""


def pk(row: _HasId) -> int:
    """The id of a flushed row; raises UnsavedRowError for a row not yet in the database."""
    row_id = row.id
    if row_id is None:
        raise UnsavedRowError(f"{type(row).__name__} has no id yet: flush it before using its id")
    return row_id
