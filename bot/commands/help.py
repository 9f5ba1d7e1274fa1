"""帮助."""

from __future__ import annotations

from bot.commands.context import ChatContext
from bot.commands.parse import Command
from bot.commands.router import Router
from bot.commands.texts import HELP_TEXT

router = Router("help")


@router.command("帮助", "help", "?", "菜单", "命令", needs_user=False)
def show_help(_ctx: ChatContext, _cmd: Command) -> str:
    return HELP_TEXT
