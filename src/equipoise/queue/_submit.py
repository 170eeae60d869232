"""Taking a submission: check every field, the submitter's allowance, duplicates and the endpoint,
then store it PENDING with its jobs. Every refusal is a `SubmissionError` naming the field."""

from __future__ import annotations

import asyncio
import math
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from equipoise._errors import DatasetError, ModelError
from equipoise._registry import RegistryError
from equipoise.models import ChatMessage, ChatRequest, GenerateConfig, ModelEntry, create_model, entry_from_mapping
from equipoise.queue._book import Book, NewSubmission, now
from equipoise.queue._jobs import api_key_in_env, keyed, redact
from equipoise.queue._types import SubmissionError
from equipoise.releases import run_release
from equipoise.runner import select_samples
from equipoise.settings import get_settings
from equipoise.tasks import select_tasks, suite_names

RATE_WINDOW = timedelta(days=1)
# Adapters that run on this server's own hardware or files: only an admin may submit them.
LOCAL_PROVIDERS = ("gguf", "hf", "embedded", "scripted")
# Public endpoints get a modest share of a worker: a submitter cannot make it open hundreds of connections.
ENDPOINT_CONCURRENCY = 8
_PROBE = "Reply with the single word: ready"


class SubmissionForm(BaseModel):
    """The fields of a submission (the /submit form, or the JSON body of POST /api/submissions)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200, description="Name shown on the board.")
    organisation: str | None = Field(None, max_length=200, description="Who made the model.")
    submitter: str = Field(min_length=1, max_length=200, description="Who submits it (a name or e-mail).")
    base_url: str | None = Field(None, max_length=500, description="OpenAI-compatible base URL, e.g. https://host/v1.")
    model: str | None = Field(None, max_length=200, description="The model name the endpoint serves.")
    api_key: str | None = Field(None, max_length=500, description="Key for the endpoint; kept on the server only.")
    spec: str | None = Field(None, max_length=1000, description="Admin only: a local model spec (gguf:PATH, hf:PATH).")
    system_prompt: str | None = Field(None, max_length=20000, description="System message sent before every prompt.")
    temperature: float | None = Field(None, ge=0, le=2, description="Sampling temperature (default 0).")
    max_tokens: int | None = Field(None, ge=1, le=8192, description="Most tokens per answer (default 256).")
    top_p: float | None = Field(None, gt=0, le=1, description="Nucleus-sampling mass.")
    seed: int | None = Field(None, ge=0, description="Sampling seed (default 0).")
    suites: list[str] = Field(default_factory=lambda: ["quick"], min_length=1, description="Suites to run.")
    limit: int | None = Field(None, ge=1, description="Admin only: samples per task.")


def parse_form(data: dict[str, Any]) -> SubmissionForm:
    """The form from posted fields (empty strings are no value); a SubmissionError naming every bad field."""
    cleaned = {k: v for k, v in data.items() if not (v is None or (isinstance(v, str) and not v.strip()))}
    if isinstance(cleaned.get("suites"), str):
        cleaned["suites"] = [s.strip() for s in cleaned["suites"].split(",") if s.strip()]
    try:
        return SubmissionForm.model_validate(cleaned)
    except ValidationError as e:
        problems = [(str(err["loc"][0]) if err["loc"] else None, _message(err)) for err in e.errors()]
        raise SubmissionError(*problems[0], problems=problems) from None


def _message(err: Any) -> str:
    name = ".".join(str(p) for p in err["loc"]) or "submission"
    if err["type"] == "missing":
        return f"{name} is required"
    if err["type"] == "extra_forbidden":
        return f"{name} is not a field of a submission (fields: {', '.join(SubmissionForm.model_fields)})"
    if err["loc"] and err["loc"][0] == "api_key":  # never echo a key
        return f"{name}: {err['msg']}"
    return f"{name}: {err['msg']} (got {err['input']!r})"


def entry_of(form: SubmissionForm, admin: bool) -> ModelEntry:
    """The model entry a form describes, checked as an entries file's would be."""
    if form.spec is not None:
        if not admin:
            raise SubmissionError("spec", "only an admin may submit a local model spec; give base_url and model")
        if form.spec.split(":", 1)[0] not in LOCAL_PROVIDERS:
            raise SubmissionError(
                "spec",
                f"spec {form.spec!r} is not a local model: use one of {', '.join(p + ':' for p in LOCAL_PROVIDERS)}",
            )
        if form.base_url or form.model:
            raise SubmissionError("spec", "give either spec or base_url and model, not both")
        spec, args = form.spec, {}
    else:
        if not form.base_url:
            raise SubmissionError("base_url", "base_url is required: the endpoint's OpenAI-compatible base URL")
        if not form.model:
            raise SubmissionError("model", "model is required: the name the endpoint serves the model under")
        if "@" in form.model:
            raise SubmissionError("model", f"model {form.model!r} must not contain '@'")
        try:
            has_credentials = urlsplit(form.base_url).username is not None
        except ValueError as e:
            raise SubmissionError("base_url", f"base URL {form.base_url!r} is not a URL: {e}") from None
        if has_credentials:
            # the spec is shown on the queue and the board: a key belongs in api_key, which is not
            raise SubmissionError(
                "base_url", "the base URL must not hold a user name or password: give the key as api_key"
            )
        spec, args = f"openai-compat:{form.model}@{form.base_url}", {"max_concurrency": ENDPOINT_CONCURRENCY}
    if form.limit is not None and not admin:
        raise SubmissionError("limit", "only an admin may limit the samples per task: leave limit out")
    table: dict[str, Any] = {
        "spec": spec,
        "display_name": form.name,
        "system_prompt": form.system_prompt,
        "organisation": form.organisation,
        "args": args,
    }
    decoding = {"temperature": form.temperature, "max_tokens": form.max_tokens, "top_p": form.top_p, "seed": form.seed}
    table.update({k: v for k, v in decoding.items() if v is not None})
    table = {k: v for k, v in table.items() if v is not None}
    try:
        entry = entry_from_mapping(table, form.name, "submission")
    except ModelError as e:
        raise SubmissionError("base_url" if form.spec is None else "spec", str(e)) from None
    return entry


