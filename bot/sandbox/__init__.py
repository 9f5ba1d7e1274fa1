"""Sandbox: the loopback WeChat/WeCom emulator (see `bot.sandbox.emulator` for its API)."""

from bot.sandbox.emulator import WeChatEmulator
from bot.sandbox.state import Record

__all__ = ["Record", "WeChatEmulator"]
