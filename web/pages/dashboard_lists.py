"""The dashboard's lists, each paginated and counted in SQL (LIMIT/OFFSET and COUNT; never all rows).

A `Page` knows its query-string parameter, so each list on the dashboard pages on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, literal, or_, union
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from annual.registers.models import DisclosureApplication
from annual.workdays import WorkCalendar
from content.models import (
    Decision,
    Deputy,
    Item,
    Oversight,
    Publication,
    Review,
    ReviewState,
    ReviewStep,
    Revision,
    Role,
    User,
    UserRole,
)
from content.timeutil import utcnow

PAGE_SIZE = 10
NEARLY_DUE_WORKDAYS = 5  # the bot reminds the handler 5 working days before the due date too
FAILED_STATES = ("failed", "unknown")
# States that take an after-the-fact approval of a gate skipped by 紧急发布 (content.review.rules).
LATE_APPROVAL_STATES = ("approved", "scheduled", "published")


@dataclass
class Page:
    """One page of a list: its rows, the total counted by SQL, and the query parameter that pages it."""

    param: str
    number: int
    total: int
    rows: list[Any] = field(default_factory=list)
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number(params, name: str) -> int:
    """A page number from the query string; anything odd is page 1."""
    raw = str(params.get(name) or "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def _page(session: Session, query, count_query, param: str, number: int) -> Page:
    total = session.exec(count_query).one()
    number = min(number, max(1, -(-total // PAGE_SIZE)))
    rows = list(session.exec(query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).all()) if total else []
    return Page(param=param, number=number, total=total, rows=rows)


# ---------------------------------------------------------------------------- drafter

def my_state_counts(session: Session, user: User) -> dict[str, int]:
    rows = session.exec(select(Item.state, func.count()).where(Item.org_id == user.org_id,
                                                               Item.drafter_id == user.id)
                        .group_by(Item.state)).all()
    return {state: n for state, n in rows}


def my_items(session: Session, user: User, state: str, number: int) -> Page:
    where = (Item.org_id == user.org_id, Item.drafter_id == user.id, Item.state == state)
    query = select(Item).where(*where).order_by(col(Item.updated_at).desc(), col(Item.id).desc())
    return _page(session, query, select(func.count()).select_from(Item).where(*where), "mine_page", number)


# ---------------------------------------------------------------------------- reviewer

def _acting_as(user: User, now):
    """SQL: the ids `user` decides as now: their own, and those of the people they deputise for.

    Mirrors `content.review.reviewers` (a deputy acts for every gate and scope of an absent user of the org).
    """
    absent = aliased(User)
    deputised = (select(Deputy.user_id).join(absent, col(absent.id) == col(Deputy.user_id))
                 .where(Deputy.deputy_id == user.id, absent.org_id == user.org_id,
                        Deputy.starts_at <= now, Deputy.ends_at > now))
    return union(select(literal(int(user.id))), deputised)


def _holds_gate(user: User, now):
    """SQL, correlated to `Item` and `ReviewStep`: `user` holds the step's gate for the item's department.

    The same rule as `reviewers.gate_holders`: an active holder of the gate's role (dept_head of the
    item's department, a leader overseeing it, any principal), in person or through a deputy acting now.
    """
    holder = aliased(User)
    role = aliased(UserRole)
    scope = or_(
        and_(ReviewStep.gate == Role.dept_head, holder.department_id == Item.department_id),
        and_(ReviewStep.gate == Role.leader,
             exists().where(col(Oversight.user_id) == col(holder.id), Oversight.department_id == Item.department_id)
             .correlate_except(Oversight)),
        ReviewStep.gate == Role.principal,
    )
    return exists(
        select(literal(1)).select_from(role).join(holder, col(holder.id) == col(role.user_id))
        .where(col(role.user_id).in_(_acting_as(user, now)), role.role == ReviewStep.gate,
               holder.org_id == user.org_id, col(holder.active).is_(True), scope)
        .correlate(Item, ReviewStep)
    )


def _decidable_step(user: User, now):
    """SQL, correlated to `Item`: a step of the item that `user` may decide now (`permissions.refusal`).

    In review: the pending step at the item's gate in the active review. After an emergency
    publication: a skipped step of the latest review, while the state still takes a late approval.
    Never for an author of the item, nor for someone who approved another gate of the same review.
    """
    other = aliased(ReviewStep)
    latest_review = select(func.max(Review.id)).where(Review.item_id == Item.id).correlate(Item).scalar_subquery()
    current = and_(Item.state == "in_review", ReviewStep.decision == Decision.pending,
                   ReviewStep.gate == Item.gate,
                   exists().where(Review.id == ReviewStep.review_id, Review.state == ReviewState.in_progress))
    late = and_(col(Item.state).in_(LATE_APPROVAL_STATES), col(Item.review_incomplete).is_(True),
                ReviewStep.decision == Decision.skipped, ReviewStep.review_id == latest_review)
    approved_elsewhere = exists().where(other.review_id == ReviewStep.review_id, other.id != ReviewStep.id,
                                        other.decided_by == user.id, other.decision == Decision.approved)
    return exists(
        select(literal(1)).select_from(ReviewStep)
        .where(ReviewStep.item_id == Item.id, or_(current, late), _holds_gate(user, now), ~approved_elsewhere)
        .correlate(Item)
    )


def review_queue(session: Session, user: User, number: int) -> Page:
    """Items with a gate `user` may decide now, and emergency items awaiting their approval after the fact.

    Built in SQL from the rule the review chain applies (`permissions.refusal(…, "approve")`), not from
    the assignee list saved when a step opened: a deputy named later sees the item at once, and a holder
    who lost the role no longer does. The review page still asks `available_actions` before a decision.
    """
    if not user.active:
        return Page(param="queue_page", number=1, total=0)
    authored = exists().where(Revision.item_id == Item.id, Revision.created_by == user.id)
    where = (Item.org_id == user.org_id, Item.drafter_id != user.id, ~authored, _decidable_step(user, utcnow()))
    query = select(Item).where(*where).order_by(col(Item.submitted_at), col(Item.id))
    return _page(session, query, select(func.count()).select_from(Item).where(*where), "queue_page", number)


# ---------------------------------------------------------------------------- admin

def failed_publications(session: Session, org_id: int, number: int) -> Page:
    where = (Publication.org_id == org_id, col(Publication.state).in_(FAILED_STATES))
    query = (select(Publication, Item.title).join(Item, Item.id == Publication.item_id).where(*where)
             .order_by(col(Publication.updated_at).desc(), col(Publication.id).desc()))
    count = select(func.count()).select_from(Publication).where(*where)
    return _page(session, query, count, "failed_page", number)


def incomplete_reviews(session: Session, org_id: int, number: int) -> Page:
    where = (Item.org_id == org_id, col(Item.review_incomplete).is_(True))
    query = select(Item).where(*where).order_by(col(Item.updated_at).desc(), col(Item.id).desc())
    return _page(session, query, select(func.count()).select_from(Item).where(*where), "incomplete_page", number)


def due_applications(session: Session, org_id: int, today: date, number: int) -> tuple[Page, date]:
    """Open applications already overdue or due within the next few working days, most urgent first."""
    horizon, _ = WorkCalendar.load(session, org_id).add_workdays(today, NEARLY_DUE_WORKDAYS)
    where = (DisclosureApplication.org_id == org_id, col(DisclosureApplication.replied_on).is_(None),
             col(DisclosureApplication.due_on).is_not(None), col(DisclosureApplication.due_on) <= horizon)
    query = select(DisclosureApplication).where(*where).order_by(col(DisclosureApplication.due_on),
                                                                 col(DisclosureApplication.id))
    count = select(func.count()).select_from(DisclosureApplication).where(*where)
    return _page(session, query, count, "apps_page", number), horizon


# ---------------------------------------------------------------------------- everyone

def waiting_items(session: Session, org_id: int, number: int) -> Page:
    """Approved items waiting for the scheduler (publish time first)."""
    where = (Item.org_id == org_id, col(Item.state).in_(("approved", "scheduled")))
    query = select(Item).where(*where).order_by(col(Item.publish_at).asc().nulls_first(), col(Item.id))
    return _page(session, query, select(func.count()).select_from(Item).where(*where), "waiting_page", number)


def page_url(query: dict[str, str], param: str, number: int, anchor: str = "") -> str:
    """The dashboard URL with one list's page changed and the other lists' pages kept."""
    from urllib.parse import urlencode

    kept = {k: v for k, v in query.items() if not (param == "mine_state" and k == "mine_page")}
    return "/?" + urlencode({**kept, param: number}) + (f"#{anchor}" if anchor else "")