def entry_table(entry: ModelEntry) -> dict[str, Any]:
    """The entry as the mapping `entry_from_mapping` reads back (what a submission stores)."""
    table: dict[str, Any] = {
        "spec": entry.spec,
        "display_name": entry.display_name,
        "system_prompt": entry.system_prompt,
        "organisation": entry.organisation,
        "args": entry.args,
    }
    defaults = GenerateConfig()
    for name in ("temperature", "max_tokens", "seed", "top_p"):
        value = getattr(entry.config, name)
        if value != getattr(defaults, name):
            table[name] = value
    return {k: v for k, v in table.items() if v is not None}


@dataclass(frozen=True)
class Plan:
    """What a submission will run, per suite: its tasks with their sample counts, the release they
    make and the tasks left out."""

    tasks: dict[str, dict[str, int]]
    releases: dict[str, str]
    missing: dict[str, list[str]]


def plan(suites: list[str], limit: int | None = None) -> Plan:
    """The tasks of each suite whose data this server has, the samples each will ask (`limit` drawn
    with the runner's seed) and the release they make: the release a run of them will be recorded
    under (computed as `equipoise.releases.run_release` does)."""
    data_dir = get_settings().data_dir
    tasks, releases, missing = {}, {}, {}
    for i, suite in enumerate(dict.fromkeys(suites)):
        if suite not in suite_names():
            raise SubmissionError(
                "suites", f"unknown suite {suite!r} (item {i + 1}); known suites: {', '.join(suite_names())}"
            )
        try:
            chosen = select_tasks(suite=suite)
        except RegistryError as e:
            raise SubmissionError("suites", str(e)) from None
        present = [t for t in chosen if t.present(data_dir)]
        if not present:
            raise SubmissionError("suites", f"suite {suite!r} has no task whose data this server holds")
        manifest = {
            "tasks": {
                t.name: {"version": t.version, "scorer": t.scorer.config(), "files": [f.name for f in t.files]}
                for t in present
            },
            "data_files": {f.name: {"sha256": f.checksum(data_dir)} for t in present for f in t.files},
        }
        try:
            tasks[suite] = {t.name: len(select_samples(t.samples(data_dir), limit, seed=0)) for t in present}
        except DatasetError as e:
            raise SubmissionError("suites", f"suite {suite!r} cannot be run on this server: {e}") from None
        releases[suite] = run_release({"manifest": manifest})
        missing[suite] = [t.name for t in chosen if t not in present]
    return Plan(tasks, releases, missing)


