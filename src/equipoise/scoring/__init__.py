"""Scoring: scorers and answer parsers. Harm and refusal verdicts come from `equipoise.judges`."""

from equipoise.scoring._scorers import ChoiceScorer, LLMJudgeScorer, MatchScorer, NumberScorer
from equipoise.scoring._types import Score, ScoreContext, Scorer
from equipoise.scoring.capability_scorers import IFEvalScorer, MTBenchPairwiseScorer, MTBenchSingleScorer
from equipoise.scoring.parse import contains_answer, normalise_answer, parse_choice, parse_final_number
from equipoise.scoring.safety_scorers import HarmScorer, HelpfulScorer, LabelScorer, LeakScorer

__all__ = [
    "ChoiceScorer",
    "HarmScorer",
    "HelpfulScorer",
    "IFEvalScorer",
    "LLMJudgeScorer",
    "LabelScorer",
    "LeakScorer",
    "MTBenchPairwiseScorer",
    "MTBenchSingleScorer",
    "MatchScorer",
    "NumberScorer",
    "Score",
    "ScoreContext",
    "Scorer",
    "contains_answer",
    "normalise_answer",
    "parse_choice",
    "parse_final_number",
]
