"""Scoring: scores, the refusal detector, answer parsing and LLM judges."""

from equipoise.scoring._scorers import ChoiceScorer, LLMJudgeScorer, MatchScorer, NumberScorer
from equipoise.scoring._types import Score, ScoreContext, Scorer
from equipoise.scoring.capability_scorers import IFEvalScorer, MTBenchPairwiseScorer, MTBenchSingleScorer
from equipoise.scoring.harm import LLMResponseJudge
from equipoise.scoring.judge import JudgeParseError, JudgeVerdict, ask_judge, parse_judge_json
from equipoise.scoring.mini import MiniJudge
from equipoise.scoring.parse import contains_answer, normalise_answer, parse_choice, parse_final_number
from equipoise.scoring.refusal import RefusalVerdict, detect_refusal
from equipoise.scoring.response_judges import (
    Judgement,
    JudgeTask,
    KeywordJudge,
    ResponseJudge,
    get_response_judge,
    response_judge,
)
from equipoise.scoring.safety_scorers import HarmScorer, HelpfulScorer, LabelScorer, LeakScorer

__all__ = [
    "ChoiceScorer",
    "HarmScorer",
    "HelpfulScorer",
    "IFEvalScorer",
    "JudgeParseError",
    "JudgeTask",
    "JudgeVerdict",
    "Judgement",
    "KeywordJudge",
    "LLMJudgeScorer",
    "LLMResponseJudge",
    "LabelScorer",
    "LeakScorer",
    "MTBenchPairwiseScorer",
    "MTBenchSingleScorer",
    "MatchScorer",
    "MiniJudge",
    "NumberScorer",
    "RefusalVerdict",
    "ResponseJudge",
    "Score",
    "ScoreContext",
    "Scorer",
    "ask_judge",
    "contains_answer",
    "detect_refusal",
    "get_response_judge",
    "normalise_answer",
    "parse_choice",
    "parse_final_number",
    "parse_judge_json",
    "response_judge",
]
