"""Items API: create, read, edit, list, revisions and their diff, and the review actions.

Every write goes through `content.store` / `content.review.chain` (the single permission source) and
commits once, so a refused request changes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Query
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from content import store
from content.access import item_for_viewer, list_scope, visible_clause
from content.accounts import roles_of
from content.db.readonly import is_read_only, read_only_error
from content.errors import Conflict, Invalid, NotFound
from content.models import Category, Department, Item, ItemState, Revision, Taxonomy, User
from content.review import chain as workflow
from content.timeutil import SHANGHAI
from web.api.auth import CurrentUserDep
from web.api.present import Names, item_detail, item_public
from web.api.schemas import (
    ActionBody,
    ItemCreate,
    ItemDetail,
    ItemsPublic,
    ItemUpdate,
    RevisionDiff,
    RevisionPublic,
)
from web.deps import SessionDep

router = APIRouter(prefix="/items", tags=["items"])

# URL segment → workflow action. Reasons are required by the chain for reject / emergency / withdraw.
ACTIONS = {
    "submit": ("submit", "提交审核"),
    "approve": ("approve", "同意（可附 comment 和看到的 content_hash）"),
    "reject": ("reject", "驳回（reason 必填）"),
    "recall": ("recall", "起草人撤回到草稿"),
    "flag-sensitive": ("flag_sensitive", "标记为重大/敏感（增加主要领导环节）"),
    "clear-sensitive": ("clear_sensitive", "取消敏感标记（仅分管领导或主要领导）"),
    "emergency-publish": ("emergency_publish", "紧急发布（仅主要领导，reason 必填）"),
    "withdraw": ("withdraw", "撤稿（reason 必填）"),
    "archive": ("archive", "归档（管理员）"),
}


def commit(session: Session) -> None:
    """Commit, turning a lost race (unique index, serialization failure) into a clear 409."""
    try:
        session.commit()
    except (IntegrityError, OperationalError) as exc:
        session.rollback()
        if is_read_only(exc):
            raise read_only_error() from None
        raise Conflict("concurrent_change", "稿件刚被他人修改或处理，请刷新后重试") from None


def _utc_publish_at(data: dict) -> dict:
    """Aware times go in as UTC: the revision hash must not depend on the offset the client wrote.

    (Naive times are passed through so the store refuses them with its own message.)
    """
    value = data.get("publish_at")
    if isinstance(value, datetime) and value.tzinfo is not None:
        data["publish_at"] = value.astimezone(UTC)
    return data


def _get(session: Session, user: User, item_id: int) -> Item:
    return item_for_viewer(session, user, item_id, roles_of(session, user.id))


@router.post("", response_model=ItemDetail, status_code=201, summary="新建稿件（草稿）")
def create_item(body: ItemCreate, user: CurrentUserDep, session: SessionDep) -> ItemDetail:
    data = _utc_publish_at(body.model_dump(exclude_unset=True))
    sensitive = data.pop("sensitive", False)
    item = store.create_item(session, actor=user, data=data, channel="api")
    if sensitive:  # through the chain, so it is audited like every other flag
        workflow.apply_action(session, item_id=item.id, actor=user, action="flag_sensitive", channel="api")
    commit(session)
    return item_detail(session, item, user)


@router.get("", response_model=ItemsPublic, summary="稿件列表")
def list_items(
    user: CurrentUserDep,
    session: SessionDep,
    state: Annotated[list[ItemState] | None, Query(description="状态，可重复")] = None,
    department: Annotated[str | None, Query(description="部门名称")] = None,
    department_id: int | None = None,
    topic: Annotated[str | None, Query(description="门户栏目名称")] = None,
    area: Annotated[str | None, Query(description="公开目录领域名称")] = None,
    channel: Annotated[str | None, Query(description="发布渠道：portal | mp")] = None,
    since: Annotated[date | None, Query(description="创建日期起（含，北京时间）")] = None,
    until: Annotated[date | None, Query(description="创建日期止（含，北京时间）")] = None,
    q: Annotated[str | None, Query(max_length=100, description="标题或摘要包含")] = None,
    incomplete: Annotated[bool, Query(description="只列“未完成审核”的紧急发布稿件")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ItemsPublic:
    if department is not None:
        dept = session.exec(select(Department).where(Department.org_id == user.org_id,
                                                     Department.name == department)).first()
        if dept is None:
            raise NotFound("department_not_found", f"部门“{department}”不存在")
        department_id = dept.id
    if since and until and until < since:
        raise Invalid("invalid_range", "结束日期不能早于开始日期", field="until")
    viewer_roles = roles_of(session, user.id)
    scope = {"department_id": department_id, **list_scope(user, viewer_roles)}  # the one visibility rule
    start = datetime.combine(since, time.min, SHANGHAI) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, SHANGHAI) if until else None
    if incomplete:
        items = list(session.exec(
            select(Item).where(Item.org_id == user.org_id, col(Item.review_incomplete).is_(True),
                               visible_clause(user, viewer_roles))
            .order_by(col(Item.updated_at).desc()).limit(limit).offset(offset)
        ).all())
    else:
        items = store.list_items(
            session, org_id=user.org_id, state=[s.value for s in state] if state else None,
            **scope, topic_id=_category(session, user, Taxonomy.topic, topic),
            area_id=_category(session, user, Taxonomy.area, area), channel=channel, since=start, until=end, q=q,
            limit=limit, offset=offset,
        )  # fmt: skip
    names = Names(session)
    return ItemsPublic(data=[item_public(session, it, names) for it in items], count=len(items), limit=limit,
                       offset=offset)


def _category(session: Session, user: User, taxonomy: Taxonomy, name: str | None) -> int | None:
    if name is None:
        return None
    cat = session.exec(select(Category).where(Category.org_id == user.org_id, Category.taxonomy == taxonomy,
                                              Category.name == name)).first()
    if cat is None:
        label = "门户栏目" if taxonomy == Taxonomy.topic else "公开目录领域"
        raise NotFound(f"unknown_{taxonomy.value}", f"{label}“{name}”不存在")
    return cat.id


@router.get("/{item_id}", response_model=ItemDetail, summary="稿件详情：状态、当前环节、可执行操作、检查提示、审核记录")
def get_item(item_id: int, user: CurrentUserDep, session: SessionDep) -> ItemDetail:
    return item_detail(session, _get(session, user, item_id), user)


@router.patch("/{item_id}", response_model=ItemDetail, summary="修改稿件（审核中修改会使审核从第一环节重新开始）")
def update_item(item_id: int, body: ItemUpdate, user: CurrentUserDep, session: SessionDep) -> ItemDetail:
    changes = _utc_publish_at(body.model_dump(exclude_unset=True))
    sensitive = changes.pop("sensitive", None)
    item = _get(session, user, item_id)
    if changes:
        item = store.update_item(session, actor=user, item_id=item_id, changes=changes, channel="api")
    if sensitive is not None and sensitive != item.sensitive:
        action = "flag_sensitive" if sensitive else "clear_sensitive"
        item = workflow.apply_action(session, item_id=item_id, actor=user, action=action, channel="api")
    commit(session)
    return item_detail(session, item, user)


@router.get("/{item_id}/revisions", response_model=list[RevisionPublic], summary="版本列表")
def list_revisions(item_id: int, user: CurrentUserDep, session: SessionDep) -> list[RevisionPublic]:
    item = _get(session, user, item_id)
    names = Names(session)
    return [_revision(r, names) for r in store.list_revisions(session, item_id=item.id)]


@router.get("/{item_id}/revisions/diff", response_model=RevisionDiff, summary="两个版本之间的差异")
def diff_revisions(
    item_id: int,
    user: CurrentUserDep,
    session: SessionDep,
    old: Annotated[int | None, Query(ge=0, description="旧版本号（默认新版本的前一版；0 表示空白）")] = None,
    new: Annotated[int | None, Query(ge=1, description="新版本号（默认最新版）")] = None,
) -> RevisionDiff:
    item = _get(session, user, item_id)
    revisions = {r.number: r for r in store.list_revisions(session, item_id=item.id)}
    new_number = new if new is not None else max(revisions)
    old_number = old if old is not None else new_number - 1
    for n in (new_number, old_number):
        if n and n not in revisions:
            raise NotFound("revision_not_found", f"稿件 {item.id} 没有第 {n} 版")
    changes = store.revision_diff(revisions.get(old_number), revisions[new_number])
    return RevisionDiff(item_id=item.id, old=old_number or None, new=new_number, changes=changes)


@router.get("/{item_id}/revisions/{number}", response_model=RevisionPublic, summary="某一版本的完整内容")
def get_revision(item_id: int, number: int, user: CurrentUserDep, session: SessionDep) -> RevisionPublic:
    item = _get(session, user, item_id)
    rev = session.exec(select(Revision).where(Revision.item_id == item.id, Revision.number == number)).first()
    if rev is None:
        raise NotFound("revision_not_found", f"稿件 {item.id} 没有第 {number} 版")
    return _revision(rev, Names(session), with_content=True)


def _revision(rev: Revision, names: Names, *, with_content: bool = False) -> RevisionPublic:
    return RevisionPublic(id=rev.id, number=rev.number, created_by=rev.created_by,
                          created_by_name=names.of(User, rev.created_by), created_at=rev.created_at,
                          content_hash=rev.content_hash, content=rev.content if with_content else None)


def _action_endpoint(action: str):
    def endpoint(
        item_id: int, user: CurrentUserDep, session: SessionDep, body: Annotated[ActionBody | None, Body()] = None
    ) -> ItemDetail:
        body = body or ActionBody()
        _get(session, user, item_id)  # a hidden item answers 404 like a missing one, never its state
        item = workflow.apply_action(session, item_id=item_id, actor=user, action=action, comment=body.comment,
                                     reason=body.reason, content_hash=body.content_hash, channel="api")
        commit(session)
        return item_detail(session, item, user)

    endpoint.__name__ = f"item_{action}"
    return endpoint


for _segment, (_action, _summary) in ACTIONS.items():
    router.add_api_route(f"/{{item_id}}/{_segment}", _action_endpoint(_action), methods=["POST"],
                         response_model=ItemDetail, summary=_summary)
