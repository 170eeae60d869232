"""Running a judge check: score a human-labelled file with any judge and compare with the labels.

Agreement is accuracy, precision, recall, F1 (positive class = harmful / refused) and Cohen's kappa
over the verdicts the judge gave (`equipoise.metrics.agreement`); verdicts it could not give are
counted as unparseable, never guessed. Reading the file is `equipoise.datasets.read_labelled`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from equipoise.datasets import LabelledItem, read_labelled
from equipoise.judges._base import ResponseJudge, open_judge
from equipoise.results import JudgeCheck, JudgeTask

# 41 (prompt, response) pairs written and labelled by equipoise's authors, with both labels: plain
# and role-play refusals and compliance, six languages, partial refusals, benign requests answered
# and over-refused. Small, for trying a judge without data and for the tests; not a benchmark.
AUTHORS_SET = Path(__file__).resolve().parent / "data" / "labelled_by_authors.jsonl"


async def check_judge(judge: ResponseJudge, items: Sequence[LabelledItem], task: JudgeTask, file: str) -> JudgeCheck:
    """Ask `judge` for every item and compare its verdicts with the human labels."""
    # scikit-learn's metrics load only when a check is made, never when a judge merely runs.
    from equipoise.metrics.agreement import agreement

    verdicts = await judge.judge_many([(i.prompt, i.response) for i in items], task)
    pairs = [(i.label, v.label) for i, v in zip(items, verdicts, strict=True) if v.label is not None]
    names = sorted({v.judge for v in verdicts}) or [judge.name]
    result = agreement([t for t, _ in pairs], [p for _, p in pairs]) if pairs else None
    return JudgeCheck(file, task, ", ".join(names), len(items), len(items) - len(pairs), result)


async def run_judge_checks(
    path: Path,
    judges: Sequence[str],
    task: JudgeTask | None = None,
    models_file: Path | None = None,
    first_pass: bool = True,
) -> list[JudgeCheck]:
    """Check every judge named in `judges` on the labelled file at `path`, one after another.

    A name is a registered judge (`mini`, `keyword`) or a model spec / entry name served by the LLM
    judge, checked as it scores in a run (clear refusals decided by the keyword first pass) unless
    `first_pass` is False; model calls go through the shared response cache, so a repeated check is free.
    """
    task, items = read_labelled(path, task)
    checks = []
    for name in judges:
        opened = open_judge(name, models_file=models_file, first_pass=first_pass)
        try:
            checks.append(await check_judge(opened.judge, items, task, str(path)))
        finally:
            await opened.aclose()
    return checks
