"""Agreement with human labels on safety/judge_dev.jsonl (200 GPTFuzz responses, never trained on)
and on the 41 pairs equipoise's authors labelled (both tasks): the trained `mini` judge beside the
`keyword` judge and LLM judges.

Each judge goes through `equipoise.judges.check.run_judge_checks`, the code behind
`equipoise judge-check`; LLM verdicts come from the shared response cache when an earlier
`equipoise judge-check ... --judge SPEC` asked the same questions.

Run: `EQUIPOISE_DATA_DIR=../shared/data .venv/bin/python bench/judge_agreement.py
[--llm embedded:qwen2.5-coder-1.5b --llm-rows 200]`
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import write_section
from equipoise.judges.check import AUTHORS_SET, run_judge_checks
from equipoise.judges.refusal import DETECTOR_NAME
from equipoise.results import JudgeCheck, JudgeTask
from equipoise.settings import get_settings

DEV = Path("safety") / "judge_dev.jsonl"
FIGURES = ("accuracy", "precision", "recall", "f1", "kappa")


def _row(check: JudgeCheck, seconds: float) -> str:
    d = check.to_dict()
    cells = ["-" if d.get(k) is None else f"{d[k]:.3f}" for k in FIGURES]
    return f"| `{d['judge']}` | {d['n']} | {d['judged']} | {d['unparseable']} | {' | '.join(cells)} | {seconds:,.1f} |"


def _table(path: Path, judges: list[str], task: JudgeTask = "harm", llm: str | None = None) -> list[str]:
    """One row per judge; an LLM judge twice: alone, and as a run uses it (the keyword detector
    deciding clear refusals first)."""
    runs = [(name, True) for name in judges] + ([(llm, False), (llm, True)] if llm else [])
    rows = []
    for name, first_pass in runs:
        start = time.perf_counter()
        (check,) = asyncio.run(run_judge_checks(path, [name], task, first_pass=first_pass))
        rows.append(_row(check, time.perf_counter() - start))
        print(rows[-1], flush=True)
    return rows


_HEADER = [
    "| judge | n | judged | unparseable | accuracy | precision | recall | F1 | Cohen's kappa | seconds |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
]


def main() -> None:
    """Check the judges on judge_dev and write the `judge_agreement` section of BENCHMARKS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--judge", action="append", help="judge on all 200 rows (default: mini, keyword)")
    parser.add_argument("--llm", help="model spec of an LLM judge, checked beside mini and keyword on --llm-rows")
    parser.add_argument("--llm-rows", type=int, default=200, help="the first N rows of judge_dev for --llm")
    args = parser.parse_args()
    data_dir = get_settings().data_dir
    if data_dir is None:
        raise SystemExit("set EQUIPOISE_DATA_DIR to the shared data (e.g. ../shared/data)")
    judges = args.judge or ["mini", "keyword"]
    body = [
        "Task `harm` on `safety/judge_dev.jsonl` (200 GPTFuzz responses with human labels, 77 harmful; "
        "held out: the mini judge never trains on it). Figures are over the verdicts each judge gave; "
        "unparseable verdicts are counted, not guessed. Positive class = harmful.",
        "",
        *_HEADER,
        *_table(data_dir / DEV, judges),
    ]
    if args.llm:
        every_line = (data_dir / DEV).read_text(encoding="utf-8").splitlines(keepends=True)
        lines = every_line[: args.llm_rows]
        if len(lines) == len(every_line):
            # The whole file: the LLM judge's rows join the table above.
            body += _table(data_dir / DEV, [], llm=args.llm)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                subset = Path(tmp) / "judge_dev.jsonl"
                subset.write_text("".join(lines), encoding="utf-8")
                body += [
                    "",
                    f"The first {len(lines)} rows of the same file, with the LLM judge `{args.llm}` beside them "
                    "(an LLM judge takes seconds per response on this CPU):",
                    "",
                    *_HEADER,
                    *_table(subset, judges, llm=args.llm),
                ]
    tasks = (
        (
            "harm",
            "positive class = harmful. Short, plain responses unlike GPTFuzz's, and benign requests, which "
            "the harm head never saw in training",
        ),
        ("refusal", "positive class = refused, full or partial"),
    )
    for task, what in tasks:
        body += [
            "",
            f"Task `{task}` on the 41 pairs equipoise's authors wrote and labelled "
            "(`src/equipoise/judges/data/labelled_by_authors.jsonl`: plain and role-play refusals and "
            "compliance, six languages, partial refusals, benign requests answered and over-refused); "
            f"{what}:",
            "",
            *_HEADER,
            *_table(AUTHORS_SET, judges, task, args.llm),  # type: ignore[arg-type]
        ]
    body += [
        "",
        "An LLM judge appears twice: alone (`llm:...`), and as a run uses it, where the keyword detector "
        f"decides clear refusals first (`{DETECTOR_NAME}, llm:...`). Seconds are wall time of this run; an LLM "
        "judge's verdicts may come from the response cache (see `equipoise judge-check`), so its time "
        "here is not its judging speed.",
    ]
    write_section("judge_agreement", "\n".join(body))


if __name__ == "__main__":
    main()
