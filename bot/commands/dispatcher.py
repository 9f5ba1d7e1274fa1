"""Composes the feature routers once and routes one inbound message to one handler."""

from __future__ import annotations

import logging

from bot.commands import binding, help, review, stats
from bot.commands.context import ChatContext
from bot.commands.parse import parse
from bot.commands.router import CommandHandler, EventHandler, Router
from bot.commands.texts import BIND_HINT, HELP_TEXT, UNSUPPORTED, WELCOME

log = logging.getLogger("gongkai.bot")


class Dispatcher:
    def __init__(self, *routers: Router) -> None:
        self.commands: dict[str, tuple[CommandHandler, bool]] = {}
        self.aliases: dict[str, str] = {}
        self.events: dict[str, EventHandler] = {}
        for router in routers:
            for table, mine in ((self.commands, router.commands), (self.aliases, router.aliases),
                                (self.events, router.events)):
                clash = set(table) & set(mine)
                if clash:
                    raise ValueError(f"router {router.name} redefines {sorted(clash)}")
                table.update(mine)

    def handle(self, ctx: ChatContext) -> str | None:
        """The reply text (None: answer "success", i.e. nothing to say)."""
        msg_type = ctx.inbound.msg_type.lower()
        if msg_type == "text":
            return self._text(ctx)
        if msg_type == "event":
            return self._event(ctx)
        log.info("unsupported %s message type %r from a %s sender", ctx.channel, msg_type,
                 "bound" if ctx.user else "unbound")
        return UNSUPPORTED if ctx.user else BIND_HINT

    def _text(self, ctx: ChatContext) -> str:
        cmd = parse(ctx.inbound.content, self.aliases)
        if cmd is not None:
            handler, needs_user = self.commands[cmd.name]
            if needs_user and ctx.user is None:
                return BIND_HINT
            return handler(ctx, cmd)
        if ctx.user is None:
            return BIND_HINT
        return review.free_text(ctx) or HELP_TEXT

    def _event(self, ctx: ChatContext) -> str | None:
        event = ctx.inbound.event.lower()
        handler = self.events.get(event)
        if event == "subscribe":
            return WELCOME if ctx.user else BIND_HINT
        if handler is None:
            log.info("ignored %s event %r", ctx.channel, event)
            return None
        if ctx.user is None:
            return BIND_HINT
        return handler(ctx)


DISPATCHER = Dispatcher(help.router, review.router, stats.router, binding.router)
