"""Ranking commands: rank (the board in the terminal, CSV, JSON), plot."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from equipoise._cli import USER_ERRORS, app, compact_table, console, err, fail, fmt, safe_text
from equipoise.metrics.combine import DEFAULT_COMBINATION, combinations, parse_weights

if TYPE_CHECKING:
    from equipoise.ranking import Ranking, RankRow, SideCounts

_COMBINE_HELP = "Combination: " + "; ".join(f"{c.name} = {c.formula}" for c in combinations())


def _interval(mean: float | None, low: float | None, high: float | None) -> Text:
    """A score with its interval on the line below, to two places so three sides and a long model
    name fit 80 columns (CSV and JSON keep every digit); numbers we format: a Text, not data."""
    return Text("-" if mean is None else f"{mean:.3f}\n[{fmt(low, 2)}, {fmt(high, 2)}]")


def _counts(name: str, c: SideCounts) -> str:
    return f"{name} {c.samples} samples, {c.failed} failed, {c.unparseable} unparseable, {c.refused} refused"


def _row_notes(r: RankRow) -> list[str]:
    """What stands behind a row: each side's counts, and what is missing or incomplete."""
    notes = [_counts("safety", r.safety_counts), _counts("capability", r.capability_counts)]
    if r.overall.missing:
        notes.append(r.overall.reason)
    if r.unscored_tasks:
        notes.append(f"nothing scored in {', '.join(r.unscored_tasks)}")
    if r.incomplete_tasks:
        notes.append(f"incomplete (some samples need --judge MODEL): {', '.join(r.incomplete_tasks)}")
    return notes


def _ranking(
    suite: str,
    capability_suite: str | None,
    judge: str | None,
    combine: str,
    weights: str | None,
    release: str | None = None,
    capability_release: str | None = None,
) -> Ranking:
    """Build the board from the configured store (the library is imported here to keep --help fast)."""
    from equipoise.ranking import build_ranking
    from equipoise.store import open_store

    if weights is not None and combine != "weighted":
        raise ValueError(f"--weights applies to --combine weighted only (got --combine {combine})")
    w = parse_weights(weights or "0.5,0.5")
    return build_ranking(
        open_store(),
        suite,
        capability_suite,
        judge,
        combine,
        w,
        release=release,
        capability_release=capability_release,
    )


SuiteOpt = Annotated[str, typer.Option(help="Safety suite: libra, or quick for the quick board")]
CapOpt = Annotated[
    str | None, typer.Option(help="Capability suite (default: the suite itself if it has capability tasks)")
]
JudgeOpt = Annotated[
    str | None, typer.Option(help="Judge the runs were scored by (default: the project's default judge)")
]
ReleaseOpt = Annotated[str | None, typer.Option(help="Release of the safety suite (default: the newest run's)")]
CapReleaseOpt = Annotated[str | None, typer.Option(help="Release of the capability suite (default: the newest run's)")]
CombineOpt = Annotated[str, typer.Option(help=_COMBINE_HELP)]
WeightsOpt = Annotated[str | None, typer.Option(help="SAFETY,CAPABILITY weights for --combine weighted, e.g. 0.7,0.3")]


@app.command("rank")
def rank_command(
    suite: SuiteOpt = "libra",
    capability_suite: CapOpt = None,
    judge: JudgeOpt = None,
    combine: CombineOpt = DEFAULT_COMBINATION,
    weights: WeightsOpt = None,
    release: ReleaseOpt = None,
    capability_release: CapReleaseOpt = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Also write the board as CSV")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Also write the board as JSON")] = None,
) -> None:
    """Rank the stored models: safety, capability (95% intervals), overall and rank with ties."""
    try:
        ranking = _ranking(suite, capability_suite, judge, combine, weights, release, capability_release)
    except USER_ERRORS as e:
        raise fail(str(e)) from None
    title = (
        f"safety {ranking.safety_suite}@{ranking.safety_release or '-'} · capability "
        f"{ranking.capability_suite}@{ranking.capability_release or '-'} · judge {ranking.judge or '-'} · "
        f"overall = {ranking.combination}"
    )
    # The board's definition is a line of its own, not the table's title: a title wraps at the
    # table's width, splitting a judge or release name a user copies.
    console.print(safe_text(title), soft_wrap=True)
    table = compact_table("")
    table.add_column("rank", justify="right")
    # The name is what a user copies into commands: never wrapped. Each interval sits under its
    # score, and the counts and notes follow the table, so the board fits an 80-column terminal.
    table.add_column("model", no_wrap=True)
    for col in ("safety", "capability", "overall"):
        table.add_column(Text(f"{col}\n[95% CI]"), justify="right", no_wrap=True)
    details = []
    for r in ranking.rows:
        d = r.to_dict()
        table.add_row(
            "-" if r.rank is None else str(r.rank),
            r.model,
            *(_interval(d[side], d[f"{side}_low"], d[f"{side}_high"]) for side in ("safety", "capability", "overall")),
        )
        details.append(safe_text(f"{r.model}: {'; '.join(_row_notes(r))}"))
    console.print(table)
    for line in details:
        console.print(line, soft_wrap=True)
    for line in ranking.notes():
        console.print(safe_text(line), soft_wrap=True)
    if not ranking.rows:
        err.print(
            safe_text(f"no stored runs of suite {suite!r} or {ranking.capability_suite!r} with this judge", "yellow")
        )
    if csv_path is not None:
        rows = [r.to_dict() for r in ranking.rows]
        with csv_path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["rank", "model"])
            writer.writeheader()
            writer.writerows(rows)
        console.print(safe_text(f"wrote {csv_path}"), soft_wrap=True)
    if json_path is not None:
        json_path.write_text(json.dumps(ranking.to_dict(), indent=2))
        console.print(safe_text(f"wrote {json_path}"), soft_wrap=True)


@app.command("plot")
def plot_command(
    png: Annotated[Path | None, typer.Option(help="Write the scatter as PNG (needs a local Chromium)")] = None,
    html: Annotated[Path | None, typer.Option(help="Write the interactive scatter as HTML (works offline)")] = None,
    suite: SuiteOpt = "libra",
    capability_suite: CapOpt = None,
    judge: JudgeOpt = None,
    combine: CombineOpt = DEFAULT_COMBINATION,
    weights: WeightsOpt = None,
    release: ReleaseOpt = None,
    capability_release: CapReleaseOpt = None,
) -> None:
    """Plot safety against capability with the contour lines of the overall combination."""
    from equipoise.ranking.plot import write_plot

    try:
        written = write_plot(
            _ranking(suite, capability_suite, judge, combine, weights, release, capability_release), png, html
        )
    except USER_ERRORS as e:
        raise fail(str(e)) from None
    for path in written:
        console.print(safe_text(f"wrote {path}"), soft_wrap=True)
