"""Items and revisions: create, edit (each edit is an immutable revision), read, list, diff."""

from __future__ import annotations

import difflib
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, false, or_
from sqlmodel import Session, col, func, select

from content.accounts import roles_of
from content.checks import DIGEST_MAX, TITLE_MAX, CheckResult, run_checks
from content.db.rowbuffer import action_rows, record_audit
from content.errors import Conflict, Forbidden, Invalid, NotFound
from content.files.refs import normalize_media
from content.html import sanitize
from content.models import (
    PUBLISHABLE_FIELDS,
    Category,
    DisclosureType,
    Item,
    Origin,
    Revision,
    Role,
    Taxonomy,
    User,
)
from content.models.channel_targets import RobotGroup
from content.models.ids import pk
from content.models.item_channel import (
    ChannelEntryError,
    ChannelKind,
    ChannelTarget,
    ItemChannel,
    canonical_entries,
    parse_entries,
)
from content.text_clean import clean_item_input
from content.timeutil import utcnow

__all__ = [
    "CheckResult", "content_of", "content_hash", "create_item", "get_item", "list_items", "list_revisions",
    "revision_diff", "run_checks", "update_item",
]  # fmt: skip

EDITABLE_FIELDS = set(PUBLISHABLE_FIELDS) | {"sensitive"}


