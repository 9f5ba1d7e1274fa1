"""The dashboard's lists, each paginated and counted in SQL (LIMIT/OFFSET and COUNT; never all rows).

A `Page` knows its query-string parameter, so each list on the dashboard pages on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import cast, exists, func, literal
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, col, select

from content.models import Item, Publication, ReviewStep, User
from content.registers.models import DisclosureApplication
from content.workdays import WorkCalendar

PAGE_SIZE = 10
NEARLY_DUE_WORKDAYS = 5  # the bot reminds the handler 5 working days before the due date too
FAILED_STATES = ("failed", "unknown")


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

def _assigned(session: Session, user_id: int):
    """SQL: the step's assignee snapshot (a JSON list of user ids) holds `user_id`."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(ReviewStep.assignee_ids, JSONB).contains(cast(literal(f"[{int(user_id)}]"), JSONB))
    ids = func.json_each(ReviewStep.assignee_ids).table_valued("value")
    return exists(select(literal(1)).select_from(ids).where(ids.c.value == int(user_id)))


def review_queue(session: Session, user: User, number: int) -> Page:
    """Items whose open gate lists `user` among its assignees, and emergency items awaiting their approval.

    The assignees are those the step named when it opened (authors excluded); the review page asks the
    chain's `available_actions` again before any decision.
    """
    step_open = (ReviewStep.item_id == Item.id) & _assigned(session, user.id) & (
        ((ReviewStep.decision == "pending") & (Item.state == "in_review") & (ReviewStep.gate == Item.gate))
        | ((ReviewStep.decision == "skipped") & col(Item.review_incomplete).is_(True)))
    where = (Item.org_id == user.org_id, exists(select(literal(1)).where(step_open)))
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
