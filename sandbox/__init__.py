"""Sandbox: the loopback WeChat/WeCom emulator (see `sandbox.emulator` for its API)."""

from sandbox.emulator import WeChatEmulator
from sandbox.state import Record

__all__ = ["Record", "WeChatEmulator"]
