"""绑定 CODE, 解绑."""

from __future__ import annotations

from bot import binding
from bot.commands.context import ChatContext
from bot.commands.parse import Command
from bot.commands.router import Router
from content.errors import DomainError

router = Router("binding")
CHANNEL_NAMES = {"wecom": "企业微信", "mp": "公众号"}


@router.command("绑定", "绑定账号", needs_user=False)
def bind(ctx: ChatContext, cmd: Command) -> str:
    if ctx.user is not None:
        return f"本{CHANNEL_NAMES[ctx.channel]}账号已绑定为 {ctx.user.name}。如需更换，请先发送“解绑”。"
    code = cmd.digits + cmd.rest
    if not code:
        return "请发送“绑定 绑定码”，绑定码在网页端“我的账号”中获取，10 分钟内有效。"
    if binding.recent_failures(ctx.session, channel=ctx.channel, sender=ctx.inbound.sender) >= binding.MAX_FAILURES:
        ctx.inbound.msg_type = "bind_failed"
        return binding.TOO_MANY
    try:
        with ctx.session.begin_nested():
            user = binding.redeem(ctx.session, code=code, channel=ctx.channel, sender=ctx.inbound.sender,
                                  secret_key=ctx.settings.secret_key.get_secret_value())
    except DomainError as exc:
        ctx.inbound.msg_type = "bind_failed"  # counted by recent_failures via the dedupe row
        return exc.message
    ctx.user = user
    return f"绑定成功：{user.name}。发送“待审”查看待审稿件，发送“帮助”查看全部命令。"


@router.command("解绑", "解除绑定")
def unbind(ctx: ChatContext, _cmd: Command) -> str:
    assert ctx.user is not None
    name = ctx.user.name
    binding.unbind(ctx.session, user=ctx.user, channel=ctx.channel)
    ctx.user = None
    return f"已解除 {name} 与本{CHANNEL_NAMES[ctx.channel]}账号的绑定。"
