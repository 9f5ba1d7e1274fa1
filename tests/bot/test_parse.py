"""Tolerant command parsing (pure functions)."""

from __future__ import annotations

import pytest

from bot.commands.dispatcher import DISPATCHER
from bot.commands.parse import parse


@pytest.mark.parametrize("text, name, number, rest", [
    ("同意 12", "同意", 12, ""),
    ("同意12 很好", "同意", 12, "很好"),
    ("通过　＃１２　同意发布", "同意", 12, "同意发布"),
    ("  批准 第12号：可以 ", "同意", 12, "可以"),
    ("不同意 7 数据有误", "驳回", 7, "数据有误"),
    ("驳回#7", "驳回", 7, ""),
    ("待办", "待审", None, ""),
    ("统计 2025", "统计", 2025, ""),
    ("HELP", "帮助", None, ""),
    ("绑定 00123456", "绑定", 123456, ""),
])  # fmt: skip
def test_parse(text, name, number, rest):
    cmd = parse(text, DISPATCHER.aliases)
    assert (cmd.name, cmd.number, cmd.rest) == (name, number, rest)


def test_leading_zeros_kept_for_codes():
    assert parse("绑定 ００１２３４５６", DISPATCHER.aliases).digits == "00123456"


def test_not_a_command():
    assert parse("今天天气不错", DISPATCHER.aliases) is None