def content_of(item: Item) -> dict[str, Any]:
    """The publishable fields as a canonical, JSON-ready dict."""
    out: dict[str, Any] = {}
    for name in PUBLISHABLE_FIELDS:
        value = getattr(item, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        out[name] = value
    return out


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _category_ids(session: Session, org_id: int, wanted: list[tuple[Taxonomy, Any, str]]) -> dict[Taxonomy, int | None]:
    """Resolve each (taxonomy, id or name, label) to a category id, all in one query; Invalid names the first
    one that does not exist."""

    def matches(taxonomy: Taxonomy, value: Any):
        return (Category.taxonomy == taxonomy) & (Category.id == value if isinstance(value, int)
                                                  else Category.name == value)

    asked = [(t, v) for t, v, _ in wanted if v not in (None, "")]
    rows = session.exec(select(Category).where(Category.org_id == org_id, or_(*(matches(t, v) for t, v in asked)))
                        ).all() if asked else []  # fmt: skip
    out: dict[Taxonomy, int | None] = {}
    for taxonomy, value, label in wanted:
        if value in (None, ""):
            out[taxonomy] = None
            continue
        found = next((c for c in rows if c.taxonomy == taxonomy
                      and (c.id == value if isinstance(value, int) else c.name == value)), None)  # fmt: skip
        if found is None:
            raise Invalid(f"unknown_{taxonomy.value}", f"{label}“{value}”不存在", field=taxonomy.value)
        out[taxonomy] = found.id
    return out


def _channel_entries(session: Session, org_id: int, given: Any) -> list[str]:
    """The chosen channels in canonical order (see content.models.item_channel); Invalid names unknown
    entries and group robots that are not the org's (a deleted robot of the org stays choosable: the
    checks flag it, and the editor never drops a channel silently)."""
    if given is None:
        given = []
    if not isinstance(given, list):
        raise Invalid("unknown_channel", "发布渠道必须是列表", field="channels")
    try:
        targets = parse_entries(given)
    except ChannelEntryError as e:
        raise Invalid("unknown_channel", f"未知发布渠道：{e}", field="channels") from None
    wanted = {t.target_id for t in targets if t.target_id is not None}
    if wanted:
        found = set(session.exec(select(RobotGroup.id).where(RobotGroup.org_id == org_id,
                                                             col(RobotGroup.id).in_(wanted))).all())
        missing = [str(t) for t in targets if t.target_id is not None and t.target_id not in found]
        if missing:
            raise Invalid("unknown_channel", f"未知发布渠道：{'、'.join(missing)}（群机器人不存在）", field="channels")
    return canonical_entries(targets)


def _normalize(session: Session, org_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Validate and convert input fields; raise Invalid naming the field."""
    unknown = set(data) - EDITABLE_FIELDS - {"topic", "area"}
    if unknown:
        raise Invalid("unknown_field", f"不支持的字段：{'、'.join(sorted(unknown))}")
    out = clean_item_input({k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    wanted = []
    if "topic" in data or "topic_id" in data:
        wanted.append((Taxonomy.topic, data.get("topic_id", data.get("topic")), "门户栏目"))
    if "area" in data or "area_id" in data:
        wanted.append((Taxonomy.area, data.get("area_id", data.get("area")), "公开目录领域"))
    if wanted:
        ids = _category_ids(session, org_id, wanted)
        out.update({f"{taxonomy.value}_id": ids[taxonomy] for taxonomy, _, _ in wanted})
    if "title" in out:
        out["title"] = (out["title"] or "").strip()
        if not out["title"]:
            raise Invalid("title_required", "标题不能为空", field="title")
        if len(out["title"]) > TITLE_MAX:
            raise Invalid("title_too_long", f"标题不能超过 {TITLE_MAX} 个字", field="title")
    if "digest" in out:
        out["digest"] = (out["digest"] or "").strip()
        if len(out["digest"]) > DIGEST_MAX:
            raise Invalid("digest_too_long", f"摘要不能超过 {DIGEST_MAX} 个字", field="digest")
    if "body_html" in out:
        out["body_html"] = sanitize(out["body_html"] or "")
    if "channels" in out:
        out["channels"] = _channel_entries(session, org_id, out["channels"])
    if "origin" in out and out["origin"] not in {o.value for o in Origin}:
        raise Invalid("unknown_origin", "来源只能是原创（original）或转载（repost）", field="origin")
    if "disclosure_type" in out and out["disclosure_type"] not in {d.value for d in DisclosureType}:
        raise Invalid("unknown_disclosure_type", "公开方式只能是主动公开或依申请公开", field="disclosure_type")
    if out.get("publish_at") is not None:
        value = out["publish_at"]
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise Invalid("invalid_date", "发布时间格式错误", field="publish_at") from None
        if value.tzinfo is None:
            raise Invalid("naive_datetime", "发布时间必须带时区（如 +08:00）", field="publish_at")
        out["publish_at"] = value.astimezone(UTC)  # one canonical form, so the content hash is stable
    normalize_media(session, org_id, out)  # only our stored files and http/https links; data: URIs stored
    return out


def create_item(session: Session, *, actor: User, data: dict[str, Any], channel: str = "web") -> Item:
    roles = roles_of(session, pk(actor))
    if not roles & {Role.drafter, Role.admin}:
        raise Forbidden("not_drafter", "只有拟稿人可以新建稿件")
    if actor.department_id is None:
        raise Invalid("department_required", "您没有所属部门，无法拟稿；请联系管理员设置部门")
    fields = _normalize(session, actor.org_id, data)
    if "title" not in fields:
        raise Invalid("title_required", "标题不能为空", field="title")
    item = Item(org_id=actor.org_id, department_id=actor.department_id, drafter_id=pk(actor), **fields)
    session.add(item)
    session.flush()
    revision = _snapshot(session, item, actor, number=1)  # a new item has no revision yet
    with action_rows(session):
        record_audit(session, org_id=item.org_id, action="item.create", target_type="item", target_id=item.id,
                     actor=actor, channel=channel, revision=revision.number, content_hash=revision.content_hash,
                     sensitive=item.sensitive)
    return item


def _snapshot(session: Session, item: Item, actor: User, *, number: int | None = None) -> Revision:
    content = content_of(item)
    if number is None:
        number = (session.exec(select(func.max(Revision.number)).where(Revision.item_id == item.id)).one() or 0) + 1
    revision = Revision(org_id=item.org_id, item_id=pk(item), number=number, created_by=pk(actor),
                        content=content, content_hash=content_hash(content))
    session.add(revision)
    session.flush()
    item.current_revision_id = revision.id
    return revision


def apply_edit(session: Session, item: Item, actor: User, fields: dict[str, Any]) -> Revision | None:
    """Write the fields and snapshot a new revision if publishable content changed (no permission check)."""
    before = current_hash(session, item)
    if "channels" in fields and set(fields["channels"]) == set(item.channels or []):
        # The same channels: the item's list stays as it is, so a list stored before the canonical order
        # (content.models.item_channel) keeps its revision's hash and an unchanged save voids nothing.
        fields = {k: v for k, v in fields.items() if k != "channels"}
    for name, value in fields.items():
        setattr(item, name, value)
    item.updated_at = utcnow()
    if content_hash(content_of(item)) == before:
        return None
    return _snapshot(session, item, actor)


def current_hash(session: Session, item: Item) -> str:
    if item.current_revision_id is None:
        return content_hash(content_of(item))
    loaded = session.identity_map.get(session.identity_key(Revision, item.current_revision_id))
    if loaded is not None:
        return loaded.content_hash
    # The hash column only: the revision's content (the whole body) is not needed here.
    return session.execute(
        select(Revision.content_hash).where(Revision.id == item.current_revision_id)
    ).scalar_one()


def update_item(
    session: Session, *, actor: User, item_id: int, changes: dict[str, Any], channel: str = "web",
    base_revision_id: int | None = None,
) -> Item:
    """Edit an item. Permission and review consequences live in the review chain.

    `base_revision_id`: the revision the editor was loaded with (optimistic concurrency). When another
    window saved since, the item's current revision differs and the edit is refused (409 stale_edit)
    instead of silently overwriting it; the row is locked first so two such saves cannot both pass."""
    from content.review.chain import edit_item  # the chain decides who may edit and what an edit voids

    checked = base_revision_id is not None
    item = get_item(session, org_id=actor.org_id, item_id=item_id, for_update=checked)
    if checked and item.current_revision_id is not None and item.current_revision_id != base_revision_id:
        raise Conflict("stale_edit", "此稿件已在其他窗口或由他人保存，请刷新后再改")
    fields = _normalize(session, actor.org_id, changes)
    return edit_item(session, item=item, actor=actor, fields=fields, channel=channel)


_ITEM = select(Item).where(Item.id == bindparam("item_id"), Item.org_id == bindparam("org_id"))
_ITEM_FOR_UPDATE = _ITEM.with_for_update()


def get_item(session: Session, *, org_id: int, item_id: int, for_update: bool = False) -> Item:
    query = _ITEM_FOR_UPDATE if for_update else _ITEM  # built once: every action starts here
    item = session.execute(query, {"item_id": item_id, "org_id": org_id}).scalars().first()
    if item is None:
        raise NotFound("item_not_found", f"稿件 {item_id} 不存在")
    return item


def list_items(
    session: Session,
    *,
    org_id: int,
    state: str | list[str] | None = None,
    department_id: int | None = None,
    topic_id: int | None = None,
    area_id: int | None = None,
    channel: str | None = None,
    drafter_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Item]:
    query = select(Item).where(Item.org_id == org_id)
    if state:
        states = [state] if isinstance(state, str) else list(state)
        query = query.where(col(Item.state).in_(states))
    if department_id:
        query = query.where(Item.department_id == department_id)
    if topic_id:
        query = query.where(Item.topic_id == topic_id)
    if area_id:
        query = query.where(Item.area_id == area_id)
    if drafter_id:
        query = query.where(Item.drafter_id == drafter_id)
    if since:
        query = query.where(Item.created_at >= since)
    if until:
        query = query.where(Item.created_at < until)
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(or_(col(Item.title).like(pattern), col(Item.digest).like(pattern)))
    if channel:
        query = query.where(_has_channel(channel))
    query = query.order_by(col(Item.updated_at).desc(), col(Item.id).desc()).limit(min(limit, 500)).offset(offset)
    return list(session.exec(query).all())


def _has_channel(channel: str) -> Any:
    """`portal`, `wecom_group` (any group) or `wecom_group:3` (that group) as an EXISTS on `item_channel`;
    a filter that names no channel matches nothing."""
    kind, _, target = channel.partition(":")
    if kind not in {k.value for k in ChannelKind}:
        return false()
    rows = select(ItemChannel.id).where(ItemChannel.item_id == Item.id, ItemChannel.kind == kind)
    if target:
        parsed = ChannelTarget.try_parse(channel)
        if parsed is None:
            return false()
        rows = rows.where(ItemChannel.target_id == parsed.target_id)
    return rows.exists()


def list_revisions(session: Session, *, item_id: int) -> list[Revision]:
    return list(session.exec(select(Revision).where(Revision.item_id == item_id).order_by(col(Revision.number))).all())


def get_revision(session: Session, *, org_id: int, revision_id: int) -> Revision:
    rev = session.get(Revision, revision_id)
    if rev is None or rev.org_id != org_id:
        raise NotFound("revision_not_found", "版本不存在")
    return rev


FIELD_LABELS = {
    "title": "标题", "digest": "摘要", "author": "作者", "body_html": "正文", "cover_image": "封面图",
    "attachments": "附件", "topic_id": "门户栏目", "area_id": "公开目录领域", "channels": "发布渠道",
    "origin": "来源", "source_url": "转载来源", "disclosure_type": "公开方式", "publish_at": "发布时间",
    "has_full_text": "全文公开",
}  # fmt: skip


def revision_diff(old: Revision | None, new: Revision) -> list[dict]:
    """Changed fields between two revisions; text fields carry a unified line diff."""
    before = old.content if old else {}
    out = []
    for name in PUBLISHABLE_FIELDS:
        a, b = before.get(name), new.content.get(name)
        if a == b:
            continue
        entry = {"field": name, "label": FIELD_LABELS.get(name, name), "old": a, "new": b}
        if isinstance(a, str) or isinstance(b, str):
            a_lines = (a or "").replace("><", ">\n<").splitlines()
            b_lines = (b or "").replace("><", ">\n<").splitlines()
            entry["diff"] = list(difflib.unified_diff(a_lines, b_lines, lineterm="", n=1))[2:]
        out.append(entry)
    return out

