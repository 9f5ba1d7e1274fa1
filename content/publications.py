"""Publication rows as staff see them: the filtered list and the guarded retry of a failed channel.

Lives in `content` so the web UI and the scheduler's JSON API share one rule (content must not import
scheduler). The caller commits; the state change and its audit event go in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlmodel import Session, col, select

from content import audit
from content.accounts import roles_of
from content.errors import Conflict, Forbidden, Invalid, NotFound
from content.models import PUBLICATION_STATE_LABELS, Item, Publication, PublicationState, User
from content.models.ids import pk
from content.outbox import item_went_live
from content.timeutil import utcnow

RETRYABLE = (PublicationState.failed,)
CONFIRMABLE = (PublicationState.failed, PublicationState.unknown)
# A retried row whose submit went out without an answer: the channel looks in its records once more and,
# when the post is not there, sends again (a person checked; see channels.mp.mp).
RESEND_FLAG = "resend_after_check"


def may_retry(user: User, roles: set[str], item: Item | None) -> bool:
    """Who may resend a failed channel: the item's drafter or an admin."""
    return "admin" in roles or (item is not None and item.drafter_id == user.id)


# The 重新发送 confirm dialog of a row whose submit went out without an answer: no publish_id to ask about.
RESEND_RISK = ("上次发布请求已发出但没有收到公众号的结果，公众号发布记录中也没有找到本稿；如果它仍在发布中，"
               "重新发送可能使读者看到两篇相同的文章。建议先在公众号后台「发表记录」中核实。确定重新发送？")


def resend_risk(pub: Publication) -> str | None:
    """What the confirm dialog of 重新发送 must say for this row, or None (nothing to warn about)."""
    progress = pub.progress or {}
    if progress.get("submit_attempted") and not progress.get("publish_id"):
        return RESEND_RISK
    return None


def retry_publication(session: Session, *, pub_id: int, actor: User,
                      guard: Callable[[Publication], str | None] | None = None) -> Publication:
    """Put a failed row back in the queue (due now, attempts reset), with its audit event.

    `guard` (given by the app, see `scheduler.resend_guard`) asks the channel first and returns why the row
    must not be resent now — an earlier official-account submit still publishing — which refuses it (409).
    It gets a detached copy of the row while no transaction is open: asking WeChat takes a while, and on
    SQLite an open transaction would lock out the token cache the client reads and writes."""
    pub = session.get(Publication, pub_id)
    if pub is None or pub.org_id != actor.org_id:
        raise NotFound("publication_not_found", "发布记录不存在")
    item = session.get(Item, pub.item_id)
    if not may_retry(actor, roles_of(session, pk(actor)), item):
        raise Forbidden("not_allowed", "只有拟稿人或政务公开专员可以重新发送")
    if pub.state not in RETRYABLE:
        label = PUBLICATION_STATE_LABELS.get(pub.state, pub.state)
        raise Conflict("not_retryable", f"当前状态为「{label}」，只有发送失败的渠道可以重新发送")
    if guard is not None:
        pub = _after_guard(session, pub, guard, actor)
    now = utcnow()
    previous_error = pub.last_error
    pub.state, pub.attempts, pub.next_attempt_at = PublicationState.pending, 0, None
    pub.claimed_by = pub.claimed_until = None
    pub.due_at, pub.updated_at = min(pub.due_at, now), now
    progress = dict(pub.progress or {})
    unanswered = bool(progress.get("submit_attempted") and not progress.get("publish_id"))
    if unanswered:
        pub.progress = {**progress, RESEND_FLAG: True}
    session.add(pub)
    audit.record(session, org_id=pub.org_id, action="publication.retry", target_type="publication",
                 target_id=pub.id, actor=actor, channel=pub.channel, previous_error=previous_error,
                 resend_after_check=unanswered)  # fmt: skip
    session.flush()
    return pub


def _after_guard(session: Session, pub: Publication, guard: Callable[[Publication], str | None],
                 actor: User) -> Publication:
    """Ask the guard outside any transaction, then read the row again (someone may have acted meanwhile)."""
    actor_id = actor.id
    session.expunge(pub)
    session.rollback()  # nothing was written yet; the row is read again below
    refusal = guard(pub)
    if refusal:
        raise Conflict("still_publishing", refusal)
    fresh = session.get(Publication, pub.id)
    actor_now = session.get(User, actor_id)
    if fresh is None or actor_now is None or fresh.org_id != actor_now.org_id:
        raise NotFound("publication_not_found", "发布记录不存在")
    if fresh.state not in RETRYABLE:
        label = PUBLICATION_STATE_LABELS.get(fresh.state, fresh.state)
        raise Conflict("not_retryable", f"当前状态为「{label}」，只有发送失败的渠道可以重新发送")
    return fresh


def confirm_publication(session: Session, *, pub_id: int, actor: User, url: str) -> Publication:
    """确认已发布: an admin who found the post live (e.g. in the WeChat backend) records it with its address.

    Only failed or unknown rows; the change is a compare-and-set on the state read, so a reconciliation
    that decided the row meanwhile wins and the admin is told. The item goes live with its first channel.
    """
    pub = session.get(Publication, pub_id)
    if pub is None or pub.org_id != actor.org_id:
        raise NotFound("publication_not_found", "发布记录不存在")
    if "admin" not in roles_of(session, pk(actor)):
        raise Forbidden("not_allowed", "只有政务公开专员可以确认发布")
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise Invalid("url_invalid", "请填写以 http:// 或 https:// 开头的文章地址（不超过 500 个字符）")
    if pub.state not in CONFIRMABLE:
        label = PUBLICATION_STATE_LABELS.get(pub.state, pub.state)
        raise Conflict("not_confirmable", f"当前状态为「{label}」，只有失败或状态未知的渠道可以确认已发布")
    now, previous_state, previous_error = utcnow(), pub.state, pub.last_error
    changed = session.exec(
        update(Publication).where(col(Publication.id) == pub.id, col(Publication.state) == previous_state)
        .values(state=PublicationState.confirmed, remote_url=url, confirmed_at=now, sent_at=pub.sent_at or now,
                last_error=None, next_attempt_at=None, claimed_by=None, claimed_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # fmt: skip
    if changed != 1:
        raise Conflict("already_decided", "这条发布记录刚被调度器处理过，请刷新后再看")
    audit.record(session, org_id=pub.org_id, action="publication.confirmed_by_person", target_type="publication",
                 target_id=pub.id, actor=actor, channel=pub.channel, url=url, previous_state=previous_state,
                 previous_error=previous_error)  # fmt: skip
    item_went_live(session, pub.item_id)
    session.flush()
    session.refresh(pub)
    return pub


def list_publications(session: Session, *, org_id: int, item_id: int | None = None, state: str | None = None,
                      channel: str | None = None, department_id: int | None = None, limit: int = 50,
                      offset: int = 0) -> list[Publication]:
    """Newest first; `department_id` limits the list to that department's items."""
    query = select(Publication).where(Publication.org_id == org_id)
    if item_id is not None:
        query = query.where(Publication.item_id == item_id)
    if state:
        query = query.where(Publication.state == state)
    if channel:
        query = query.where(Publication.channel == channel)
    if department_id is not None:
        query = query.join(Item, col(Item.id) == Publication.item_id).where(Item.department_id == department_id)
    return list(session.exec(query.order_by(col(Publication.id).desc()).offset(offset).limit(limit)).all())
