"""The government portal channel: one HTTP POST per item, made safe to repeat.

Every request carries the publication's `Idempotency-Key`. 5xx answers and timeouts are retried
with exponential backoff; a timeout or a dropped connection *after* the request left may mean the
portal stored the post, so before any retry the portal is asked for the key (reconciliation).
A 4xx answer is a permanent failure (bad column code, rejected token…) reported to the drafter.

The portal answers a known key with the post it stored for it. A post whose title or content hash is
not ours (another installation, or a restored database, used the key) is an error, never a
confirmation: its URL would point readers at someone else's article.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx

from channels.base import (
    PermanentError,
    PublishJob,
    RemoteState,
    RemoteStatus,
    SendResult,
    TransientError,
    UnknownOutcome,
)
from content.files.outbound import outbound_content
from content.labels import CHANNEL_LABELS

log = logging.getLogger("gongkai.scheduler.portal")

# The request may have reached the portal: ask before sending again.
_AMBIGUOUS = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError)


class PortalChannel:
    name = "portal"
    label = CHANNEL_LABELS["portal"]
    needs_confirmation = False

    def __init__(
        self,
        base_url: str,
        token: str = "",
        *,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
        public_url: str = "",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.public_url = public_url  # our files' URLs go out absolute under it (content.files.outbound)
        self.attempts = max(1, attempts)
        self.backoff, self.max_backoff, self._sleep = backoff, max_backoff, sleep
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout, headers=headers)

    def close(self) -> None:
        self._client.close()

    def _pause(self, attempt: int) -> None:
        self._sleep(min(self.max_backoff, self.backoff * (2**attempt)))

    def _payload(self, job: PublishJob) -> dict:
        """The post, derived from the approved revision: our `/files/` URLs made absolute, nothing else
        changed, and the revision's own hash sent along (see content.files.outbound)."""
        c = outbound_content(job.content, self.public_url)
        return {
            "title": c.get("title") or "",
            "digest": c.get("digest") or "",
            "author": c.get("author") or "",
            "body_html": c.get("body_html") or "",
            "column": job.portal_code,
            "attachments": c.get("attachments") or [],
            "cover_image": c.get("cover_image"),
            "source_url": c.get("source_url"),
            "origin": c.get("origin"),
            "disclosure_type": c.get("disclosure_type"),
            "content_hash": job.content_hash,
        }

    @staticmethod
    def _mismatch(job: PublishJob, post: dict) -> str | None:
        """A Chinese reason when the portal's post for our key is not this revision, else None."""
        title = str(job.content.get("title") or "")
        theirs = post.get("content_hash")
        if str(post.get("title") or "") != title or (theirs and job.content_hash and theirs != job.content_hash):
            return (f"门户返回的稿件与本稿不一致（门户稿件 #{post.get('id')}「{str(post.get('title') or '')[:40]}」），"
                    "未记为已发布，请管理员核实幂等键与门户数据")
        return None

    def send(self, job: PublishJob) -> SendResult:
        if not job.portal_code:
            raise PermanentError(
                f"栏目「{job.topic_name or '未选择'}」没有设置门户栏目代码，请管理员在分类设置中补充后重试",
                code="portal_column_missing",
            )
        payload = self._payload(job)
        headers = {"Idempotency-Key": job.idempotency_key}
        last = "门户网站暂时无法访问"
        for attempt in range(self.attempts):
            if attempt:
                self._pause(attempt - 1)
            try:
                resp = self._client.post("/api/v1/posts", json=payload, headers=headers)
            except _AMBIGUOUS as exc:
                found = self.reconcile(job)  # raises UnknownOutcome when the portal cannot answer
                if found.status is RemoteStatus.published:
                    log.info("portal post for %s found after %s", job.idempotency_key, type(exc).__name__)
                    return SendResult(found.remote_id, found.remote_url)
                last = "门户网站响应超时"
                continue
            except httpx.TransportError:  # connect errors: the request never left
                last = "无法连接门户网站"
                continue
            if resp.status_code >= 500 or resp.status_code == 429:
                last = f"门户网站返回错误 {resp.status_code}"
                continue
            if resp.status_code >= 400:
                raise PermanentError(
                    f"门户网站拒绝了稿件（{resp.status_code}）：{_message(resp)}",
                    code=f"portal_{resp.status_code}",
                )
            data = resp.json()
            problem = self._mismatch(job, data)
            if problem:
                raise PermanentError(problem, code="portal_mismatch")
            return SendResult(str(data["id"]), data.get("url"))
        raise TransientError(f"{last}，已重试 {self.attempts} 次，稍后再试", code="portal_unavailable")

    def reconcile(self, job: PublishJob) -> RemoteState:
        try:
            resp = self._client.get("/api/v1/posts", params={"idempotency_key": job.idempotency_key})
            resp.raise_for_status()
            posts = resp.json().get("posts") or []
        except (httpx.HTTPError, ValueError) as exc:
            raise UnknownOutcome(
                f"无法向门户网站核实稿件状态：{type(exc).__name__}", code="portal_lookup"
            ) from exc
        if not posts:
            return RemoteState(RemoteStatus.absent)
        post = posts[0]
        problem = self._mismatch(job, post)
        if problem:
            return RemoteState(RemoteStatus.failed, reason=problem)
        return RemoteState(RemoteStatus.published, str(post["id"]), post.get("url"))

    def check(self, job: PublishJob) -> RemoteState:
        return self.reconcile(job)

    def withdraw(self, job: PublishJob, reason: str) -> None:
        remote_id = job.remote_id
        if not remote_id:
            found = self.reconcile(job)
            if found.status is not RemoteStatus.published:
                return  # never reached the portal
            remote_id = found.remote_id
        last = ""
        for attempt in range(self.attempts):
            if attempt:
                self._pause(attempt - 1)
            try:
                resp = self._client.delete(f"/api/v1/posts/{remote_id}", headers={"X-Reason": _ascii(reason)})
            except httpx.TransportError as exc:
                last = type(exc).__name__
                continue
            if resp.status_code in (200, 202, 204, 404):
                return
            if resp.status_code >= 500 or resp.status_code == 429:
                last = str(resp.status_code)
                continue
            raise PermanentError(
                f"门户网站拒绝撤稿（{resp.status_code}）：{_message(resp)}", code=f"portal_{resp.status_code}"
            )
        raise TransientError(f"门户网站撤稿失败（{last}），稍后重试", code="portal_unavailable")


def _message(resp: httpx.Response) -> str:
    try:
        return str(resp.json().get("message") or "")[:200]
    except ValueError:
        return resp.text[:200]


def _ascii(text: str) -> str:
    """HTTP headers are latin-1; send the reason percent-encoded."""
    from urllib.parse import quote

    return quote(text[:200])
