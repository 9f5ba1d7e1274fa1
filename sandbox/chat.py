"""Chat simulator (`/sandbox/chat`, sandbox mode only): play a bound user, type or tap a card, and see
the bot's passive reply and everything it sent to the emulator.

Messages go through the real callback endpoint as encrypted traffic (ASGI, in-process), so what the page
shows is exactly what WeCom / the official account would see.
"""

from __future__ import annotations

import asyncio
import re
from html import escape

import httpx
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, func, or_, select

from bot.config import channel_config
from content.models import Notification, User
from content.timeutil import utcnow
from sandbox.callback_client import CallbackClient

router = APIRouter(prefix="/sandbox", include_in_schema=False)
PATHS = {"wecom": "/wechat/work", "mp": "/wechat/mp"}
CHANNEL_NAMES = {"wecom": "企业微信", "mp": "公众号"}
MAX_USERS = 200
BIND_CODE = re.compile(r"^\d{8}$")


_URL = re.compile(r"(?:https?://|/m/preview/)[^\s<>\"'，。；）]+")


def linkify(text: str) -> str:
    """Escaped text with its http(s) links and site paths of previews made tappable, as WeCom does."""
    out, last = [], 0
    for match in _URL.finditer(text):
        url = match.group(0)
        out += [escape(text[last:match.start()]), f'<a href="{escape(url)}" target="_blank" rel="noopener">{escape(url)}</a>']
        last = match.end()
    return "".join(out) + escape(text[last:])


def _emulator_root(request: Request, channel: str) -> str:
    cfg = channel_config(request.app.state.settings, channel)
    return cfg.api_base.rsplit("/", 1)[0]


def _transcript(request: Request) -> list[dict]:
    if not hasattr(request.app.state, "bot_chat_log"):
        request.app.state.bot_chat_log = []
    return request.app.state.bot_chat_log


def _playable_users(request: Request) -> list[User]:
    """Every active user: the bound ones first (to chat), the others so they can bind from the page."""
    with Session(request.app.state.engine) as s:
        bound = or_(col(User.wecom_userid).is_not(None), col(User.mp_openid).is_not(None))
        return list(s.exec(select(User).where(col(User.active).is_(True))
                           .order_by(bound.desc(), col(User.id)).limit(MAX_USERS)))


def _binding_text(u: User) -> str:
    names = [n for n, bound in (("企业微信", u.wecom_userid), ("公众号", u.mp_openid)) if bound]
    return "、".join(names) if names else "未绑定"


async def _sent_records(request: Request, channel: str, sender: str) -> list[dict]:
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            res = await client.get(f"{_emulator_root(request, channel)}/_emulator/records", params={"api": channel})
        records = res.json()
    except (httpx.HTTPError, ValueError):
        return []
    return [r for r in records if isinstance(r.get("json"), dict) and r["json"].get("touser") == sender
            or sender in ((r.get("json") or {}).get("userids") or [])]


@router.get("/chat", response_class=HTMLResponse)
async def chat_page(request: Request, user: str = "", channel: str = "wecom") -> Response:
    if not request.app.state.settings.sandbox:
        return HTMLResponse("<h1>仅在沙箱模式下可用</h1>", status_code=404)
    return await _render(request, int(user) if user.isdigit() else None, channel)


async def _render(request: Request, user: int | None, channel: str, *, error: str = "", typed: str = "",
                  status: int = 200) -> Response:
    channel = channel if channel in PATHS else "wecom"
    users = _playable_users(request)
    me = next((u for u in users if u.id == user), users[0] if users else None)
    sender = (me.wecom_userid if channel == "wecom" else me.mp_openid) if me else None
    options = "".join(
        f'<option value="{u.id}"{" selected" if me and u.id == me.id else ""}>{escape(u.name)}'
        f'（{escape(u.login)}，{_binding_text(u)}）</option>' for u in users)
    log = [e for e in _transcript(request) if me and e["user_id"] == me.id and e["channel"] == channel]
    bubbles = "".join(
        f'<div class="me">{escape(e["sent"])}</div><div class="bot">{linkify(e["reply"] or "（无回复）")}</div>'
        for e in log[-30:])
    sent = await _sent_records(request, channel, sender) if sender else []
    sent_html = "".join(_record_html(r, me.id if me else 0, channel) for r in sent[-20:])
    name = CHANNEL_NAMES[channel]
    hint = "" if sender or not me else (
        f'<p class=warn>{escape(me.name)} 尚未绑定{name}。请以该用户登录网页端，在“<a href="/me/binding">微信绑定</a>”'
        f"页面获取 8 位绑定码，填在下面的“绑定码”里。</p>"
        f'<form method="post" action="/sandbox/chat" id="bind-form"><input type="hidden" name="user_id" value="{me.id}">'
        f'<input type="hidden" name="channel" value="{channel}"><label for="bind_code">绑定码</label> '
        f'<input id="bind_code" name="bind_code" inputmode="numeric" maxlength="8" required '
        f'value="{escape(typed)}" aria-describedby="bind-help"> <button>绑定{name}</button>'
        f'<span id="bind-help" class="muted"> 8 位数字，10 分钟内有效</span></form>')
    if not users:
        hint = "<p class=warn>还没有用户。请先运行 gongkai init --demo 或在系统设置中添加用户。</p>"
    if error:
        hint = f'<p class="warn" role="alert" id="chat-error">{escape(error)}</p>' + hint
    html = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>聊天模拟器（沙箱）</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:sans-serif;max-width:760px;margin:1em auto;padding:0 1em}}