def check_allowance(book: Book, submitter: str, client_ip: str) -> None:
    """At most `submissions_per_day` per submitter and per client address in any 24 hours."""
    limit = get_settings().submissions_per_day
    for column, value, who in (
        ("submitter", submitter, f"submitter {submitter!r}"),
        ("client_ip", client_ip, "your address"),
    ):
        times = book.recent(column, value, RATE_WINDOW)
        if len(times) >= limit:
            wait = times[len(times) - limit] + RATE_WINDOW - now()
            seconds = max(1, math.ceil(wait.total_seconds()))
            raise SubmissionError(
                column if column == "submitter" else None,
                f"{who} has made {len(times)} submissions in the last 24 hours (at most {limit}); "
                f"the next is allowed in {_duration(seconds)}",
                status=429,
                retry_after_s=seconds,
            )


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes = math.ceil(rest / 60) if rest else 0
    return f"{hours} h {minutes} min" if hours else f"{minutes} min" if minutes else f"{seconds} s"


def check_duplicate(book: Book, entry: ModelEntry, the_plan: Plan) -> None:
    """Refuse an entry already submitted, or already on the board, on the same release of a suite."""
    identity = entry.identity()
    for suite, release in the_plan.releases.items():
        found = book.duplicate(identity, suite, release)
        if found is not None:
            link = f"/models/{identity}" if found["status"] == "FINISHED" else f"/queue#submission-{found['id']}"
            raise SubmissionError(
                None,
                f"this entry (same spec, system prompt and decoding parameters) was submitted already for "
                f"release {release} of suite {suite!r}: submission {found['id']}, {found['status']}; see {link}",
                status=409,
                link=link,
            )
        for run in book.store.list_runs(suite=suite, include_hidden=True):
            if run["model"]["identity"] == identity and run_release(run) == release:
                link = f"/models/{identity}"
                raise SubmissionError(
                    None,
                    f"this entry is on the board already for release {release} of suite {suite!r} "
                    f"(run {run['run_id']}); see {link}",
                    status=409,
                    link=link,
                )


async def check_endpoint(entry: ModelEntry, api_key: str | None) -> None:
    """One short chat request to the endpoint: it must answer within the configured timeout."""
    timeout = get_settings().endpoint_check_timeout_s
    env_name = f"EQUIPOISE_PROBE_{uuid.uuid4().hex}_API_KEY"
    probe = keyed(replace(entry, args={**entry.args, "timeout_s": timeout, "max_retries": 0}), env_name)
    with api_key_in_env(env_name, api_key):
        model = create_model(probe)
        try:
            response = await model.chat(ChatRequest((ChatMessage("user", _PROBE),), GenerateConfig(max_tokens=8)))
        finally:
            await model.aclose()
    if response.failed:
        raise SubmissionError(
            "base_url",
            f"the endpoint did not answer a test chat request (timeout {timeout:g} s): "
            f"{redact(response.error or '', api_key)}. Check the base URL (it ends before /chat/completions, "
            "e.g. https://host/v1), the model name and the API key",
        )


async def submit(
    book: Book, data: dict[str, Any], client_ip: str, admin: bool = False
) -> tuple[dict[str, Any], list[int]]:
    """Check and store a submission: the stored submission (PENDING) as `public` shows it, and the
    ids of its jobs to dispatch (none while it waits for an admin's approval).

    An admin's submission skips the allowance and may name a local model; every submission is
    checked for duplicates, and an endpoint must answer one chat request first.
    """
    form = parse_form(data)
    entry = entry_of(form, admin)

    def checked() -> Plan:
        # hashing data files and reading the store: in a thread, so the server's event loop goes on
        the_plan = plan(form.suites, form.limit)
        if not admin:
            check_allowance(book, form.submitter, client_ip)
        check_duplicate(book, entry, the_plan)
        return the_plan

    the_plan = await asyncio.to_thread(checked)
    if entry.provider == "openai-compat":
        await check_endpoint(entry, form.api_key)
    approved = not get_settings().submissions_need_approval
    submission_id, job_ids = await asyncio.to_thread(
        book.create,
        NewSubmission(
            name=form.name,
            organisation=form.organisation,
            entry=entry_table(entry),
            identity=entry.identity(),
            api_key=form.api_key if entry.provider == "openai-compat" else None,
            suites=list(the_plan.tasks),
            releases=the_plan.releases,
            missing_tasks=the_plan.missing,
            tasks=the_plan.tasks,
            limit=form.limit,
            submitter=form.submitter,
            client_ip=client_ip,
            approved=approved,
        ),
    )
    stored = book.get(submission_id)
    assert stored is not None
    return stored, job_ids if approved else []
