"""A tiny aiogram-like Router: register handlers by command name (with aliases) or event name."""

from __future__ import annotations

from collections.abc import Callable

from bot.commands.context import ChatContext
from bot.commands.parse import Command

CommandHandler = Callable[[ChatContext, Command], str]
EventHandler = Callable[[ChatContext], str | None]


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: dict[str, tuple[CommandHandler, bool]] = {}  # canonical -> (handler, needs_user)
        self.aliases: dict[str, str] = {}  # alias -> canonical
        self.events: dict[str, EventHandler] = {}

    def command(self, name: str, *aliases: str, needs_user: bool = True):
        def register(handler: CommandHandler) -> CommandHandler:
            self.commands[name] = (handler, needs_user)
            for alias in (name, *aliases):
                self.aliases[alias] = name
            return handler

        return register

    def event(self, *names: str):
        def register(handler: EventHandler) -> EventHandler:
            for name in names:
                self.events[name.lower()] = handler
            return handler

        return register
