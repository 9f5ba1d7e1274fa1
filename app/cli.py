"""The `gongkai` command line. User mistakes: one Chinese line on stderr and exit code 2."""

from __future__ import annotations

import sys

import typer

from app.cli_support import die
from app.commands import COMMAND_MODULES
from app.startup import preflight
from content.errors import DomainError

cli = typer.Typer(
    name="gongkai",
    help="gongkai 政务公开发布系统",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

cli.callback()(preflight)  # settings, logging, and the refusal of unsafe server starts

for _module in COMMAND_MODULES:
    _module.register(cli)


def main() -> None:
    try:
        cli()
    except DomainError as exc:
        die(exc.message)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
