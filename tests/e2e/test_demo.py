"""The demo seed: `gongkai init --demo` twice gives one demo with items in every state."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from app.demo import DEMO_PASSWORD, USERS, init_demo
from content import accounts
from content.db.db import make_engine
from content.models import AuditEvent, Item, ItemState, Organization, Publication, Review, User
from content.seed import seed_org

EVERY_STATE = {s.value for s in ItemState}


def _init_demo(db: str, cwd) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
    env["GONGKAI_DATABASE_URL"] = f"sqlite:///{db}"
    env["GONGKAI_ARGON2_PROFILE"] = "test"
    return subprocess.run([sys.executable, "-m", "app.cli", "init", "--demo"], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def _check_demo(engine) -> None:
    with Session(engine) as s:
        org = s.exec(select(Organization)).one()
        states = dict(s.exec(select(Item.state, func.count()).group_by(Item.state)).all())
        assert set(states) == EVERY_STATE, states
        assert states["in_review"] == 3  # one at each gate
        gates = set(s.exec(select(Item.gate).where(Item.state == "in_review")).all())
        assert gates == {"dept_head", "leader", "principal"}
        # published items have confirmed rows; approved and scheduled wait in the outbox
        for item in s.exec(select(Item).where(Item.state == "published")).all():
            rows = s.exec(select(Publication).where(Publication.item_id == item.id)).all()
            assert {r.state for r in rows} == {"confirmed"} and {r.channel for r in rows} == {"portal", "mp"}
        pending = s.exec(select(Publication).join(Item, Item.id == Publication.item_id)
                         .where(Publication.state == "pending")).all()
        assert pending and all(s.get(Item, p.item_id).state in ("approved", "scheduled") for p in pending)
        rejected = s.exec(select(Item).where(Item.state == "rejected")).one()
        assert s.exec(select(Review).where(Review.item_id == rejected.id, Review.state == "rejected")).one()
        emergency = s.exec(select(Item).where(Item.emergency == True)).one()  # noqa: E712
        assert emergency.state == "approved"
        # the audit log has every transition, and exactly one demo marker
        actions = set(s.exec(select(AuditEvent.action).where(AuditEvent.org_id == org.id)).all())
        assert {"item.create", "item.submit", "item.approve", "item.reject", "item.emergency_publish",
                "item.publish", "item.withdraw", "item.archive", "demo.seed"} <= actions, actions
        assert s.exec(select(func.count()).where(AuditEvent.action == "demo.seed")).one() == 1
        # one user per role, demo password works
        for login, *_ in USERS:
            user = s.exec(select(User).where(User.login == login)).one()
            assert accounts.verify_password(user.password_hash, DEMO_PASSWORD)
        try:
            from annual.registers.models import DisclosureApplication, Interaction
        except ImportError:
            return
        assert s.exec(select(func.count()).select_from(Interaction)).one() == 3
        assert s.exec(select(func.count()).select_from(DisclosureApplication)).one() == 3


def test_init_demo_twice_on_sqlite_reuses_the_data(tmp_path):
    db = tmp_path / "demo.db"
    first = _init_demo(db, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "演示数据已写入" in first.stdout and DEMO_PASSWORD in first.stdout
    assert "zhangwei" in first.stdout and "/api/docs" in first.stdout
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as s:
        items_before = s.exec(select(func.count()).select_from(Item)).one()
        audit_before = s.exec(select(func.count()).select_from(AuditEvent)).one()

    second = _init_demo(db, tmp_path)
    assert second.returncode == 0, second.stderr
    assert "已存在，直接复用" in second.stdout and DEMO_PASSWORD in second.stdout
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(Item)).one() == items_before
        assert s.exec(select(func.count()).select_from(AuditEvent)).one() == audit_before
    _check_demo(engine)
    engine.dispose()


def test_demo_seed_on_both_databases(engine):
    with Session(engine) as s:
        seed_org(s, code="default", name="示例镇人民政府")
        s.commit()
    lines = init_demo(engine, org_code="default", public_url="http://gongkai.example:8000/")
    assert any("http://gongkai.example:8000/readyz" in line for line in lines)
    _check_demo(engine)
    again = init_demo(engine, org_code="default", public_url="http://x")
    assert "直接复用" in again[0]


def test_demo_refuses_a_database_with_real_items(engine, world):
    from content.errors import Conflict
    from content.store import create_item

    with Session(engine) as s:
        drafter = s.get(User, world.drafter)
        create_item(s, actor=drafter, data={"title": "真实稿件"})
        s.commit()
        code = s.get(Organization, world.org_id).code
    with pytest.raises(Conflict):
        init_demo(engine, org_code=code, public_url="http://x")
