"""Bulletin-board notices (公开栏): the print queue and its records.

The `board` publication is confirmed once its notice is generated and queued for printing; who
put it up, where and when (and when it came down) is recorded here afterwards by staff, because
that part happens on a wall, not in a computer. Withdrawing the item turns a posted notice into a
take-down task (待撤下) and cancels one nobody has posted yet.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from channels.board.images import store_reader
from channels.board.pdf import NoticeData, render_pdf
from content import audit
from content.errors import Conflict, Invalid, NotFound
from content.files.backends import FileBackend
from content.models import Department, Item, Organization, Publication, Revision, User
from content.models.channel_targets import BoardNotice, NoticeState
from content.timeutil import utcnow

OPEN_STATES = (NoticeState.to_post, NoticeState.to_take_down)


def issuer_of(session: Session, item: Item) -> str:
    org = session.get(Organization, item.org_id)
    dept = session.get(Department, item.department_id)
    return f"{org.name if org else ''}{dept.name if dept else ''}"


def notice_data(session: Session, notice: BoardNotice, files: FileBackend | None = None) -> NoticeData:
    """What the PDF shows: the approved revision's text, frozen at the time the notice was made, with its
    images read from the file store `files` (verified; without a store they are left out)."""
    item = session.get(Item, notice.item_id)
    revision = session.get(Revision, notice.revision_id)
    content = revision.content if revision else {}
    org = session.get(Organization, item.org_id)
    dept = session.get(Department, item.department_id)
    signers = tuple(name for name in (org.name if org else "", dept.name if dept else "") if name)
    return NoticeData(title=notice.title, issuer=issuer_of(session, item), issued_on=notice.issued_on,
                      body_html=content.get("body_html") or "", link_url=notice.link_url, signers=signers,
                      images=store_reader(session, files, org_id=notice.org_id) if files is not None else None)


def create_notice(session: Session, *, publication: Publication, link_url: str,
                  files: FileBackend | None = None) -> BoardNotice:
    """The notice for a board publication; idempotent (a resend finds the existing one)."""
    existing = session.exec(select(BoardNotice).where(BoardNotice.publication_id == publication.id)).first()
    if existing is not None:
        return existing
    revision = session.get(Revision, publication.revision_id)
    notice = BoardNotice(
        org_id=publication.org_id, item_id=publication.item_id, publication_id=publication.id,
        revision_id=publication.revision_id, title=(revision.content.get("title") or "")[:200],
        link_url=link_url, issued_on=utcnow(),
    )  # fmt: skip
    _, notice.pages = render_pdf(notice_data(session, notice, files))  # fails loudly before anything is queued
    session.add(notice)
    session.flush()
    audit.record(session, org_id=notice.org_id, action="notice.create", target_type="board_notice",
                 target_id=notice.id, actor_label="scheduler", item_id=notice.item_id, pages=notice.pages)
    return notice


def withdraw_notice(session: Session, *, publication_id: int, reason: str | None) -> BoardNotice | None:
    notice = session.exec(select(BoardNotice).where(BoardNotice.publication_id == publication_id)).first()
    if notice is None:
        return None
    if notice.state == NoticeState.to_post:
        notice.state = NoticeState.cancelled
    elif notice.state == NoticeState.posted:
        notice.state = NoticeState.to_take_down
    else:
        return notice
    notice.note = (reason or "")[:500] or notice.note
    session.add(notice)
    audit.record(session, org_id=notice.org_id, action="notice.withdraw", target_type="board_notice",
                 target_id=notice.id, actor_label="scheduler", state=notice.state, reason=reason)
    return notice


def get_notice(session: Session, *, org_id: int, notice_id: int) -> BoardNotice:
    notice = session.get(BoardNotice, notice_id)
    if notice is None or notice.org_id != org_id:
        raise NotFound("notice_not_found", "该公告不存在")
    return notice


def list_notices(session: Session, *, org_id: int, open_only: bool = False, limit: int = 200) -> list[BoardNotice]:
    query = select(BoardNotice).where(BoardNotice.org_id == org_id)
    if open_only:
        query = query.where(col(BoardNotice.state).in_(OPEN_STATES))
    return list(session.exec(query.order_by(col(BoardNotice.created_at).desc()).limit(limit)))


def mark_posted(session: Session, *, actor: User, notice_id: int, location: str) -> BoardNotice:
    notice = get_notice(session, org_id=actor.org_id, notice_id=notice_id)
    location = (location or "").strip()
    if not location or len(location) > 200:
        raise Invalid("location_required", "请填写张贴位置（如：镇政府一楼大厅公开栏）", field="location")
    if notice.state != NoticeState.to_post:
        raise Conflict("notice_not_postable", "该公告不在“待张贴”状态")
    notice.state, notice.location = NoticeState.posted, location
    notice.posted_by, notice.posted_at = actor.id, utcnow()
    session.add(notice)
    audit.record(session, org_id=actor.org_id, action="notice.posted", target_type="board_notice",
                 target_id=notice.id, actor=actor, item_id=notice.item_id, location=location)
    return notice


def mark_taken_down(session: Session, *, actor: User, notice_id: int) -> BoardNotice:
    notice = get_notice(session, org_id=actor.org_id, notice_id=notice_id)
    if notice.state not in (NoticeState.posted, NoticeState.to_take_down):
        raise Conflict("notice_not_posted", "该公告尚未张贴，无需撤下")
    notice.state = NoticeState.taken_down
    notice.taken_down_by, notice.taken_down_at = actor.id, utcnow()
    session.add(notice)
    audit.record(session, org_id=actor.org_id, action="notice.taken_down", target_type="board_notice",
                 target_id=notice.id, actor=actor, item_id=notice.item_id)
    return notice


def notice_pdf(session: Session, *, org_id: int, notice_id: int,
               files: FileBackend | None = None) -> tuple[BoardNotice, bytes]:
    notice = get_notice(session, org_id=org_id, notice_id=notice_id)
    pdf, _ = render_pdf(notice_data(session, notice, files))
    return notice, pdf
