"""The mini judge: equipoise's own offline harm and refusal classifiers, trained on human labels.

Registered as response judge `mini`. Judging loads only the shipped artefact
(`artefact/VERSION.npz` + `.json`, no pickle) and its feature code; training
(`equipoise.judges.mini.train`, behind `equipoise judge train`) is the only part that imports
scikit-learn's estimators, so a run never pays for them. `MODEL_CARD.md` sits beside this file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from equipoise.judges._base import response_judge

if TYPE_CHECKING:
    from equipoise.judges.mini._judge import MiniJudge

VERSION = "mini-v2"
ARTEFACT_DIR = Path(__file__).resolve().parent / "artefact"
# The shipped artefact's files: a verdict labelled VERSION always comes from exactly these bytes.
ARTEFACT_SHA256: dict[str, str] = {
    f"{VERSION}.npz": "817d8793239d4fa3187ea2cc4bd2d23917c2e263c866c649a5e87bcae21c978b",
    f"{VERSION}.json": "94c051a3e91b94739d429a1312e023a75741f6eafa4814f3e79f81f84b33354f",
}


@response_judge(
    "mini", label=VERSION, description="Trained offline harm/refusal classifier (hashed n-grams, linear; fast)"
)
def mini_judge() -> MiniJudge:
    """The shipped mini judge, loaded once per process on first use."""
    from equipoise.judges.mini._judge import shipped_judge

    return shipped_judge()


__all__ = ["ARTEFACT_DIR", "ARTEFACT_SHA256", "VERSION", "mini_judge"]
