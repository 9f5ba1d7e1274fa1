"""CLI command modules; each has `register(cli)`. Add a feature's module to the list."""

from app.commands import accounts_cmd, check_cmd, core, items_cmd, report, scheduler

COMMAND_MODULES = [core, accounts_cmd, items_cmd, check_cmd, report, scheduler]
