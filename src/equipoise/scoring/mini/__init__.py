"""The mini judge: equipoise's own offline harm and refusal classifiers, trained on human labels.

Registered as response judge `mini`. `train_judge` rebuilds it from the shared judge data
(`equipoise judge train`); the shipped artefact (`artefact/VERSION.npz` + `.json`, no pickle) and
`MODEL_CARD.md` sit beside this file.
"""

from equipoise.scoring.mini._data import LabelledResponse, load_training_data
from equipoise.scoring.mini._features import FeatureSpec, featurize
from equipoise.scoring.mini._judge import ARTEFACT_DIR, ArtefactError, MiniJudge, mini_judge
from equipoise.scoring.mini._splits import Split, grouped_splits
from equipoise.scoring.mini._train import CANDIDATES, VERSION, Candidate, TrainedJudge, train_judge, write_artefact

__all__ = [
    "ARTEFACT_DIR",
    "CANDIDATES",
    "VERSION",
    "ArtefactError",
    "Candidate",
    "FeatureSpec",
    "LabelledResponse",
    "MiniJudge",
    "Split",
    "TrainedJudge",
    "featurize",
    "grouped_splits",
    "load_training_data",
    "mini_judge",
    "train_judge",
    "write_artefact",
]
