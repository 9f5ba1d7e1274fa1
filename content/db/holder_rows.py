"""Who holds each gate's role for one department now, read in one round trip and kept per transaction.

In one query: the holders of every gate of one department (role rows) and every deputy acting now for
a user of the organization (kept only where they act for a holder). The statement is built once with
bind parameters, and the answer is memoized in `session.info` until the transaction ends: roles do not
change in the middle of a decision, and one action asks for several gates.
The rule itself (who holds which gate) is documented in `content.review.reviewers`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CompoundSelect, Integer, and_, bindparam, event, exists, literal, null, or_, union_all
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction, aliased
from sqlmodel import Session, col, select

from content.models import Deputy, Gate, Oversight, Revision, Role, User, UserRole
from content.timeutil import utcnow

_ROLE_ROWS = (
    select(UserRole.role, User.id, null().cast(Integer))
    .join(User, col(UserRole.user_id) == col(User.id))
    .where(
        User.org_id == bindparam("org_id"),
        col(User.active).is_(True),
        or_(
            and_(col(UserRole.role) == Role.dept_head, col(User.department_id) == bindparam("department_id")),
            and_(col(UserRole.role) == Role.leader,
                 exists().where(col(Oversight.user_id) == col(User.id),
                                col(Oversight.department_id) == bindparam("department_id"))),
            col(UserRole.role) == Role.principal,
        ),
    )
)
_Acting = aliased(User)
_Absent = aliased(User)
_DEPUTY_ROWS = (
    select(literal("deputy"), Deputy.user_id, Deputy.deputy_id)
    .join(_Acting, col(_Acting.id) == col(Deputy.deputy_id))
    .join(_Absent, col(_Absent.id) == col(Deputy.user_id))
    .where(_Absent.org_id == bindparam("org_id"), Deputy.starts_at <= bindparam("now"),
           Deputy.ends_at > bindparam("now"), col(_Acting.active).is_(True))
)
_HOLDER_ROWS: CompoundSelect = union_all(_ROLE_ROWS, _DEPUTY_ROWS)
_AUTHORS = select(Revision.created_by).where(Revision.item_id == bindparam("item_id")).distinct()
_KEY = "gate_holders"


@event.listens_for(OrmSession, "after_transaction_end")
def _forget(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_KEY, None)


def holders_by_gate(session: Session, org_id: int, department_id: int | None) -> dict[str, frozenset[int]]:
    """Every gate's role holders for the department, each with whoever deputises for them now."""
    cache: dict[tuple[int, int | None], dict[str, frozenset[int]]] = session.info.setdefault(_KEY, {})
    key = (org_id, department_id)
    if key not in cache:
        cache[key] = _read(session, org_id, department_id, utcnow())
    return cache[key]


def _read(session: Session, org_id: int, department_id: int | None, now: datetime) -> dict[str, frozenset[int]]:
    by_gate: dict[str, set[int]] = {gate: set() for gate in Gate}
    acting: dict[int, set[int]] = {}
    params = {"org_id": org_id, "department_id": department_id, "now": now}
    for kind, user_id, deputy_id in session.execute(_HOLDER_ROWS, params):
        if kind == "deputy":
            acting.setdefault(user_id, set()).add(deputy_id)
        else:
            by_gate[Gate(kind)].add(user_id)
    for holders in by_gate.values():
        holders |= {d for h in list(holders) for d in acting.get(h, ())}
    return {gate: frozenset(ids) for gate, ids in by_gate.items()}


def revision_authors(session: Session, item_id: int) -> set[int]:
    """Everyone who wrote a revision of the item."""
    return set(session.execute(_AUTHORS, {"item_id": item_id}).scalars().all())
