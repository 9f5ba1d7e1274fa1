"""Who may decide which gate of an item: role, department scope, oversight and dated deputies."""

from __future__ import annotations

from sqlalchemy import Integer, and_, bindparam, event, exists, literal, null, or_, union_all
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from content.models import Deputy, Item, Oversight, Revision, Role, User, UserRole
from content.timeutil import utcnow

GATE_ORDER = ["dept_head", "leader", "principal"]


def required_gates(item: Item) -> list[str]:
    return ["dept_head", "leader", "principal"] if item.sensitive else ["dept_head", "leader"]


# Built once: in one round trip, the holders of every gate of one department (role rows) and every
# deputy acting now for a user of the organization (kept only where they act for a holder). Statement
# construction is a large share of the cost of a small query, so this is prepared with bind parameters.
_ROLE_ROWS = (
    select(UserRole.role, User.id, null().cast(Integer))
    .join(User, col(UserRole.user_id) == col(User.id))
    .where(
        User.org_id == bindparam("org_id"),
        col(User.active).is_(True),
        or_(
            and_(UserRole.role == Role.dept_head, User.department_id == bindparam("department_id")),
            and_(UserRole.role == Role.leader,
                 exists().where(col(Oversight.user_id) == col(User.id),
                                Oversight.department_id == bindparam("department_id"))),
            UserRole.role == Role.principal,
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
_HOLDER_ROWS = union_all(_ROLE_ROWS, _DEPUTY_ROWS)
_AUTHORS = select(Revision.created_by).where(Revision.item_id == bindparam("item_id")).distinct()


def _cache(session: Session) -> dict:
    """Per-transaction memo (cleared when the transaction ends): roles do not change mid-decision."""
    return session.info.setdefault("gate_holders", {})


@event.listens_for(OrmSession, "after_transaction_end")
def _clear_cache(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("gate_holders", None)


def gate_holders(session: Session, item: Item, gate: str) -> set[int]:
    """Holders of the gate's role for the item's department, plus whoever deputises for them now."""
    key = (item.org_id, item.department_id)
    cache = _cache(session)
    if key not in cache:
        cache[key] = _holders_now(session, item.org_id, item.department_id)
    return set(cache[key].get(gate, ()))


def _holders_now(session: Session, org_id: int, department_id: int | None) -> dict[str, frozenset[int]]:
    """Every gate's holders for one department, plus their deputies now: one query for all gates."""
    by_gate: dict[str, set[int]] = {gate: set() for gate in GATE_ORDER}
    acting: dict[int, set[int]] = {}
    params = {"org_id": org_id, "department_id": department_id, "now": utcnow()}
    for kind, user_id, deputy_id in session.execute(_HOLDER_ROWS, params):
        if kind == "deputy":
            acting.setdefault(user_id, set()).add(deputy_id)
        else:
            by_gate[kind].add(user_id)
    for holders in by_gate.values():
        holders |= {d for h in list(holders) for d in acting.get(h, ())}
    return {gate: frozenset(ids) for gate, ids in by_gate.items()}


def gate_assignees(session: Session, *, item: Item, gate: str) -> list[User]:
    """People who may decide this gate for this item (authors excluded)."""
    ids = gate_holders(session, item, gate) - authors_of(session, item)
    if not ids:
        return []
    return list(session.exec(select(User).where(col(User.id).in_(ids)).order_by(User.id)).all())


def gate_assignee_ids(session: Session, item: Item, gate: str, authors: set[int]) -> list[int]:
    """The ids `gate_assignees` would return, without loading the users (holders are active users)."""
    return sorted(gate_holders(session, item, gate) - authors)


def authors_of(session: Session, item: Item) -> set[int]:
    """The drafter and everyone who wrote a revision: none of them may approve the item."""
    editors = session.execute(_AUTHORS, {"item_id": item.id}).scalars().all()
    return {item.drafter_id, *editors}
