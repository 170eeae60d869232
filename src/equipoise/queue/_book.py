"""The submissions and their jobs in the store: every state change is one short transaction.

No transaction is held across a model call: a worker `start`s a job (one transaction), runs it
with none open, reports `progress` (one small transaction at a time) and then `complete`s or
`fail`s it (one transaction). `complete` records the suite's run and finishes the submission in
the same transaction that marks its last job done, so a job re-run after a crash can never record
a second run: the first to commit wins and the other finds the job done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from equipoise.queue._types import ACTIVE, TERMINAL, JobState, Status
from equipoise.results import EvalRun
from equipoise.store import JobRow, Store, SubmissionRow

# What a finished suite's jobs are merged into: (the submission, the suite, its jobs) -> the run.
Merge = Callable[[SubmissionRow, str, list[JobRow]], EvalRun]


def now() -> datetime:
    return datetime.now(UTC)


def _aware(t: datetime) -> datetime:
    # SQLite hands back the stored UTC time without its zone.
    return t if t.tzinfo else t.replace(tzinfo=UTC)


@dataclass(frozen=True)
class JobWork:
    """What a worker needs to run one job (read in `start`; the API key lives only here)."""

    job_id: int
    submission_id: int
    suite: str
    task: str
    entry: dict[str, Any]
    api_key: str | None
    limit: int | None
    claims: int
    attempts: int


@dataclass(frozen=True)
class NewSubmission:
    """A checked submission, ready to store."""

    name: str
    organisation: str | None
    entry: dict[str, Any]
    identity: str
    api_key: str | None
    suites: list[str]
    releases: dict[str, str]
    missing_tasks: dict[str, list[str]]
    tasks: dict[str, dict[str, int]]
    limit: int | None
    submitter: str
    client_ip: str
    approved: bool


class Book:
    """Submissions and jobs in one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _locked(self, session: Session, submission_id: int) -> SubmissionRow | None:
        # FOR UPDATE serialises the workers finishing a submission's jobs on PostgreSQL; on SQLite
        # the writer's BEGIN IMMEDIATE already does.
        return session.scalars(select(SubmissionRow).where(SubmissionRow.id == submission_id).with_for_update()).first()

    # -- submitting ---------------------------------------------------------------------------

    def _open_job(self, session: Session, job_id: int) -> tuple[JobRow, SubmissionRow] | None:
        """The job and its submission (locked, the job re-read under the lock), or None when either is
        gone or over: a result or a failure then changes nothing."""
        job = session.get(JobRow, job_id)
        if job is None:
            return None
        sub = self._locked(session, job.submission_id)
        session.refresh(job)
        if sub is None or sub.status in TERMINAL or job.status in (JobState.DONE, JobState.FAILED):
            return None
        return job, sub

    def create(self, new: NewSubmission) -> tuple[int, list[int]]:
        """Store a submission with one queued job per task of each suite: (its id, the job ids)."""
        t = now()
        with Session(self.store.writer) as session, session.begin():
            row = SubmissionRow(
                name=new.name,
                organisation=new.organisation,
                entry=new.entry,
                identity=new.identity,
                api_key=new.api_key,
                suites=new.suites,
                releases=new.releases,
                missing_tasks=new.missing_tasks,
                limit=new.limit,
                submitter=new.submitter,
                client_ip=new.client_ip,
                status=Status.PENDING,
                approved=new.approved,
                error=None,
                run_ids=[],
                created=t,
                updated=t,
            )
            session.add(row)
            session.flush()
            jobs = [
                JobRow(
                    submission_id=row.id,
                    suite=suite,
                    task=task,
                    status=JobState.QUEUED,
                    claims=0,
                    attempts=0,
                    done=0,
                    total=samples,
                    not_before=t,
                    updated=t,
                )
                for suite in new.suites
                for task, samples in new.tasks[suite].items()
            ]
            session.add_all(jobs)
            session.flush()
            return row.id, [j.id for j in jobs]

    def recent(self, column: str, value: str, window: timedelta) -> list[datetime]:
        """When the submissions of one submitter (`column` "submitter") or one client address
        ("client_ip") in the last `window` were made, oldest first."""
        col = getattr(SubmissionRow, column)
        with Session(self.store.engine) as session:
            rows = session.scalars(
                select(SubmissionRow.created).where(col == value, SubmissionRow.created > now() - window)
            ).all()
        return sorted(_aware(t) for t in rows)

    def duplicate(self, identity: str, suite: str, release: str) -> dict[str, Any] | None:
        """A submission of the same entry (spec, prompt, decoding) on the same release of `suite`
        that has not failed, been cancelled or been rejected."""
        with Session(self.store.engine) as session:
            rows = session.scalars(
                select(SubmissionRow)
                .where(SubmissionRow.identity == identity, SubmissionRow.status.in_((*ACTIVE, Status.FINISHED)))
                .order_by(SubmissionRow.id)
            ).all()
            for r in rows:
                if suite in r.suites and r.releases.get(suite) == release:
                    return {"id": r.id, "status": r.status}
        return None

    # -- reading ------------------------------------------------------------------------------

    def list(self, limit: int = 200, admin: bool = False) -> list[dict[str, Any]]:
        """The newest submissions with their jobs, as `public` shows them."""
        with Session(self.store.engine) as session:
            rows = session.scalars(
                select(SubmissionRow)
                .options(selectinload(SubmissionRow.jobs))
                .order_by(SubmissionRow.id.desc())
                .limit(limit)
            ).all()
            return [public(r, admin) for r in rows]

    def counts(self) -> dict[str, int]:
        """How many submissions are in each state (every state named, 0 when none)."""
        with Session(self.store.engine) as session:
            rows = session.execute(select(SubmissionRow.status, func.count()).group_by(SubmissionRow.status)).all()
        found = dict(rows)
        return {s: int(found.get(s, 0)) for s in (*ACTIVE, *TERMINAL)}

    def get(self, submission_id: int, admin: bool = False) -> dict[str, Any] | None:
        with Session(self.store.engine) as session:
            row = session.get(SubmissionRow, submission_id, options=[selectinload(SubmissionRow.jobs)])
            return None if row is None else public(row, admin)

    def runnable_jobs(self, older_than: timedelta = timedelta(0)) -> list[tuple[int, int]]:
        """(job id, attempts) of the queued jobs of approved, live submissions that are due and have
        waited at least `older_than` since their last change: what a dispatcher may have lost."""
        t = now()
        with Session(self.store.engine) as session:
            rows = session.execute(
                select(JobRow.id, JobRow.attempts)
                .join(JobRow.submission)
                .where(
                    JobRow.status == JobState.QUEUED,
                    JobRow.not_before <= t,
                    JobRow.updated <= t - older_than,
                    SubmissionRow.approved.is_(True),
                    SubmissionRow.status.in_(ACTIVE),
                )
                .order_by(JobRow.id)
            ).all()
        return [(i, a) for i, a in rows]

    # -- the worker's side ----------------------------------------------------------------------

    def claim_next(self, worker: str) -> int | None:
        """Take the oldest due job (the in-process worker's way of claiming); None when none is."""
        for job_id, _ in self.runnable_jobs():
            with Session(self.store.writer) as session, session.begin():
                taken = session.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id, JobRow.status == JobState.QUEUED)
                    .values(status=JobState.CLAIMED, worker=worker, updated=now())
                )
                if taken.rowcount:  # type: ignore[attr-defined]
                    return job_id
        return None

    def start(self, job_id: int, worker: str) -> JobWork | None:
        """Mark a job running under `worker` and its submission RUNNING; None when the job is not to
        run (done already, cancelled, its submission over or not approved)."""
        with Session(self.store.writer) as session, session.begin():
            job = session.get(JobRow, job_id)
            if job is None:
                return None
            sub = self._locked(session, job.submission_id)
            if sub is None or not sub.approved or sub.status in TERMINAL:
                return None
            if job.status not in (JobState.QUEUED, JobState.CLAIMED, JobState.RUNNING):
                return None
            t = now()
            job.status, job.worker, job.claims, job.updated, job.done = JobState.RUNNING, worker, job.claims + 1, t, 0
            if sub.status == Status.PENDING:
                sub.status = Status.RUNNING
            sub.updated = t
            return JobWork(
                job.id, sub.id, job.suite, job.task, dict(sub.entry), sub.api_key, sub.limit, job.claims, job.attempts
            )

    def progress(self, job_id: int, done: int, total: int) -> bool:
        """Record a running job's progress; False when the job should stop (it was cancelled or
        taken from this worker)."""
        with Session(self.store.writer) as session, session.begin():
            result = session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status == JobState.RUNNING)
                .values(done=done, total=total, updated=now())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def complete(self, job_id: int, result: dict[str, Any], merge: Merge) -> bool:
        """Store a job's result; when it is the suite's last, record the suite's run, and when it is
        the submission's last, finish it. False when the job was done already (a re-run after a
        crash) or its submission is over: nothing is written then."""
        with Session(self.store.writer) as session, session.begin():
            open_job = self._open_job(session, job_id)
            if open_job is None:
                return False
            job, sub = open_job
            job.status, job.result, job.error, job.updated = JobState.DONE, result, None, now()
            job.done = job.total = len(result["samples"])
            session.flush()
            jobs = list(session.scalars(select(JobRow).where(JobRow.submission_id == sub.id).order_by(JobRow.id)))
            suite_jobs = [j for j in jobs if j.suite == job.suite]
            if all(j.status == JobState.DONE for j in suite_jobs):
                run = merge(sub, job.suite, suite_jobs)
                self.store.add_run(session, run)
                sub.run_ids = [*sub.run_ids, run.run_id]
            if all(j.status == JobState.DONE for j in jobs):
                sub.status = Status.FINISHED
                sub.error = None
            sub.updated = now()
            return True

    def fail(self, job_id: int, error: str, max_attempts: int, retry_delay_s: float) -> float | None:
        """Count a failed attempt. Returns the delay before the job is tried again, or None when it
        has used its attempts: the job is FAILED, and so is its submission, with the reason."""
        with Session(self.store.writer) as session, session.begin():
            open_job = self._open_job(session, job_id)
            if open_job is None:
                return None
            job, sub = open_job
            t = now()
            job.attempts += 1
            job.error, job.updated = error, t
            if job.attempts < max_attempts:
                delay = retry_delay_s * 2 ** (job.attempts - 1)
                job.status, job.not_before = JobState.QUEUED, t + timedelta(seconds=delay)
                return delay
            job.status = JobState.FAILED
            sub.status, sub.updated = Status.FAILED, t
            sub.error = f"task {job.task} of suite {job.suite} failed {job.attempts} times; the last error: {error}"
            # the submission is over: the other jobs stop (a running one at its next progress report)
            for other in sub.jobs:
                if other.status in (JobState.QUEUED, JobState.CLAIMED, JobState.RUNNING):
                    other.status = JobState.CANCELLED
            return None

    def requeue_running(self) -> int:
        """Put back every running or claimed job (the in-process worker's restart: whatever it was
        running died with it); the number put back."""
        with Session(self.store.writer) as session, session.begin():
            result = session.execute(
                update(JobRow)
                .where(JobRow.status.in_((JobState.RUNNING, JobState.CLAIMED)))
                .values(status=JobState.QUEUED, done=0, updated=now())
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    # -- admin ---------------------------------------------------------------------------------

    def approve(self, submission_id: int) -> list[int]:
        """Let a PENDING submission run: the ids of its jobs to dispatch."""
        with Session(self.store.writer) as session, session.begin():
            sub = self._check(session, submission_id, (Status.PENDING,), "approve")
            if sub.approved:
                raise AdminConflict(f"submission {submission_id} is approved already")
            sub.approved, sub.updated = True, now()
            return [j.id for j in sub.jobs if j.status == JobState.QUEUED]

    def reject(self, submission_id: int, reason: str) -> None:
        with Session(self.store.writer) as session, session.begin():
            sub = self._check(session, submission_id, (Status.PENDING,), "reject")
            self._stop(sub, Status.REJECTED, reason or "rejected by an admin")

    def cancel(self, submission_id: int) -> None:
        """Stop a submission: queued jobs are dropped and running ones stop at their next progress."""
        with Session(self.store.writer) as session, session.begin():
            sub = self._check(session, submission_id, ACTIVE, "cancel")
            self._stop(sub, Status.CANCELLED, "cancelled by an admin")

    def rerun(self, submission_id: int) -> list[int]:
        """Run a finished, failed or cancelled submission again from the start (approved): the ids
        of its jobs to dispatch."""
        with Session(self.store.writer) as session, session.begin():
            sub = self._check(session, submission_id, (Status.FINISHED, Status.FAILED, Status.CANCELLED), "rerun")
            t = now()
            sub.status, sub.error, sub.approved, sub.updated = Status.PENDING, None, True, t
            for j in sub.jobs:
                j.status, j.attempts, j.claims, j.done, j.error, j.result = JobState.QUEUED, 0, 0, 0, None, None
                j.not_before = j.updated = t
            return [j.id for j in sub.jobs]

    def _check(self, session: Session, submission_id: int, allowed: tuple[str, ...], action: str) -> SubmissionRow:
        sub = self._locked(session, submission_id)
        if sub is None:
            raise AdminNotFound(f"no submission {submission_id}")
        if sub.status not in allowed:
            raise AdminConflict(
                f"cannot {action} submission {submission_id}: it is {sub.status}; "
                f"only a submission that is {' or '.join(allowed)} can be"
            )
        return sub

    @staticmethod
    def _stop(sub: SubmissionRow, status: str, reason: str) -> None:
        t = now()
        sub.status, sub.error, sub.updated = status, reason, t
        for j in sub.jobs:
            if j.status in (JobState.QUEUED, JobState.CLAIMED, JobState.RUNNING):
                j.status, j.updated = JobState.CANCELLED, t


class AdminNotFound(LookupError):
    """The submission an admin action names does not exist."""


class AdminConflict(ValueError):
    """An admin action that the submission's state does not allow."""


def public(row: SubmissionRow, admin: bool = False) -> dict[str, Any]:
    """A submission as pages and the API show it: never its API key; who submitted it (a name or an
    e-mail address) and from which address only to an admin."""
    jobs = list(row.jobs)
    totals = [j.total for j in jobs if j.total is not None]
    entry = row.entry
    out: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "organisation": row.organisation,
        "spec": entry["spec"],
        "identity": row.identity,
        "system_prompt": entry.get("system_prompt"),
        "decoding": {k: v for k, v in entry.items() if k in _DECODING},
        "suites": row.suites,
        "limit": row.limit,
        "has_api_key": row.api_key is not None,
        "status": row.status,
        "approved": row.approved,
        "error": row.error,
        "progress": {
            "samples_done": sum(j.done for j in jobs),
            "samples_total": sum(totals) if len(totals) == len(jobs) else None,
            "jobs_done": sum(j.status == JobState.DONE for j in jobs),
            "jobs": len(jobs),
        },
        "jobs": [
            {
                "suite": j.suite,
                "task": j.task,
                "status": j.status,
                "done": j.done,
                "total": j.total,
                "attempts": j.attempts,
                "error": j.error,
            }
            for j in jobs
        ],
        "run_ids": row.run_ids,
        "created": _aware(row.created).isoformat(),
        "updated": _aware(row.updated).isoformat(),
    }
    if admin:
        out["submitter"], out["client_ip"] = row.submitter, row.client_ip
    return out


_DECODING = ("temperature", "max_tokens", "seed", "top_p", "stop")
