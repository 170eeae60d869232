"""The CLI's shared pieces: the Typer app, consoles, error handling and safe text.

Commands live in one module per area (`core`, `judge`, `rank`, ...); `equipoise.cli` imports every
module here, so a new module's commands appear without editing a central list.

Names, responses, paths and specs come from users, models, data files and stores that others write
to: they reach the terminal only through `safe_text` (directly, or as cells of a `compact_table`),
never as Rich markup, and with their control characters shown rather than obeyed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import typer
from rich import box
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from equipoise._errors import CacheError, DatasetError, ModelError, StoreError
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
    CacheError,
    ValueError,
    FileNotFoundError,
)


def get_settings() -> Settings:
    """The process settings, imported on first use: pydantic-settings is not needed for --help."""
    from equipoise.settings import get_settings as current

    return current()


# Characters the terminal would obey rather than show: C0 and C1 controls (ESC starts colour,
# cursor-movement and OSC 8 hyperlink sequences; CR overwrites the line), DEL, the line and paragraph
# separators, and the bidirectional marks and overrides (which reorder the text after them).
_CONTROLS_OTHER_THAN_NEWLINE = "\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[\n{_CONTROLS_OTHER_THAN_NEWLINE}]")
_CONTROLS_BUT_NEWLINE = re.compile(f"[{_CONTROLS_OTHER_THAN_NEWLINE}]")
# Escapes are shown reversed, so an ESC in the data is told apart from a typed "\x1b".
_ESCAPE_STYLE = "reverse"


def safe_text(value: str, style: str = "", *, multiline: bool = False) -> Text:
    """`value` as terminal text: never read as Rich markup, each control character shown as its
    Python escape (ESC as \\x1b, a newline as \\n unless `multiline`)."""
    text = Text(style=style)
    end = 0
    for m in (_CONTROLS_BUT_NEWLINE if multiline else _CONTROLS).finditer(value):
        text.append(value[end : m.start()])
        text.append(repr(m.group())[1:-1], _ESCAPE_STYLE)
        end = m.end()
    text.append(value[end:])
    return text


def fail(message: str) -> typer.Exit:
    """Print a user-facing error and return the Exit to raise (exit code 2)."""
    # soft_wrap: the terminal wraps, so a path or model spec in the message can be copied whole.
    err.print(Text.assemble(("error: ", "bold red"), safe_text(message, multiline=True)), soft_wrap=True)
    return typer.Exit(code=2)


def warn(message: str) -> None:
    """Print a warning on stderr."""
    err.print(Text.assemble(("warning: ", "yellow"), safe_text(message, multiline=True)), soft_wrap=True)


def fmt(x: float | None, digits: int = 3) -> str:
    """A score for tables ("-" when missing)."""
    return "-" if x is None else f"{x:.{digits}f}"


class PlainTable(Table):
    """A table whose title, headers and cells given as str are `safe_text`: they hold run names,
    task names, paths and judge specs. A styled cell is passed as a Text."""

    def add_column(self, header: RenderableType = "", *args: Any, **kwargs: Any) -> None:
        super().add_column(safe_text(header) if isinstance(header, str) else header, *args, **kwargs)

    def add_row(self, *renderables: RenderableType | None, **kwargs: Any) -> None:
        super().add_row(*(safe_text(r) if isinstance(r, str) else r for r in renderables), **kwargs)


def compact_table(title: str) -> PlainTable:
    """A table without vertical rules or edge padding: listings fit an 80-column terminal (and a
    pipe, which Rich renders 80 wide) without cutting the names a user copies into commands."""
    return PlainTable(
        title=safe_text(title), box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0)
    )
