"""Pydantic shapes of the items API (full-stack FastAPI template style: Base / Create / Update / Public).

Length limits and channel names are checked by the store (`content.store`), which answers with a
Chinese message naming the field; the schemas here only bound sizes loosely and forbid unknown keys.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from content.text_clean import clean_text
from content.urls import clean_source_url

# Text without control characters (Word's \x0b and friends) and links limited to http/https or our files:
# the same functions the store applies, so what the API accepts is what the store keeps.
Line = Annotated[str, AfterValidator(lambda v: clean_text(v, single_line=True))]
Text = Annotated[str, AfterValidator(clean_text)]
SourceUrl = Annotated[str | None, AfterValidator(clean_source_url)]


# The channel entries of the public contract (content.models.item_channel.ChannelTarget parses them).
CHANNELS_DOC = ("发布渠道：portal 门户网站、mp 微信公众号、board 公开栏、wecom_group:<群机器人编号> 企业微信群"
                "（如 [\"portal\", \"wecom_group:3\"]）；保存后按固定顺序排列")


class ItemBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    digest: Text = Field(default="", max_length=2000, description="摘要（≤120 字）")
    author: Line = Field(default="", max_length=100)
    body_html: Text = Field(default="", description="正文 HTML（保存时清洗：去除脚本、事件属性、javascript: 链接）")
    cover_image: str | None = Field(default=None, max_length=1_500_000, description="图片地址或 data: URI（jpg/png，小于 1 MB）")
    attachments: list[dict[str, Any]] = Field(default_factory=list)
    topic: str | None = Field(default=None, max_length=100, description="门户栏目（主题分类）名称，如“科教文体卫生”")
    area: str | None = Field(default=None, max_length=100, description="基层政务公开标准目录领域名称")
    channels: list[str] = Field(default_factory=list, description=CHANNELS_DOC)
    origin: str = Field(default="original", max_length=10, description="original 原创 | repost 转载")
    source_url: SourceUrl = Field(default=None, max_length=500, description="转载原文链接（http/https）")
    disclosure_type: str = Field(default="proactive", max_length=20, description="proactive 主动公开 | on_application 依申请公开")
    publish_at: datetime | None = Field(default=None, description="计划发布时间（带时区）；null 表示审核通过后立即发布")
    sensitive: bool = Field(default=False, description="重大/敏感：增加主要领导审核环节")
    has_full_text: bool = True


class ItemCreate(ItemBase):
    title: Line = Field(max_length=2000, description="标题（≤64 字）")


class ItemUpdate(BaseModel):
    """Only the keys sent are changed (PATCH)."""

    model_config = ConfigDict(extra="forbid")

    title: Line | None = Field(default=None, max_length=2000)
    digest: Text | None = Field(default=None, max_length=2000)
    author: Line | None = Field(default=None, max_length=100)
    body_html: Text | None = None
    cover_image: str | None = Field(default=None, max_length=1_500_000, description="图片地址或 data: URI（jpg/png，小于 1 MB）")
    attachments: list[dict[str, Any]] | None = None
    topic: str | None = Field(default=None, max_length=100)
    area: str | None = Field(default=None, max_length=100)
    channels: list[str] | None = Field(default=None, description=CHANNELS_DOC)
    origin: str | None = Field(default=None, max_length=10)
    source_url: SourceUrl = Field(default=None, max_length=500)
    disclosure_type: str | None = Field(default=None, max_length=20)
    publish_at: datetime | None = None
    sensitive: bool | None = None
    has_full_text: bool | None = None


class ActionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: Text | None = Field(default=None, max_length=2000, description="审核意见")
    reason: Text | None = Field(default=None, max_length=2000, description="理由（驳回、紧急发布、撤稿必填）")
    content_hash: str | None = Field(default=None, max_length=64,
                                     description="审核人看到的内容哈希；内容已变化时返回 409")


class ItemPublic(BaseModel):
    id: int
    state: str
    state_label: str
    gate: str | None
    gate_label: str | None
    review_status: str | None = Field(description="“未完成审核”：紧急发布后仍有环节待补审")
    title: str
    digest: str
    author: str
    body_html: str
    cover_image: str | None
    attachments: list[dict[str, Any]]
    topic: str | None
    area: str | None
    channels: list[str] = Field(description="发布渠道，按固定顺序：portal、mp、board、wecom_group:<群机器人编号>（按编号）")
    origin: str
    source_url: str | None
    disclosure_type: str
    publish_at: datetime | None
    has_full_text: bool
    sensitive: bool
    emergency: bool
    review_incomplete: bool
    department_id: int
    department: str | None
    drafter_id: int
    drafter: str | None
    rejection_count: int
    last_rejection_reason: str | None
    content_hash: str
    current_revision_id: int | None
    approved_revision_id: int | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    approved_at: datetime | None
    published_at: datetime | None


class PublicationPublic(BaseModel):
    id: int
    channel: str
    target: str
    state: str
    state_label: str
    due_at: datetime
    attempts: int
    remote_url: str | None
    last_error: str | None


class ItemDetail(ItemPublic):
    available_actions: list[str] = Field(description="当前用户可执行的操作（与接口路径同名，edit 即 PATCH）")
    current_assignees: list[str] = Field(description="当前审核环节的审核人")
    check_errors: list[dict[str, Any]] = Field(description="阻止提交的检查错误（草稿、被驳回时）")
    check_warnings: list[dict[str, Any]] = Field(description="检查提示，随稿件送达每位审核人")
    review_history: list[dict[str, Any]]
    publications: list[PublicationPublic]


class ItemsPublic(BaseModel):
    data: list[ItemPublic]
    count: int
    limit: int
    offset: int


class RevisionPublic(BaseModel):
    id: int
    number: int
    created_by: int
    created_by_name: str | None
    created_at: datetime
    content_hash: str
    content: dict[str, Any] | None = None


class RevisionDiff(BaseModel):
    item_id: int
    old: int | None = Field(description="旧版本号")
    new: int = Field(description="新版本号")
    changes: list[dict[str, Any]]
