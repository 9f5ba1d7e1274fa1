"""CLI command modules; each has `register(cli)`. Add a feature's module to the list."""

from app.commands import core

COMMAND_MODULES = [core]
