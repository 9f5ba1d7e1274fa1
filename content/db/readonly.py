"""A database that refuses writes (read-only file, read-only replica, `default_transaction_read_only`).

Without this the items API reported it as "someone else edited this" (409) and web pages as a 500:
both send people looking for a colleague instead of the operator. It is a 503 with its own code.
"""

from __future__ import annotations

from content.errors import DomainError

READ_ONLY_SQLSTATE = "25006"  # PostgreSQL: read_only_sql_transaction
_MARKERS = ("attempt to write a readonly database", "read-only transaction", "readonly database")


class DatabaseReadOnly(DomainError):
    status = 503


def is_read_only(exc: BaseException) -> bool:
    """Whether `exc` (a SQLAlchemy error or the driver's own) says the database refuses writes."""
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlstate", None) == READ_ONLY_SQLSTATE or getattr(orig, "pgcode", None) == READ_ONLY_SQLSTATE:
        return True
    text = str(orig).lower()
    return any(marker in text for marker in _MARKERS)


def read_only_error() -> DatabaseReadOnly:
    return DatabaseReadOnly("database_read_only",
                            "数据库当前为只读状态，修改未能保存。请稍后再试，或联系管理员检查数据库（维护、磁盘或权限）。")
