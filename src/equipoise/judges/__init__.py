"""Response judges behind one `open_judge(spec)`: mini, keyword, the LLM rubric judge, guard formats.

Registering the built-in judges imports none of their heavy parts: the mini judge loads its
artefact on first use, and its trainer (`judges.mini.train`) only when training.
"""

from equipoise.judges import keyword, llm, mini
from equipoise.judges._base import (
    Judgement,
    OpenJudge,
    ResponseJudge,
    is_registered_judge,
    judge_label,
    open_judge,
    response_judge,
)
from equipoise.judges.keyword import KeywordJudge
from equipoise.results import JudgeTask

__all__ = [
    "JudgeTask",
    "Judgement",
    "KeywordJudge",
    "OpenJudge",
    "ResponseJudge",
    "is_registered_judge",
    "judge_label",
    "keyword",
    "llm",
    "mini",
    "open_judge",
    "response_judge",
]
