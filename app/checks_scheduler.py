"""`gongkai check-config` checks of the publishing side: scheduler heartbeat, portal column codes."""

from __future__ import annotations

from sqlmodel import Session, select

from app.checks_registry import CheckResult, config_check
from content.db.db import make_engine
from content.models import Category
from content.settings import Settings
from scheduler.heartbeat import heartbeat_status


def _engine(settings: Settings):
    return make_engine(settings.database_url)


@config_check
def scheduler_heartbeat(settings: Settings) -> CheckResult:
    engine = _engine(settings)
    try:
        with Session(engine) as s:
            status = heartbeat_status(s, settings.dispatch_interval_seconds)
    except Exception as exc:  # noqa: BLE001 - an unmigrated or unreachable database is reported elsewhere
        return CheckResult.warn("调度器", f"无法读取调度器心跳（{type(exc).__name__}）")
    finally:
        engine.dispose()
    if status.ok:
        return CheckResult.ok("调度器", status.message)
    return CheckResult.warn("调度器", status.message)


@config_check
def portal_columns(settings: Settings) -> CheckResult:
    engine = _engine(settings)
    try:
        with Session(engine) as s:
            missing = s.exec(select(Category.name).where(
                Category.taxonomy == "topic", Category.active, Category.portal_code.is_(None))).all()  # fmt: skip
    except Exception as exc:  # noqa: BLE001
        return CheckResult.warn("门户栏目", f"无法读取分类（{type(exc).__name__}）")
    finally:
        engine.dispose()
    if missing:
        return CheckResult.warn(
            "门户栏目", f"以下栏目没有门户栏目代码，发往门户网站会失败：{'、'.join(missing)}"
        )
    return CheckResult.ok("门户栏目", "每个栏目都有门户栏目代码")
