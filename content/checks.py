"""Pre-submit checks. Errors block submission; warnings travel with the item to every reviewer."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

from sqlmodel import Session, select

from content.addresses import is_public_ip, literal_ip
from content.files.store import find_file, sha_of_url
from content.html import images_of, text_of, urls_of
from content.models import Item, WordRule
from content.models.item_channel import ChannelKind, ChannelTarget, known_targets

TITLE_MAX = 64
DIGEST_MAX = 120
BODY_MAX = 20_000
MP_IMAGE_MAX_BYTES = 1024 * 1024
MP_IMAGE_TYPES = (".jpg", ".jpeg", ".png")
_DATA_URI = re.compile(r"data:[^\"'\s>]+")
_INTRANET_SUFFIXES = (".local", ".lan", ".intra", ".internal", ".corp", ".localdomain")


@dataclass
class CheckResult:
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    flags_sensitive: bool = False

    def error(self, code: str, message: str, field_name: str | None = None) -> None:
        self.errors.append({"code": code, "message": message, "field": field_name})

    def warn(self, code: str, message: str, field_name: str | None = None) -> None:
        self.warnings.append({"code": code, "message": message, "field": field_name})

    @property
    def ok(self) -> bool:
        return not self.errors


def is_intranet(url: str) -> bool:
    """A link readers outside cannot open: a non-public IP in any notation, localhost, an intranet name.

    Names are judged by their form only (no DNS lookup at submit time); the official-account channel's
    fetcher checks the resolved address of every hop (channels.safe_fetch)."""
    try:
        host = (urlparse(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return True  # unparsable (e.g. a broken [IPv6]): nobody outside can open it either
    if not host:
        return False
    ip = literal_ip(host)
    if ip is not None:
        return not is_public_ip(ip)
    return host == "localhost" or host.endswith(_INTRANET_SUFFIXES + (".localhost",)) or "." not in host


def _data_uri_bytes(src: str) -> int | None:
    match = re.match(r"data:[^;,]*;base64,(.*)$", src, re.S)
    if not match:
        return None
    try:
        return len(base64.b64decode(match.group(1), validate=False))
    except ValueError:
        return None


def run_checks(session: Session, item: Item) -> CheckResult:
    result = CheckResult()
    text = text_of(item.body_html)
    chosen = known_targets(item.channels)
    mp = ChannelTarget(ChannelKind.mp) in chosen

    # required fields
    if not item.title.strip():
        result.error("title_required", "标题不能为空", "title")
    if not text and not images_of(item.body_html):
        result.error("body_required", "正文不能为空", "body_html")
    if item.topic_id is None:
        result.error("topic_required", "请选择门户栏目（主题分类）", "topic")
    if not item.channels:
        result.error("channels_required", "请至少选择一个发布渠道", "channels")
    if item.origin == "repost" and not item.source_url:
        result.error("source_required", "转载稿件必须填写来源链接", "source_url")
    if any(t.kind == ChannelKind.wecom_group for t in chosen):
        from content.robot_groups import check_item_groups

        for name in check_item_groups(session, org_id=item.org_id, channels=item.channels):
            result.error("group_missing", f"所选网格群“{name}”不存在或已停用", "channels")
    if item.area_id is None:
        result.warn("area_missing", "未选择基层政务公开标准目录领域，年报分领域统计将计入“未分类”", "area")

    # WeChat limits (the portal takes the same title and digest)
    if len(item.title) > TITLE_MAX:
        result.error("title_too_long", f"标题不能超过 {TITLE_MAX} 个字（当前 {len(item.title)} 个）", "title")
    if len(item.digest or "") > DIGEST_MAX:
        result.error("digest_too_long", f"摘要不能超过 {DIGEST_MAX} 个字（当前 {len(item.digest)} 个）", "digest")
    # Inline images are uploaded first and replaced by short WeChat URLs, so they do not count here.
    body_len = len(_DATA_URI.sub("https://mmbiz.qpic.cn/mmbiz_png/x/0", item.body_html or ""))
    if mp and body_len >= BODY_MAX:
        result.error("body_too_long", f"公众号正文须少于 {BODY_MAX} 个字符（当前 {body_len} 个）", "body_html")
    if mp and not item.cover_image:
        fallback = "正文第一张图片" if images_of(item.body_html) else "系统默认封面"
        result.warn("cover_missing", f"公众号图文未设置封面图，将使用{fallback}", "cover_image")

    covers = [{"src": item.cover_image, "alt": "封面"}] if item.cover_image else []
    body_images = images_of(item.body_html)
    for img in covers + body_images:
        src = img["src"]
        if not img["alt"]:
            # Named by position, never by URL: a /files/<sha256> URL is one unbreakable word
            # (it widened phone pages) and shows a content hash to every reader.
            n = next(i for i, b in enumerate(body_images, 1) if b is img)
            result.warn("alt_missing", f"正文第 {n} 张图片缺少替代文字（请在编辑器中为图片填写说明）", "body_html")
        if mp and sha_of_url(src):
            _check_stored_image(session, item.org_id, src, result)
        elif mp:
            size = _data_uri_bytes(src)
            is_data = src.startswith("data:")
            kind_ok = (
                src.startswith(("data:image/jpeg", "data:image/png")) if is_data
                else urlparse(src).path.lower().endswith(MP_IMAGE_TYPES)
            )  # fmt: skip
            if not kind_ok:
                result.error("image_type", f"公众号图片只支持 jpg/png：{src[:60]}", "body_html")
            if size is not None and size >= MP_IMAGE_MAX_BYTES:
                result.error("image_too_large", f"公众号图片须小于 1 MB（当前 {size // 1024} KB）", "body_html")

    for _attr, url in urls_of(item.body_html):
        if url.lower().startswith("file:"):
            result.error("file_link", f"正文含本地文件链接，外网无法访问：{url[:80]}", "body_html")
        elif url.lower().startswith(("http:", "https:")) and is_intranet(url):
            result.error("intranet_link", f"正文含内网链接，外网无法访问：{url[:80]}", "body_html")

    _word_rules(session, item, " ".join([item.title, item.digest or "", text]), result)
    return result


def _check_stored_image(session: Session, org_id: int, src: str, result: CheckResult) -> None:
    """An image from the file store: known to the org, jpg/png; a large one is shrunk by the mp channel."""
    row = find_file(session, org_id=org_id, sha256=sha_of_url(src) or "")
    if row is None:
        result.error("image_missing", "图片文件不存在，请重新上传", "body_html")
    elif row.mime_type not in ("image/jpeg", "image/png"):
        result.error("image_type", f"公众号图片只支持 jpg/png：{row.original_name}", "body_html")
    elif row.size >= MP_IMAGE_MAX_BYTES:
        result.warn("image_will_shrink", f"图片 {row.original_name}（{row.size // 1024} KB）超过公众号 1 MB 限制，"
                                          "发布到公众号时将自动压缩", "body_html")


def _word_rules(session: Session, item: Item, haystack: str, result: CheckResult) -> None:
    rules = session.exec(select(WordRule).where(WordRule.org_id == item.org_id)).all()
    for rule in rules:
        if rule.word and rule.word in haystack:
            if rule.kind == "wording":
                message = f"规范表述：“{rule.word}”建议改为“{rule.suggestion}”" if rule.suggestion \
                    else f"规范表述：请核实“{rule.word}”的用法"
            else:
                message = f"含敏感词“{rule.word}”"
            if rule.severity == "error":
                result.error("sensitive_word" if rule.kind != "wording" else "wording", message, "body_html")
            else:
                result.warn("sensitive_word" if rule.kind != "wording" else "wording", message, "body_html")
            if rule.flags_sensitive:
                result.flags_sensitive = True
