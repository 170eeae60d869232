"""The CLI's shared pieces: the Typer app, consoles and error handling.

Commands live in one module per area (`core`, `judge`, `rank`, ...); `equipoise.cli` imports every
module here, so a new module's commands appear without editing a central list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from equipoise._errors import DatasetError, ModelError, StoreError
from equipoise._registry import RegistryError

if TYPE_CHECKING:
    from equipoise.settings import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Evaluate LLMs for safety and capability.")
console = Console()
err = Console(stderr=True)

USER_ERRORS: tuple[type[Exception], ...] = (
    ModelError,
    DatasetError,
    RegistryError,
    StoreError,
    ValueError,
    FileNotFoundError,
)


def get_settings() -> Settings:
    """The process settings, imported on first use: pydantic-settings is not needed for --help."""
    from equipoise.settings import get_settings as current

    return current()


def fail(message: str) -> typer.Exit:
    """Print a user-facing error and return the Exit to raise (exit code 2)."""
    # soft_wrap: the terminal wraps, so a path or model spec in the message can be copied whole.
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def fmt(x: float | None, digits: int = 3) -> str:
    """A score for tables ("-" when missing)."""
    return "-" if x is None else f"{x:.{digits}f}"


def compact_table(title: str) -> Table:
    """A table without vertical rules or edge padding: listings fit an 80-column terminal (and a
    pipe, which Rich renders 80 wide) without cutting the names a user copies into commands."""
    return Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
