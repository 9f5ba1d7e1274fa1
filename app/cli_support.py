"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.migrate import is_at_head
from content.db.db import make_engine, session_scope
from content.settings import Settings


def die(message: str, code: int = 2) -> NoReturn:
    print(f"错误：{message}", file=sys.stderr)
    sys.exit(code)


def open_engine(settings: Settings, *, require_migrated: bool = True) -> Engine:
    """An engine for the configured database, or a one-line error (exit 2)."""
    try:
        engine = make_engine(settings.database_url)
        if require_migrated and not is_at_head(engine):
            die("数据库尚未初始化或版本过旧，请先运行 gongkai init")
    except OperationalError as exc:
        die(f"无法连接数据库（{type(exc.orig).__name__}），请检查 GONGKAI_DATABASE_URL")
    except ValueError as exc:  # a malformed URL
        die(f"数据库地址无效：{exc}")
    return engine


@contextmanager
def cli_session(settings: Settings | None = None) -> Iterator[Session]:
    """A session on the configured database with the settings' file store at hand (as the web app's
    sessions have it), so items written from the CLI (`gongkai import`, …) never keep file bytes in rows."""
    from content.files import context_from_settings

    settings = settings or Settings()
    engine = open_engine(settings)
    try:
        with session_scope(engine) as session:
            session.info["files"] = context_from_settings(settings)
            yield session
    finally:
        engine.dispose()
