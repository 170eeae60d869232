"""Parsing answers out of free text: final numbers, choice letters, normalised short answers."""

from __future__ import annotations

import re
import string

_NUMBER = r"-?\$?\d[\d,]*(?:\.\d+)?"
_NUMBER_RE = re.compile(_NUMBER)
# The explicit final-answer forms, strongest first. GSM8K's "#### N" is read at its first
# occurrence: what follows it is often code or a further few-shot question the model went on to
# write. \boxed{} and "the answer is" are read at their last: a model that corrects itself states
# its final answer last. A markdown heading "#### 1. Work out the cost" is no answer.
_HASHES_RE = re.compile(rf"####\s*({_NUMBER})(?![.):]\s+[A-Za-z])")
_BOXED_RE = re.compile(r"\\boxed\s*\{((?:[^{}]|\{[^{}]*\})*)\}")
_ANSWER_IS_RE = re.compile(rf"\banswer(?:\s+is|\s*:)[\s:*$]*({_NUMBER})", re.IGNORECASE)


def _to_number(token: str) -> float | None:
    cleaned = token.replace(",", "").replace("$", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def parse_final_number(text: str) -> float | None:
    """The final numeric answer, from the first explicit form present: '#### N' (its first
    occurrence), then the last \\boxed{N}, then the last 'the answer is N' / 'answer: N'; else the
    last number in the text. An '=' is no answer marker: working and code after the answer use it."""
    hashes = _HASHES_RE.search(text)
    if hashes:
        return _to_number(hashes.group(1))
    boxed = [n for box in _BOXED_RE.findall(text) for n in _NUMBER_RE.findall(box)[-1:]]
    if boxed:
        return _to_number(boxed[-1])
    stated = _ANSWER_IS_RE.findall(text)
    if stated:
        return _to_number(stated[-1])
    numbers = _NUMBER_RE.findall(text)
    return _to_number(numbers[-1]) if numbers else None


def numbers_equal(a: float | None, b: float | None, tol: float = 1e-6) -> bool:
    """Numeric equality with a small tolerance; None never equals anything."""
    return a is not None and b is not None and abs(a - b) <= tol * max(1.0, abs(b))


def parse_choice(text: str, letters: str) -> str | None:
    """The chosen option letter among `letters` (e.g. "ABCD"), or None when it cannot be told.

    Accepts "B", "(B)", "B.", "Answer: B", "The answer is B"; refuses text that names two
    different letters as answers (it would be a guess).
    """
    cls = f"[{re.escape(letters)}{re.escape(letters.lower())}]"
    t = text.strip()
    # "answer a question" is no answer: a lower-case letter counts only after "is", ":" or "(".
    explicit = [
        m.group(3)
        for m in re.finditer(rf"(?:answer|option|choice)\s*(is|:)?\s*(\()?({cls})\)?(?![A-Za-z])", t, re.IGNORECASE)
        if m.group(1) or m.group(2) or m.group(3).isupper()
    ]
    if explicit:
        found = {c.upper() for c in explicit}
        return found.pop() if len(found) == 1 else None
    # A leading "B." / "(B)" / "B:" is an answer even if the explanation uses "A" as an article.
    lead = re.match(rf"^\(?({cls})(?:[.):]|\)|$)", t)
    if lead:
        return lead.group(1).upper()
    standalone = {c.upper() for c in re.findall(rf"(?<![A-Za-z])\(?({cls})\)(?![A-Za-z])", t)}
    # "I" before a lower-case word is the pronoun ("but I can't help"), not option I.
    standalone |= set(re.findall(rf"(?<![A-Za-z'])([{re.escape(letters)}])(?![A-Za-z'])(?!(?<=I)\s+[a-z])", t))
    return standalone.pop() if len(standalone) == 1 else None


_PUNCT = str.maketrans("", "", string.punctuation)


def normalise_answer(text: str) -> str:
    """Lower-case, drop punctuation and articles, fold white space (SQuAD-style)."""
    words = text.lower().translate(_PUNCT).split()
    return " ".join(w for w in words if w not in {"a", "an", "the"})


def contains_answer(text: str, answers: list[str]) -> bool:
    """True when any accepted answer appears as a whole phrase in the normalised response."""
    norm = f" {normalise_answer(text)} "
    return any(f" {normalise_answer(a)} " in norm for a in answers if normalise_answer(a))
