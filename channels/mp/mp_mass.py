"""Mass-send mode (群发) of the official-account channel, switched on per account.

`GONGKAI_MP_MASS_SEND=true` makes `MpChannel` publish through `message/mass/sendall` (msgtype `mpnews`
with the media_id of the draft, to every follower) instead of `freepublish/submit`: a mass send is
pushed into followers' chats, a free publication only appears on the account's page. The first three
steps are the channel's own (inline images, cover, `draft/add`, each stored); then:

4. `mass_slot`      — a slot of the quota period taken in the database (`channels.mp.mass_quota`) before
                      anything is uploaded. No free slot: the row stays pending, `next_attempt_at` at the
                      start of the next period (the attempt is given back), nothing is uploaded.
5. `mass_attempted` — marked before `message/mass/sendall`; its `msg_id` is stored as `mass_msg_id`
                      and the publication's remote id becomes `mass:<msg_id>`.

45028 (no mass-send quota left) from WeChat blocks the rest of the period and waits like a full quota.
Any other refusal gives the slot back. A sendall that was attempted but left no msg_id cannot be
repeated blindly (followers would get it twice): reconciliation reports it for a person to check.

Confirmation: the `MASSSENDJOBFINISH` event (stored by the bot as a publish event with publish id
`mass:<msg_id>`, applied by `scheduler.mp_events` like PUBLISHJOBFINISH) or polling `message/mass/get`.
Withdrawal uses `message/mass/delete` (it removes the article page; messages already delivered stay).

A row keeps the mode it started in: switching the setting never re-sends a row the other way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests
from sqlalchemy.engine import Engine
from wechatpy.exceptions import WeChatClientException

from channels.base import (
    PermanentError,
    PublishJob,
    RemoteState,
    RemoteStatus,
    SendResult,
    TransientError,
    UnknownOutcome,
)
from channels.mp import mass_quota
from channels.mp.mass_quota import PERIOD_LABELS, Quota
from content.labels import wechat_error_text
from content.timeutil import fmt_local, utcnow

if TYPE_CHECKING:
    from channels.mp.mp import MpChannel
    from content.settings import Settings

log = logging.getLogger("gongkai.scheduler.mp")
PREFIX = "mass:"
NO_QUOTA = 45028
GONE = {40007, 53600, 53601}
MASS_KEYS = ("mass_attempted", "mass_msg_id")
STATUS_REASONS = {"SEND_FAIL": "公众号群发失败", "DELETE": "公众号群发消息已被删除"}


@dataclass(frozen=True)
class MassSendConfig:
    engine: Engine
    quota: Quota


def mass_config(settings: Settings, engine: Engine) -> MassSendConfig | None:
    """The mass-send configuration of the account, or None when mass sending is off."""
    if not settings.mp_mass_send:
        return None
    period = settings.mp_mass_period
    if period not in mass_quota.PERIODS:
        log.warning("GONGKAI_MP_MASS_PERIOD=%r is neither day nor month; counting per day", period)
        period = "day"
    account = f"mp:{settings.mp_app_id or 'sandbox'}"
    return MassSendConfig(engine, Quota(account, max(0, settings.mp_mass_quota), period))


def is_mass(job: PublishJob) -> bool:
    """This row was (or is being) mass-sent."""
    return any(job.progress.get(k) for k in MASS_KEYS) or (job.remote_id or "").startswith(PREFIX)


def wants_mass(channel: MpChannel, job: PublishJob) -> bool:
    if is_mass(job):
        return True
    if job.progress.get("publish_id") or job.progress.get("submit_attempted"):
        return False  # started as a free publication: finish it that way
    return channel.mass is not None


def _msg_id(job: PublishJob) -> str | None:
    if job.progress.get("mass_msg_id"):
        return str(job.progress["mass_msg_id"])
    remote = job.remote_id or ""
    return remote[len(PREFIX):] if remote.startswith(PREFIX) else None


def _wait_for_next_period(cfg: MassSendConfig, job: PublishJob, why: str) -> TransientError:
    _, next_start = cfg.quota.window(utcnow())
    mass_quota.refund_attempt(cfg.engine, job.publication_id)
    delay = max(1.0, (next_start - utcnow()).total_seconds())
    return TransientError(f"{why}，将于 {fmt_local(next_start)} 后自动群发", code="mp_mass_quota",
                          retry_after=delay)


def _slot(cfg: MassSendConfig, job: PublishJob) -> dict:
    """The quota slot of the current period (a slot from an earlier period is given back first)."""
    key, _ = cfg.quota.window(utcnow())
    held = job.progress.get("mass_slot")
    if held and held.get("period") == key:
        return held
    if held:
        mass_quota.release(cfg.engine, cfg.quota, held["period"], held["slot"])
    taken = mass_quota.reserve(cfg.engine, cfg.quota, publication_id=job.publication_id, org_id=job.org_id)
    if taken is None:
        label = PERIOD_LABELS[cfg.quota.period]
        raise _wait_for_next_period(cfg, job, f"公众号{label}群发次数（{cfg.quota.limit} 次）已用完")
    slot = {"period": taken[0], "slot": taken[1]}
    job.step_done("mass_slot", slot)
    return slot


def send(channel: MpChannel, job: PublishJob) -> SendResult:
    msg_id = _msg_id(job)
    if msg_id:
        earlier = _earlier_send(channel, job, msg_id)
        if earlier is not None:
            return earlier
    if job.progress.get("mass_attempted"):
        raise UnknownOutcome("公众号群发请求已发出但未收到结果", code="mp_mass_unknown")
    cfg = channel.mass
    if cfg is None:  # mass mode was switched off after this row took a slot: publish it freely
        return channel.send_free(job)
    slot = _slot(cfg, job)
    try:
        media_id = channel.prepare_draft(job)
    except PermanentError:  # WeChat refused the article itself: the slot was never used
        mass_quota.release(cfg.engine, cfg.quota, slot["period"], slot["slot"])
        raise
    job.step_done("mass_attempted", True)
    try:
        out = channel.client.post("message/mass/sendall", data={
            "filter": {"is_to_all": True}, "mpnews": {"media_id": media_id}, "msgtype": "mpnews",
            "send_ignore_reprint": 0})
    except WeChatClientException as exc:  # WeChat answered: nothing was sent
        job.progress.pop("mass_slot", None)
        job.step_done("mass_attempted", False)
        if exc.errcode == NO_QUOTA:
            mass_quota.block_period(cfg.engine, cfg.quota, slot["period"], org_id=job.org_id)
            raise _wait_for_next_period(cfg, job, f"公众号群发次数已用完（代码 {NO_QUOTA}）") from exc
        mass_quota.release(cfg.engine, cfg.quota, slot["period"], slot["slot"])
        raise channel._translate(exc, "群发") from exc
    except requests.RequestException as exc:
        raise UnknownOutcome(f"群发时网络中断（{type(exc).__name__}）", code="mp_mass_unknown") from exc
    msg_id = str(out["msg_id"])
    job.step_done("mass_msg_id", msg_id)
    mass_quota.mark_sent(cfg.engine, cfg.quota, slot["period"], slot["slot"], msg_id)
    log.info("publication %s mass-sent as %s (slot %s of %s)", job.publication_id, msg_id, slot["slot"],
             slot["period"])
    return SendResult(PREFIX + msg_id, confirmed=False)


def reconcile(channel: MpChannel, job: PublishJob) -> RemoteState:
    msg_id = _msg_id(job)
    if not msg_id:
        if job.progress.get("mass_attempted"):
            return RemoteState(RemoteStatus.failed, reason="公众号群发请求已发出但结果未知，为避免重复群发已停止，"
                                                           "请在公众号后台核实后再决定是否重试")  # fmt: skip
        return RemoteState(RemoteStatus.absent)
    try:
        out = channel.client.post("message/mass/get", data={"msg_id": _as_int(msg_id)})
    except WeChatClientException as exc:
        if exc.errcode in GONE:
            return RemoteState(RemoteStatus.failed, reason=f"公众号找不到群发消息 {msg_id}")
        raise UnknownOutcome(f"查询公众号群发状态失败：{wechat_error_text(exc.errcode)}", code="mp_lookup") from exc
    except requests.RequestException as exc:
        raise UnknownOutcome(f"查询公众号群发状态失败：{type(exc).__name__}", code="mp_lookup") from exc
    status = str(out.get("msg_status", ""))
    if status == "SEND_SUCCESS":
        return RemoteState(RemoteStatus.published, PREFIX + msg_id)
    if status == "SENDING":
        return RemoteState(RemoteStatus.in_flight, PREFIX + msg_id)
    return RemoteState(RemoteStatus.failed, reason=STATUS_REASONS.get(status, f"公众号群发状态异常：{status}"))


def withdraw(channel: MpChannel, job: PublishJob, reason: str) -> None:
    msg_id = _msg_id(job)
    if not msg_id:
        return  # nothing went out
    try:
        channel.client.post("message/mass/delete", data={"msg_id": _as_int(msg_id), "article_idx": 0})
    except WeChatClientException as exc:
        if exc.errcode in GONE:
            return
        raise channel._translate(exc, "撤回群发") from exc
    except requests.RequestException as exc:
        raise TransientError(f"公众号撤回群发时网络错误（{type(exc).__name__}）", code="mp_network") from exc


def _earlier_send(channel: MpChannel, job: PublishJob, msg_id: str) -> SendResult | None:
    """A row that mass-sent before (a 重新发送 after a failure, or a retry): follow that send while it is
    published or still sending; None once WeChat says it failed for good, so the row sends again (with a new
    quota slot; the old msg_id is kept in `earlier_mass_msg_ids`). A lookup that fails raises: nothing is sent
    blind."""
    found = reconcile(channel, job)
    if found.status is RemoteStatus.published:
        return SendResult(found.remote_id or PREFIX + msg_id, found.remote_url, confirmed=True)
    if found.status is not RemoteStatus.failed:
        return SendResult(PREFIX + msg_id, confirmed=False)
    earlier = [*(job.progress.get("earlier_mass_msg_ids") or []), msg_id]
    for key in (*MASS_KEYS, "mass_slot"):
        job.progress.pop(key, None)
    job.step_done("earlier_mass_msg_ids", earlier)  # stored with the keys above gone
    return None


def _as_int(msg_id: str) -> int | str:
    return int(msg_id) if msg_id.isdigit() else msg_id
