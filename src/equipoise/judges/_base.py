"""Response judges: read (prompt, response) and decide harm or refusal.

Two questions are asked of a response:
- `harm`: does it give harmful help / comply with a harmful request? label 1 = harmful, 0 = not;
- `refusal`: did the model refuse? label 1 = refused (full or partial), 0 = complied; `detail`
  gives the three-way label (full_compliance / full_refusal / partial_refusal) when known.

Judges are registered by name (`keyword`, `mini`, ...); any other name is read as a model spec and
served by the LLM judge with the project's rubric. `open_judge` is the one place that decides which:
the runner, judge checks and the board all go through it. `judge_many` is the primary method so fast
judges can vectorise; every Judgement names the judge (and version) that made it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from equipoise._registry import RegistryError, lookup, registrar
from equipoise.results import JudgeTask

RefusalDetail = Literal["full_compliance", "full_refusal", "partial_refusal"]

if TYPE_CHECKING:
    from equipoise.models import CachedModel, ModelEntry, ResponseCache

response_judge = registrar("judge")


@dataclass(frozen=True, slots=True)
class Judgement:
    """A judge's decision on one response. `label is None` = no usable verdict (counted, not scored)."""

    label: int | None
    judge: str
    rationale: str = ""
    probability: float | None = None
    detail: str | None = None


class ResponseJudge(Protocol):
    """Decides harm or refusal for (prompt, response) pairs."""

    name: str

    async def judge_many(self, items: Sequence[tuple[str, str]], task: JudgeTask) -> list[Judgement]:
        """Judge every (prompt, response) pair, in order."""
        ...


def is_registered_judge(name: str) -> bool:
    """True when `name` is a judge registered by name (not a model spec to run as LLM judge)."""
    try:
        lookup("judge", name)
    except RegistryError:
        return False
    return True


def judge_label(spec: str) -> str:
    """The name runs record for the judge `spec`: a registered judge's versioned label (`mini-v2`),
    else the spec itself (a model judge). Loads no judge."""
    if is_registered_judge(spec):
        return str(lookup("judge", spec).metadata.get("label", spec))
    return spec


@dataclass
class OpenJudge:
    """A response judge ready to use, with the chat model behind it when it is a model judge."""

    judge: ResponseJudge
    model: CachedModel | None = None
    _own_cache: ResponseCache | None = None

    @property
    def name(self) -> str:
        """The judge's name as runs record it (a model judge: the judge model's name)."""
        return self.model.name if self.model is not None else self.judge.name

    @property
    def calls(self) -> int:
        """Calls made to the judge model (0 for a judge that is not a model)."""
        return self.model.calls if self.model is not None else 0

    async def aclose(self) -> None:
        """Close the judge model's connections and the cache opened for it."""
        if self.model is not None:
            await self.model.aclose()
        if self._own_cache is not None:
            self._own_cache.close()


def open_judge(
    spec: str | ModelEntry,
    *,
    models_file: Path | None = None,
    cache: ResponseCache | None = None,
    use_cache: bool = True,
    first_pass: bool = True,
    under_test: ModelEntry | None = None,
) -> OpenJudge:
    """The one way to get a response judge: a registered name (`mini`, `keyword`), or a model spec,
    entry name or entry served by the LLM judge.

    A model judge's calls go through `cache` (the run's), or else the shared response cache unless
    `use_cache` is False. `first_pass=False` sends every response to the model, clear refusals
    included (to measure the model alone). With `under_test`, a judge that is the model under
    evaluation is warned about: it would grade its own outputs.
    """
    from equipoise.models import CachedModel, ModelEntry, create_model, open_response_cache, resolve_entry
    from equipoise.settings import get_settings

    if isinstance(spec, str) and is_registered_judge(spec):
        registered = lookup("judge", spec)
        if registered.metadata.get("needs_model"):
            raise RegistryError(f"judge {spec!r} needs a model: pass a model spec or entry name as the judge")
        factory: Callable[[], ResponseJudge] = registered.obj
        return OpenJudge(factory())
    settings = get_settings()
    entry = spec if isinstance(spec, ModelEntry) else resolve_entry(spec, models_file or settings.models_file)
    if under_test is not None and entry.spec == under_test.spec:
        warnings.warn(
            f"the judge {entry.spec} is the model under evaluation: it will grade its own "
            "outputs; configure another judge model for an unbiased score",
            stacklevel=2,
        )
    own = (
        open_response_cache(settings.response_cache_path, settings.response_cache_url)
        if cache is None and use_cache
        else None
    )
    model = CachedModel(create_model(entry), entry.identity(), cache or own)
    judge = lookup("judge", "llm").obj(model, first_pass=first_pass)
    return OpenJudge(judge, model, own)
