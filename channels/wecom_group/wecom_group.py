"""The WeCom group robot channel (群机器人): one publication row per chosen group, target = robot id.

The post is a news card (or markdown text) linking to the item's portal page, official-account
article, or gongkai's own public page (`channels.links`). It waits for the portal or
official-account URL when those posts are still on their way.

Rate limit: 20 messages a minute per robot. A slot is taken in the database before the HTTP call;
with the window full the row is queued until a slot frees (TransientError with `retry_after`), so
nothing is dropped. A 45009 answer (limit hit anyway, e.g. messages sent by people's own scripts)
queues it for a minute. A 93000 answer (key revoked, robot removed) marks the robot invalid, tells
the admins, and fails the row with a message shown on the item; the other groups are unaffected
because each group is its own row.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

import httpx
from sqlalchemy.engine import Engine

from channels.base import (
    PermanentError,
    PublishJob,
    RemoteState,
    RemoteStatus,
    SendResult,
    TransientError,
)
from channels.links import item_link
from channels.wecom_group import messages, ratelimit
from channels.wecom_group.alerts import notify_admins
from channels.wecom_group.robots import mark_invalid, mask_url
from content.db.db import session_scope
from content.files.outbound import absolute_url
from content.labels import CHANNEL_LABELS, wechat_error_text
from content.models import Department, Item, Organization
from content.models.channel_targets import RobotGroup, RobotStatus
from content.models.notification import NotificationKind
from content.timeutil import utcnow

log = logging.getLogger("gongkai.scheduler.wecom_group")

ERR_FREQ = 45009
ERR_INVALID_KEY = 93000
LINK_WAIT_SECONDS = 30.0


class WecomGroupChannel:
    name = "wecom_group"
    label = CHANNEL_LABELS["wecom_group"]
    needs_confirmation = False

    def __init__(
        self,
        engine: Engine,
        *,
        public_url: str,
        clock: Callable[[], datetime] = utcnow,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.engine, self.public_url, self.clock = engine, public_url, clock
        self._client = httpx.Client(timeout=timeout, transport=transport)
        self._locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def _lock(self, robot_id: int) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(robot_id, threading.Lock())

    # ---- protocol ---------------------------------------------------------------------------
    def send(self, job: PublishJob) -> SendResult:
        robot = self._robot(job)
        with session_scope(self.engine) as s:
            link = item_link(s, item_id=job.item_id, public_url=self.public_url)
            issuer = _issuer(s, job.item_id)
        if link is None:
            raise TransientError(
                "等待门户网站或公众号发布完成后再推送到群",
                code="waiting_for_link",
                retry_after=LINK_WAIT_SECONDS,
            )
        if robot.msg_type == "markdown":
            payload = messages.markdown_message(job.content, link=link, issuer=issuer)
        else:
            payload = messages.news_message(
                job.content, link=link, issuer=issuer,
                picurl=absolute_url(job.content.get("cover_image"), self.public_url),  # WeCom fetches it
            )
        self._post(robot, payload, publication_id=job.publication_id)
        return SendResult(remote_id=f"robot:{robot.id}", remote_url=link, confirmed=True)

    def reconcile(self, job: PublishJob) -> RemoteState:
        # A robot cannot be asked what it received; resending may repeat a message, which is
        # better for a notice than silently losing it.
        return RemoteState(RemoteStatus.absent)

    def check(self, job: PublishJob) -> RemoteState:
        return RemoteState(RemoteStatus.published, remote_id=job.remote_id)

    def withdraw(self, job: PublishJob, reason: str) -> None:
        """A robot message cannot be deleted: the group is told the item was withdrawn instead."""
        try:
            robot = self._robot(job)
        except PermanentError:
            return  # the group is gone: nothing left to tell
        if robot.status == RobotStatus.invalid:
            return
        payload = messages.withdrawal_message(job.content.get("title") or "", reason=reason)
        self._post(robot, payload, publication_id=job.publication_id)

    # ---- helpers ----------------------------------------------------------------------------
    def _robot(self, job: PublishJob) -> RobotGroup:
        robot_id = int(job.target) if job.target.isdigit() else None
        with session_scope(self.engine) as s:
            robot = s.get(RobotGroup, robot_id) if robot_id else None
            if robot is None or robot.org_id != job.org_id or not robot.active:
                name = f"「{robot.name}」" if robot else f"#{job.target or '?'}"
                raise PermanentError(
                    f"群{name}已不存在或已被删除，本群未推送；其他群不受影响", code="group_missing"
                )
            if robot.status == RobotStatus.invalid:
                raise PermanentError(_invalid_message(robot.name), code="robot_invalid")
            s.expunge(robot)
        return robot

    def _post(self, robot: RobotGroup, payload: dict, *, publication_id: int) -> None:
        with self._lock(robot.id):
            with session_scope(self.engine) as s:
                wait = ratelimit.take_slot(s, robot, now=self.clock(), publication_id=publication_id)
            if wait is not None:
                raise TransientError(
                    f"群「{robot.name}」本分钟已发送 {ratelimit.LIMIT} 条，排队等待",
                    code="rate_limited",
                    retry_after=wait,
                )
            try:
                answer = self._client.post(robot.webhook_url, json=payload).json()
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("robot %s (%s): %s", robot.id, mask_url(robot.webhook_url), type(exc).__name__)
                raise TransientError(f"连接企业微信群机器人失败（{type(exc).__name__}），稍后重试") from None
        errcode = answer.get("errcode")
        if errcode == 0:
            return
        if errcode == ERR_FREQ:
            raise TransientError(
                f"群「{robot.name}」发送过于频繁（45009），一分钟后重试",
                code="rate_limited",
                retry_after=60.0,
            )
        if errcode == ERR_INVALID_KEY:
            self._invalidate(robot, publication_id)
            raise PermanentError(_invalid_message(robot.name), code="robot_invalid")
        log.info("robot %s refused: %s %s", robot.id, errcode, answer.get("errmsg", ""))
        raise PermanentError(f"企业微信群机器人返回错误：{wechat_error_text(errcode)}", code="robot_error")

    def _invalidate(self, robot: RobotGroup, publication_id: int) -> None:
        with session_scope(self.engine) as s:
            row = s.get(RobotGroup, robot.id)
            first = row.status != RobotStatus.invalid
            mark_invalid(s, row, "企业微信返回 93000：Webhook 地址无效或机器人已被移出群聊")
            if first:
                notify_admins(
                    s,
                    org_id=row.org_id,
                    kind=NotificationKind.CHANNEL_ROBOT_INVALID,
                    robot_id=row.id,
                    robot_name=row.name,
                    publication_id=publication_id,
                    reason=_invalid_message(row.name),
                )


def _invalid_message(name: str) -> str:
    return f"群「{name}」的机器人 Webhook 地址已失效（企业微信错误码 93000），请管理员在“发布渠道设置”中更换地址后重试"


def _issuer(session, item_id: int) -> str:
    item = session.get(Item, item_id)
    org = session.get(Organization, item.org_id) if item else None
    dept = session.get(Department, item.department_id) if item else None
    return f"{org.name if org else ''}{dept.name if dept else ''}"
