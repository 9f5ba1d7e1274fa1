"""The official account's mass-send (群发) quota, counted in the database.

WeChat allows a subscription account one mass send per day and a service account four per month
(`GONGKAI_MP_MASS_QUOTA`, `GONGKAI_MP_MASS_PERIOD` = day | month, Asia/Shanghai calendar). Each send
takes a numbered slot of its period: a row `(account, period_key, slot)` under a unique key, inserted in
a savepoint, so two scheduler processes can never take one slot, and a full period is visible to all.

Slot states: `reserved` (taken before the send; kept when the outcome is unknown, so an unconfirmed send
still counts), `sent` (the platform accepted it; `msg_id` set), `platform_full` (WeChat answered 45028
although our count had room — someone sent from the MP backend — so the rest of the period is blocked).
A send that WeChat refused for another reason gives its slot back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import UniqueConstraint, delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, select

from content.db.db import session_scope
from content.models import Publication
from content.models.base import created_at_field
from content.timeutil import SHANGHAI, local, utcnow

PERIODS = ("day", "month")
PERIOD_LABELS = {"day": "本日", "month": "本月"}


class MassSend(SQLModel, table=True):
    """One slot of a mass-send quota period. `org_id` is nullable: the quota belongs to the account."""

    __tablename__ = "mp_mass_send"
    __table_args__ = (UniqueConstraint("account", "period_key", "slot", name="uq_mp_mass_send_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    account: str = Field(max_length=128)  # "mp:<appid>"
    period_key: str = Field(max_length=10)  # "2026-11-27" (day) or "2026-11" (month)
    slot: int
    publication_id: int | None = Field(default=None, foreign_key="publication.id", index=True)
    state: str = Field(default="reserved", max_length=20)  # reserved | sent | platform_full
    msg_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = created_at_field()


@dataclass(frozen=True)
class Quota:
    account: str
    limit: int
    period: str  # day | month

    def window(self, now: datetime) -> tuple[str, datetime]:
        """(period key, start of the next period in UTC) for the Shanghai calendar."""
        day = local(now).date()
        if self.period == "month":
            nxt = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
            key = f"{day.year:04d}-{day.month:02d}"
        else:
            nxt, key = day + timedelta(days=1), day.isoformat()
        return key, datetime.combine(nxt, time(0), tzinfo=SHANGHAI).astimezone(UTC)


def reserve(engine: Engine, quota: Quota, *, publication_id: int, org_id: int,
            now: datetime | None = None) -> tuple[str, int] | None:
    """Take a free slot of the current period for this publication: (period key, slot), or None when full.

    A publication that already holds a slot of this period (a resumed send) gets the same slot back.
    """
    key, _ = quota.window(now or utcnow())
    with session_scope(engine) as s:
        rows = s.exec(select(MassSend.slot, MassSend.publication_id).where(
            MassSend.account == quota.account, MassSend.period_key == key)).all()
        for slot, owner in rows:
            if owner == publication_id:
                return key, slot
        taken = {slot for slot, _ in rows}
        for slot in range(1, quota.limit + 1):
            if slot in taken:
                continue
            try:
                with s.begin_nested():
                    s.add(MassSend(org_id=org_id, account=quota.account, period_key=key, slot=slot,
                                   publication_id=publication_id))
            except IntegrityError:  # another scheduler took this slot a moment ago
                continue
            return key, slot
    return None


def used(engine: Engine, quota: Quota, now: datetime | None = None) -> int:
    key, _ = quota.window(now or utcnow())
    with session_scope(engine) as s:
        return len(s.exec(select(MassSend.id).where(MassSend.account == quota.account,
                                                    MassSend.period_key == key)).all())


def _where(quota: Quota, key: str, slot: int):
    return (MassSend.account == quota.account, MassSend.period_key == key, MassSend.slot == slot)


def mark_sent(engine: Engine, quota: Quota, key: str, slot: int, msg_id: str) -> None:
    with session_scope(engine) as s:
        s.exec(update(MassSend).where(*_where(quota, key, slot)).values(state="sent", msg_id=msg_id))


def release(engine: Engine, quota: Quota, key: str, slot: int) -> None:
    """WeChat refused the send: nothing was sent, the slot is free again."""
    with session_scope(engine) as s:
        s.exec(delete(MassSend).where(*_where(quota, key, slot), MassSend.state == "reserved"))


def block_period(engine: Engine, quota: Quota, key: str, *, org_id: int) -> None:
    """WeChat says 45028 (no quota left): every slot of the period counts as used."""
    with session_scope(engine) as s:
        s.exec(update(MassSend).where(MassSend.account == quota.account, MassSend.period_key == key,
                                      MassSend.state == "reserved").values(state="platform_full"))
        for slot in range(1, quota.limit + 1):
            try:
                with s.begin_nested():
                    s.add(MassSend(org_id=org_id, account=quota.account, period_key=key, slot=slot,
                                   state="platform_full"))
            except IntegrityError:
                continue


def refund_attempt(engine: Engine, publication_id: int) -> None:
    """Waiting for the next quota period is not a failed attempt: the outbox's max_attempts must not
    turn a long queue of mass sends into failures. Only a row still claimed is touched."""
    with session_scope(engine) as s:
        s.exec(update(Publication).where(Publication.id == publication_id, Publication.state == "claimed",
                                         Publication.attempts > 0)
               .values(attempts=Publication.attempts - 1))
