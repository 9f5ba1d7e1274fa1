"""GET (URL verification) and POST (messages) for /wechat/work and /wechat/mp, safe mode only.

403: bad signature, timestamp more than 5 minutes off, wrong corp/app/agent id. 400: anything
malformed (base64, block length, key, XML, entities, oversize body). Nothing is written before all
checks pass. The reply is an encrypted passive reply sent at once; card updates and notification
delivery run after it (a background task of the response).
"""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.background import BackgroundTask
from starlette.routing import Route
from wechatpy.replies import TextReply

from bot.callbacks import crypto
from bot.callbacks.after_reply import AfterReply, CallbackRunner
from bot.callbacks.crypto import Rejected, bad, forbidden
from bot.callbacks.pipeline import flatten, process
from bot.config import ChannelConfig, channel_config

log = logging.getLogger("gongkai.bot.callbacks")
router = APIRouter(include_in_schema=False)
MAX_CALLBACK_BYTES = 64 * 1024


def _config(request: Request, channel: str) -> ChannelConfig:
    cfg = channel_config(request.app.state.settings, channel)
    if not cfg.usable:
        raise Rejected(404, "channel_not_configured", "该渠道未配置")
    return cfg


def _error(exc: Rejected) -> JSONResponse:
    return JSONResponse({"code": exc.code, "message": exc.message}, status_code=exc.status)


@router.get("/wechat/work")
def wecom_verify(request: Request) -> Response:
    q = request.query_params
    try:
        cfg = _config(request, "wecom")
        echostr = q.get("echostr") or ""
        crypto.check_signature(q.get("msg_signature"), cfg.token, q.get("timestamp") or "", q.get("nonce") or "",
                               echostr)
        crypto.check_timestamp(q.get("timestamp"))
        return PlainTextResponse(crypto.decrypt(cfg, echostr))
    except Rejected as exc:
        return _error(exc)


@router.get("/wechat/mp")
def mp_verify(request: Request) -> Response:
    q = request.query_params
    try:
        cfg = _config(request, "mp")
        crypto.check_signature(q.get("signature"), cfg.token, q.get("timestamp") or "", q.get("nonce") or "")
        crypto.check_timestamp(q.get("timestamp"))
        return PlainTextResponse(q.get("echostr") or "")
    except Rejected as exc:
        return _error(exc)


async def wecom_message(request: Request) -> Response:
    return await handle_post(request, "wecom")


async def mp_message(request: Request) -> Response:
    return await handle_post(request, "mp")


# Plain Starlette routes: the platform's POSTs need none of FastAPI's parameter machinery, which costs
# more per request than verifying and decrypting the message does.
router.routes.extend([Route("/wechat/work", wecom_message, methods=["POST"]),
                      Route("/wechat/mp", mp_message, methods=["POST"])])


async def _read_capped(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_CALLBACK_BYTES:
            raise bad("body_too_large", f"消息体超过 {MAX_CALLBACK_BYTES} 字节")
        chunks.append(chunk)
    return b"".join(chunks)


def open_message(cfg: ChannelConfig, body: bytes, query) -> dict:
    """Every check of one POST; returns the parsed inner XML or raises Rejected."""
    if cfg.channel == "mp" and query.get("encrypt_type", "aes") != "aes":
        raise bad("plaintext_refused", "仅支持安全模式（加密）消息")
    outer, inner_xml = crypto.open_envelope(cfg, body, msg_signature=query.get("msg_signature"),
                                            timestamp=query.get("timestamp"), nonce=query.get("nonce"))
    inner = crypto.safe_parse(inner_xml)
    if cfg.channel == "wecom":
        for doc in (outer, inner):
            agent = doc.get("AgentID")
            if agent not in (None, "") and str(agent) != str(cfg.agent_id):
                raise forbidden("wrong_agent", "应用 AgentID 与本系统不符")
        if outer.get("ToUserName") not in (None, "", cfg.receive_id):
            raise forbidden("wrong_receive_id", "消息的企业标识与本系统不符")
    return inner


async def handle_post(request: Request, channel: str) -> Response:
    settings, engine = request.app.state.settings, request.app.state.engine
    query = request.query_params
    try:
        cfg = _config(request, channel)
        body = await _read_capped(request)
        inner = open_message(cfg, body, query)
        inbound = flatten(channel, inner)
        if inbound is None:
            raise bad("incomplete_message", "消息缺少 FromUserName 或 MsgType")
    except Rejected as exc:
        log.info("%s callback refused: %s %s", channel, exc.status, exc.code)
        return _error(exc)
    after_reply = _after_reply(request)
    reply, after = await after_reply.runner.run(process, engine, settings, inbound)
    background = BackgroundTask(after_reply, after)
    if not reply:
        return PlainTextResponse("success" if channel == "mp" else "", background=background)
    xml = TextReply(source=inbound.to, target=inbound.sender, content=reply).render()
    sealed = crypto.seal(cfg, xml, nonce=query.get("nonce") or "gongkai", timestamp=str(int(time.time())))
    return Response(sealed, media_type="application/xml", background=background)


def _after_reply(request: Request) -> AfterReply:
    """The process's after-reply worker and, through it, its callback runner (made on first use)."""
    state = request.app.state
    if getattr(state, "bot_after_reply", None) is None:
        state.bot_after_reply = AfterReply(state.engine, state.settings, CallbackRunner(state.engine))
    return state.bot_after_reply
