"""Imports every module that defines tables, so metadata and migrations see all of them.

Each package that adds tables lists its models module here (one line each).
"""

from __future__ import annotations

import importlib

MODEL_MODULES = [
    "content.models",
    "content.models.form_nonce",
    "content.models.item_channel",
    "content.files.models",
    "content.models.auth",
    "bot.models",
    "content.models.channel_targets",
    "scheduler.models",
    "annual.registers.models",
    "channels.mp.mass_quota",
]


def load_all_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)
