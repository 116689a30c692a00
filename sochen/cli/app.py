"""The root Typer application and helpers shared by command modules."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

__all__ = ["app", "console", "err_console", "fail", "print_json"]

app = typer.Typer(
    name="sochen",
    help="Sochen (סוכן): AI agents for Israeli businesses.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)


def print_json(data: Any) -> None:
    """Write JSON to standard output (UTF-8, Hebrew unescaped)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error to standard error and exit with `code`."""
    err_console.print(f"[bold red]שגיאה / error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)