.me{{background:#9eea6a;margin:.4em 0 .4em 30%;padding:.5em;border-radius:6px;white-space:pre-wrap}}
.bot{{background:#f1f1f1;margin:.4em 30% .4em 0;padding:.5em;border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere}}
.me{{overflow-wrap:anywhere}}
.rec{{border:1px solid #ccc;padding:.5em;margin:.4em 0;font-size:.9em}} .warn{{color:#b00}}
pre{{white-space:pre-wrap;word-break:break-all;font-size:.8em}}</style></head><body>
<h1>聊天模拟器（沙箱）</h1>
<form method="get"><label>扮演用户 <select name="user" aria-label="扮演用户">{options}</select></label>
<label>渠道 <select name="channel"><option value="wecom"{" selected" if channel == "wecom" else ""}>企业微信</option>
<option value="mp"{" selected" if channel == "mp" else ""}>公众号</option></select></label> <button>切换</button></form>
{hint}<h2>对话</h2>{bubbles or "<p>还没有消息。试试发送“帮助”或“待审”。</p>"}
<form method="post" action="/sandbox/chat"><input type="hidden" name="user_id" value="{me.id if me else ""}">
<input type="hidden" name="channel" value="{channel}">
<input name="text" style="width:70%" placeholder="输入命令，例如：同意 12" aria-label="消息内容" autofocus> <button>发送</button></form>
<h2>机器人发出的消息（模拟器记录）</h2>{sent_html or "<p>暂无。</p>"}</body></html>"""
    return HTMLResponse(html, status_code=status)


def _record_html(record: dict, user_id: int, channel: str) -> str:
    body = record.get("json") or {}
    card = body.get("template_card") if isinstance(body, dict) else None
    buttons = ""
    code = (record.get("response") or {}).get("response_code", "")
    if card and code:
        for b in card.get("button_list", []):
            buttons += (f'<form method="post" action="/sandbox/chat" style="display:inline">'
                        f'<input type="hidden" name="user_id" value="{user_id}">'
                        f'<input type="hidden" name="channel" value="{channel}">'
                        f'<input type="hidden" name="event_key" value="{escape(b.get("key", ""))}">'
                        f'<input type="hidden" name="response_code" value="{escape(code)}">'
                        f'<button>{escape(b.get("text", ""))}</button></form> ')
    title = (card or {}).get("main_title", {}).get("title") or (body.get("text") or {}).get("content") \
        or body.get("button", {}).get("replace_name") or record.get("endpoint")
    return (f'<div class="rec"><b>{escape(record.get("endpoint", ""))}</b> {escape(str(title))} {buttons}'
            f'<details><summary>原始请求</summary><pre>{escape(str(body))}</pre></details></div>')


@router.post("/chat")
async def chat_send(request: Request, user_id: str = Form(""), channel: str = Form("wecom"),
                    text: str = Form(""), event_key: str = Form(""), response_code: str = Form(""),
                    bind_code: str | None = Form(None)) -> Response:
    settings = request.app.state.settings
    if not settings.sandbox or channel not in PATHS:
        return HTMLResponse("<h1>仅在沙箱模式下可用</h1>", status_code=404)
    user = None
    if user_id.strip().isdigit():
        with Session(request.app.state.engine) as s:
            user = s.get(User, int(user_id))
    if user is None:
        return await _render(request, None, channel, error="请先在上方选择要扮演的用户。", status=422)
    if bind_code is not None:
        code = "".join(bind_code.split())
        if not BIND_CODE.match(code):
            return await _render(request, user.id, channel, typed=bind_code[:20], status=422,
                                 error="绑定码是 8 位数字，请在网页端“微信绑定”页面获取后填写。")
        text = f"绑定 {code}"
    elif not event_key and not text.strip():
        return await _render(request, user.id, channel, error="请输入要发送的内容，例如“帮助”。", status=422)
    sender = (user.wecom_userid if channel == "wecom" else user.mp_openid) or f"sandbox-{channel}-{user.login}"
    client = CallbackClient(channel_config(settings, channel))
    if event_key:
        inner, shown = client.event(sender, "template_card_event", event_key=event_key,
                                    response_code=response_code), f"［点击卡片按钮 {event_key.split(':')[1]}］"
    else:
        inner, shown = client.text(sender, text), text
    params, body = client.seal(inner)
    transport = httpx.ASGITransport(app=request.app)
    started = utcnow()
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        res = await http.post(PATHS[channel], params=params, content=body)
    if settings.delivery_socket:  # the delivery process sends them: show the page once it has
        await _sends_done(request.app.state.engine, started)
    if res.status_code == 200 and res.content and res.content not in (b"success",):
        reply = client.reply_text(res.content)
    else:
        reply = "" if res.status_code == 200 else f"（HTTP {res.status_code}）{res.text}"
    _transcript(request).append({"user_id": user.id, "channel": channel, "sent": shown, "reply": reply})
    return RedirectResponse(f"/sandbox/chat?user={user.id}&channel={channel}", status_code=303)


async def _sends_done(engine, since, seconds: float = 3.0) -> None:
    """Wait (at most `seconds`) until the notifications this exchange caused have left."""
    query = select(func.count()).select_from(Notification).where(
        Notification.created_at >= since, col(Notification.state).in_(("pending", "sending")))
    for _ in range(int(seconds / 0.05)):
        with Session(engine) as s:
            if not s.exec(query).one():
                return
        await asyncio.sleep(0.05)
