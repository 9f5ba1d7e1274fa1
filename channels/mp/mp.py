"""The official-account channel (公众号): inline images, cover, draft, publish, confirmation.

Steps, each recorded in `Publication.progress` before the next one starts, so a restart resumes:

1. `images`   — every inline `<img>` uploaded with `media/uploadimg`; the body's URLs are rewritten;
2. `thumb`    — the cover uploaded as a permanent `thumb` material (`material/add_material`);
3. `draft`    — `draft/add` with the rewritten body → draft media_id;
4. `submit`   — marked *before* `freepublish/submit` is called, then its publish_id is stored.

Mass-send mode (群发, `GONGKAI_MP_MASS_SEND=true`) replaces step 4 by `message/mass/sendall` within the
account's quota: see `channels.mp.mp_mass`.

A submit that was attempted but left no publish_id (the process died mid-call) cannot be
re-submitted blindly — that might publish twice. Reconciliation looks for the article in the
account's publish records (`freepublish/batchget`), matching the title and the cover material this
publication uploaded (a media_id no other post has); found, the row is confirmed with its URL. Not
found, the row fails with a reason, and the admin decides on the publications page: 确认已发布, or
重新发送 — which looks in the records once more before it submits again. A resent row first asks about every publish_id it had (`channels.mp.mp_resend`).
Confirmation comes from the `PUBLISHJOBFINISH` event (see `scheduler.mp_events`) or from
polling `freepublish/get` in `check()`. Token errors are refreshed and retried once by the bot's
client; 45009 (daily quota) is retried later; everything else from WeChat is permanent.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import requests
from wechatpy.exceptions import WeChatClientException

from bot.wechat import api
from bot.wechat.clients import TOKEN_ERRORS, MpClient
from channels.base import (
    PermanentError,
    PublishJob,
    RemoteState,
    RemoteStatus,
    SendResult,
    TransientError,
    UnknownOutcome,
)
from channels.mp import mp_mass, mp_resend
from channels.mp.mp_images import ImageUnfit, fit_for_wechat
from channels.mp.mp_status import status_reason
from channels.safe_fetch import FetchRefused, safe_get
from content.files import FileUnreadable, sha_of_url
from content.labels import CHANNEL_LABELS, wechat_error_text
from content.publications import RESEND_FLAG

DEFAULT_COVER = Path(__file__).with_name("default_cover.png")

log = logging.getLogger("gongkai.scheduler.mp")
IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE)
QUOTA = 45009
BUSY = {-1, 45011}
GONE = {53600, 53601}  # invalid publish_id / article_id: nothing (left) to delete
RECORDS_SEARCHED = 400  # newest publish records looked through for an article whose publish_id was lost
NOT_IN_RECORDS = ("公众号发布请求已发出但没有收到结果，公众号发布记录中也没有找到本稿。请在公众号后台核实："
                  "已发布请点「确认已发布」并填写文章地址，没有发布请点「重新发送」")

ImageLoader = Callable[[str], tuple[str, bytes]]
FileReader = Callable[[int, str], tuple[str, bytes]]  # (org_id, sha256) → (name, verified bytes)
WECHAT_IMAGE_MAX = 1024 * 1024  # media/uploadimg: jpg/png under 1 MB


class MpChannel:
    name = "mp"
    label = CHANNEL_LABELS["mp"]
    needs_confirmation = True

    def __init__(
        self,
        client: MpClient,
        *,
        public_url: str = "",
        image_loader: ImageLoader | None = None,
        file_reader: FileReader | None = None,
        quota_retry_seconds: float = 3600.0,
        mass: mp_mass.MassSendConfig | None = None,
    ) -> None:
        self.client = client
        self.mass = mass  # set: 群发 mode (channels/mp/mp_mass.py)
        self.public_url = public_url
        self.load_image = image_loader or self._fetch_image
        self.read_file = file_reader  # our own /files/<sha256> images: read from the store, never over HTTP
        self.quota_retry_seconds = quota_retry_seconds

    def close(self) -> None:
        pass

    # ---- sending -----------------------------------------------------------------------------------
    def send(self, job: PublishJob) -> SendResult:
        if mp_mass.wants_mass(self, job):
            return mp_mass.send(self, job)
        return self.send_free(job)

    def send_free(self, job: PublishJob) -> SendResult:
        """Steps 1–4 of the module docstring (free publication, 发布)."""
        earlier = mp_resend.earlier_outcome(self, job)  # a resent row: never publish twice
        if earlier is not None:
            return earlier
        if job.progress.get("submit_attempted"):
            found = self.find_published(job)
            if found is not None:
                return SendResult(found.remote_id, found.remote_url, confirmed=True)
            if not job.progress.get(RESEND_FLAG):
                raise UnknownOutcome("公众号发布请求已发出但未收到结果", code="mp_submit_unknown")
            job.progress.pop(RESEND_FLAG)  # a person checked: not published, send again (once)
            job.step_done("submit_attempted", False)
        self.prepare_draft(job)
        job.step_done("submit_attempted", True)
        try:
            publish_id = api.freepublish_submit(self.client, job.progress["draft"])
        except WeChatClientException as exc:  # WeChat answered: nothing was submitted
            job.step_done("submit_attempted", False)
            raise self._translate(exc, "提交发布") from exc
        except requests.RequestException as exc:
            raise UnknownOutcome(
                f"提交发布时网络中断（{type(exc).__name__}）", code="mp_submit_unknown"
            ) from exc
        job.step_done("publish_id", publish_id)
        return SendResult(publish_id, confirmed=False)

    def prepare_draft(self, job: PublishJob) -> str:
        """Steps 1–3 (inline images, cover, draft/add), each stored; the draft's media_id."""
        with self._errors("上传图片"):
            body = self._upload_inline_images(job)
            thumb = job.progress.get("thumb") or self._upload_cover(job)
        if not job.progress.get("draft"):
            with self._errors("保存草稿"):
                draft = api.draft_add(self.client, [self._article(job, body, thumb)])
            job.step_done("draft", draft)
        return job.progress["draft"]

    def _upload_inline_images(self, job: PublishJob) -> str:
        html = job.content.get("body_html") or ""
        uploaded: dict[str, str] = dict(job.progress.get("images") or {})
        for src in dict.fromkeys(m.group(3) for m in IMG_SRC.finditer(html)):
            if src in uploaded or "mmbiz.qpic.cn" in src:
                continue
            name, data = self._load(src, job.org_id)
            uploaded[src] = api.upload_image(self.client, name, data)
            job.step_done("images", dict(uploaded))
        return IMG_SRC.sub(
            lambda m: f"{m.group(1)}{m.group(2)}{uploaded.get(m.group(3), m.group(3))}{m.group(2)}", html
        )

    def _upload_cover(self, job: PublishJob) -> str:
        src = job.content.get("cover_image")
        if not src:
            first = IMG_SRC.search(job.content.get("body_html") or "")
            src = first.group(3) if first else None
        if src:
            name, data = self._load(src, job.org_id)
        else:  # the checks warned the reviewers: no cover and no picture in the body → the default cover
            name, data = "default_cover.png", DEFAULT_COVER.read_bytes()
        media_id, _url = api.add_thumb(self.client, name, data)
        job.step_done("thumb", media_id)
        return media_id

    def _article(self, job: PublishJob, body: str, thumb: str) -> dict:
        c = job.content
        return {
            "title": c.get("title") or "",
            "author": c.get("author") or "",
            "digest": c.get("digest") or "",
            "content": body,
            "content_source_url": c.get("source_url") or "",
            "thumb_media_id": thumb,
            "need_open_comment": 0,
            "only_fans_can_comment": 0,
        }

    def _load(self, src: str, org_id: int) -> tuple[str, bytes]:
        """An image's name and bytes, fit for WeChat (jpg/png under 1 MB; larger ones are shrunk)."""
        sha = sha_of_url(src, self.public_url)
        try:
            if sha and self.read_file is not None:
                name, data = self.read_file(org_id, sha)
            else:
                name, data = self.load_image(src)
        except FileUnreadable as exc:
            raise PermanentError(f"图片无法发布：{exc.message}", code=exc.code) from exc
        except FetchRefused as exc:
            raise PermanentError(f"图片地址不安全或不可用：{exc}（{src[:80]}）", code="mp_image_refused") from exc
        except (httpx.HTTPError, OSError, ValueError) as exc:
            raise TransientError(f"无法读取图片 {src[:80]}（{type(exc).__name__}）", code="mp_image") from exc
        try:
            return fit_for_wechat(name, data, WECHAT_IMAGE_MAX)
        except ImageUnfit as exc:
            raise PermanentError(f"图片 {name} 无法用于公众号：{exc}", code="mp_image_unfit") from exc

    def _fetch_image(self, src: str) -> tuple[str, bytes]:
        """Images of content: legacy data: URIs, else a public http/https URL through the guarded fetcher."""
        if src.startswith("data:"):
            header, _, payload = src.partition(",")
            ext = header.split("/")[1].split(";")[0] if "/" in header else "png"
            return f"image.{ext}", base64.b64decode(payload)
        if sha_of_url(src, self.public_url):
            raise FetchRefused("本系统的文件须从文件存储读取")
        url, _kind, data = safe_get(src, max_bytes=20 * 1024 * 1024)
        return url.split("?", 1)[0].rsplit("/", 1)[-1] or "image.jpg", data

    # ---- errors ------------------------------------------------------------------------------------
    def _translate(self, exc: WeChatClientException, step: str):
        code, msg = exc.errcode, exc.errmsg
        if code == QUOTA:
            return TransientError(f"公众号{step}暂时失败：{wechat_error_text(code)}，稍后重试", code="mp_quota",
                                  retry_after=self.quota_retry_seconds)  # fmt: skip
        if code in BUSY or code in TOKEN_ERRORS:
            return TransientError(f"公众号{step}暂时失败：{wechat_error_text(code)}，稍后重试", code=f"mp_{code}")
        log.info("official account %s refused: %s %s", step, code, msg)  # WeChat's own words, for operators
        return PermanentError(f"公众号{step}失败：{wechat_error_text(code)}", code=f"mp_{code}")

    class _ErrorScope:
        def __init__(self, channel: MpChannel, step: str) -> None:
            self.channel, self.step = channel, step

        def __enter__(self) -> None:
            return None

        def __exit__(self, exc_type, exc, tb) -> bool:
            if isinstance(exc, WeChatClientException):
                raise self.channel._translate(exc, self.step) from exc
            if isinstance(exc, requests.RequestException):  # uploads and drafts are safe to repeat
                raise TransientError(
                    f"公众号{self.step}时网络错误（{type(exc).__name__}）", code="mp_network"
                ) from exc
            return False

    def _errors(self, step: str) -> _ErrorScope:
        return MpChannel._ErrorScope(self, step)

    # ---- confirmation, reconciliation, withdrawal --------------------------------------------------
    def _status(self, publish_id: str) -> RemoteState:
        try:
            out = api.freepublish_get(self.client, publish_id)
        except WeChatClientException as exc:
            if exc.errcode in GONE:
                return RemoteState(RemoteStatus.failed, reason=f"公众号找不到发布任务 {publish_id}")
            raise UnknownOutcome(f"查询公众号发布状态失败：{wechat_error_text(exc.errcode)}", code="mp_lookup") from exc
        except requests.RequestException as exc:
            raise UnknownOutcome(f"查询公众号发布状态失败：{type(exc).__name__}", code="mp_lookup") from exc
        status = int(out.get("publish_status", -1))
        if status == 0:
            items = (out.get("article_detail") or {}).get("item") or []
            url = items[0].get("article_url") if items else None
            return RemoteState(RemoteStatus.published, str(out.get("article_id") or ""), url)
        if status == 1:
            return RemoteState(RemoteStatus.in_flight, publish_id)
        return RemoteState(RemoteStatus.failed, reason=status_reason(status, out.get("fail_idx")))

    def reconcile(self, job: PublishJob) -> RemoteState:
        if mp_mass.is_mass(job):
            return mp_mass.reconcile(self, job)
        publish_id = job.progress.get("publish_id")
        if publish_id:
            return self._status(publish_id)
        if job.progress.get("submit_attempted"):
            found = self.find_published(job)
            if found is not None:
                return found
            return RemoteState(RemoteStatus.failed, reason=NOT_IN_RECORDS)
        return RemoteState(RemoteStatus.absent)

    def find_published(self, job: PublishJob) -> RemoteState | None:
        """This publication's article in the publish records (newest first), or None.

        Matched by title and by the cover material uploaded for this publication (`progress["thumb"]`):
        another post with the same title has another cover media_id. Raises UnknownOutcome when WeChat
        cannot answer, so nothing is decided on a failed lookup.
        """
        title, thumb = job.content.get("title") or "", job.progress.get("thumb")
        offset = 0
        while offset < RECORDS_SEARCHED:
            try:
                page = api.freepublish_batchget(self.client, offset=offset, count=20)
            except WeChatClientException as exc:
                raise UnknownOutcome(f"查询公众号发布记录失败：{wechat_error_text(exc.errcode)}", code="mp_lookup") from exc
            except requests.RequestException as exc:
                raise UnknownOutcome(f"查询公众号发布记录失败：{type(exc).__name__}", code="mp_lookup") from exc
            entries = page.get("item") or []
            for entry in entries:
                for news in (entry.get("content") or {}).get("news_item") or []:
                    if news.get("title") == title and news.get("thumb_media_id") == thumb and not news.get("is_deleted"):
                        return RemoteState(RemoteStatus.published, str(entry.get("article_id") or ""), news.get("url"))
            offset += len(entries)
            if not entries or offset >= int(page.get("total_count") or 0):
                return None
        return None

    def resend_refusal(self, job: PublishJob) -> str | None:
        """Why a person may not resend this failed row now (an earlier submit still publishing), or None."""
        return mp_resend.refusal(self, job)

    def check(self, job: PublishJob) -> RemoteState:
        return self.reconcile(job)

    def withdraw(self, job: PublishJob, reason: str) -> None:
        if mp_mass.is_mass(job):
            return mp_mass.withdraw(self, job, reason)
        article_id = (job.progress.get("publish") or {}).get("article_id")
        if not article_id and job.progress.get("publish_id"):
            found = self._status(job.progress["publish_id"])
            article_id = found.remote_id if found.status is RemoteStatus.published else None
        if not article_id and job.remote_id and job.remote_id != job.progress.get("publish_id"):
            article_id = job.remote_id
        if not article_id:
            return  # nothing public on the official account
        try:
            api.freepublish_delete(self.client, article_id, 0)
        except WeChatClientException as exc:
            if exc.errcode in GONE:
                return
            raise self._translate(exc, "撤稿") from exc
        except requests.RequestException as exc:
            raise TransientError(f"公众号撤稿时网络错误（{type(exc).__name__}）", code="mp_network") from exc
