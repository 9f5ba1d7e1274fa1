"""Schema migrations: `gongkai init` upgrades to head; `serve` refuses an unmigrated database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade(engine: Engine, target: str = "heads") -> None:
    """Upgrade to the head (or to `target`, a revision id: tests build older schemas this way)."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)


def expected_heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_heads(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def is_at_head(engine: Engine) -> bool:
    return current_heads(engine) == expected_heads()
