"""SQLAlchemy tables of the results store (the Alembic migrations create them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base for every table."""


class ModelEntryRow(Base):
    """A leaderboard entry: spec + system prompt + decoding parameters (identified by their hash)."""

    __tablename__ = "model_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    spec: Mapped[str] = mapped_column(String(1000))
    entry: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Hidden by an admin: its runs stay stored but no board, page or export shows them.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    runs: Mapped[list[RunRow]] = relationship(back_populates="model")


class RunRow(Base):
    """One evaluation run of one entry."""

    __tablename__ = "runs"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("model_entries.id"))
    suite: Mapped[str | None] = mapped_column(String(100))
    judge: Mapped[str | None] = mapped_column(String(1000))
    started: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    equipoise_version: Mapped[str] = mapped_column(String(40))
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    model: Mapped[ModelEntryRow] = relationship(back_populates="runs")
    tasks: Mapped[list[TaskResultRow]] = relationship(back_populates="run", cascade="all, delete-orphan")


class TaskResultRow(Base):
    """A task's aggregate score within a run."""

    __tablename__ = "task_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    task: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(40))
    n: Mapped[int] = mapped_column(Integer)
    scored: Mapped[int] = mapped_column(Integer)
    mean: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    unparseable: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    # Scored samples the model refused; rows stored before it was counted read 0.
    refused: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    scorer: Mapped[dict[str, Any]] = mapped_column(JSON)
    judges: Mapped[list[str]] = mapped_column(JSON)
    run: Mapped[RunRow] = relationship(back_populates="tasks")


class SampleResultRow(Base):
    """One sample's prompt, response and score within a run."""

    __tablename__ = "sample_results"
    __table_args__ = (Index("ix_sample_results_run_task", "run_id", "task"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    task: Mapped[str] = mapped_column(String(200))
    sample_id: Mapped[str] = mapped_column(String(200))
    messages: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    target: Mapped[Any] = mapped_column(JSON, nullable=True)
    response: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    label: Mapped[str] = mapped_column(String(100))
    judge: Mapped[str] = mapped_column(String(1000))
    rationale: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    latency_s: Mapped[float] = mapped_column(Float)
    cached: Mapped[bool] = mapped_column(Boolean)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON)


class JudgeCheckRow(Base):
    """One judge's agreement with the human labels of one file, as `equipoise judge-check` found it.

    The file is recognised by the sha256 of its bytes (the path is only as it was given). The
    figures are over the verdicts the judge gave: when it gave none (`judged` 0) they are all
    null, and `kappa` is null whenever it is undefined.
    """

    __tablename__ = "judge_checks"
    __table_args__ = (Index("ix_judge_checks_file_task_judge", "file_sha256", "task", "judge"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    equipoise_version: Mapped[str] = mapped_column(String(40))
    file: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64))
    task: Mapped[str] = mapped_column(String(20))
    judge: Mapped[str] = mapped_column(String(1000))
    n: Mapped[int] = mapped_column(Integer)
    judged: Mapped[int] = mapped_column(Integer)
    unparseable: Mapped[int] = mapped_column(Integer)
    accuracy: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[float | None] = mapped_column(Float)
    recall: Mapped[float | None] = mapped_column(Float)
    f1: Mapped[float | None] = mapped_column(Float)
    kappa: Mapped[float | None] = mapped_column(Float)
    tp: Mapped[int | None] = mapped_column(Integer)
    fp: Mapped[int | None] = mapped_column(Integer)
    fn: Mapped[int | None] = mapped_column(Integer)
    tn: Mapped[int | None] = mapped_column(Integer)


class SubmissionRow(Base):
    """A model entry submitted to be evaluated, and where its evaluation stands.

    `api_key` is the submitter's key for their endpoint: the worker hands it to the model adapter
    and nothing else ever reads it (no page, API answer, log line or export carries it).
    """

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_identity", "identity"),
        Index("ix_submissions_submitter_created", "submitter", "created"),
        Index("ix_submissions_client_ip_created", "client_ip", "created"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    organisation: Mapped[str | None] = mapped_column(String(300))
    # the model entry as `ModelEntry.to_dict()` gives it (spec, system prompt, decoding, args)
    entry: Mapped[dict[str, Any]] = mapped_column(JSON)
    identity: Mapped[str] = mapped_column(String(32))
    api_key: Mapped[str | None] = mapped_column(Text)
    suites: Mapped[list[str]] = mapped_column(JSON)
    # per suite, the release its tasks make (what a duplicate is judged by)
    releases: Mapped[dict[str, str]] = mapped_column(JSON)
    # per suite, the tasks it declares whose data this server lacks
    missing_tasks: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    limit: Mapped[int | None] = mapped_column(Integer)
    submitter: Mapped[str] = mapped_column(String(300))
    client_ip: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    approved: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    run_ids: Mapped[list[str]] = mapped_column(JSON)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    jobs: Mapped[list[JobRow]] = relationship(back_populates="submission", order_by="JobRow.id")


class JobRow(Base):
    """One task of one suite of a submission: the unit a worker claims.

    `result` holds the task's scores and samples until every job of the suite is done; then they
    are recorded together as one run, the suite's release. `claims` counts how often a worker
    took the job (a crash makes another take it), `attempts` how often it failed.
    """

    __tablename__ = "submission_jobs"
    __table_args__ = (Index("ix_submission_jobs_status_not_before", "status", "not_before"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    suite: Mapped[str] = mapped_column(String(100))
    task: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    claims: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(200))
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    submission: Mapped[SubmissionRow] = relationship(back_populates="jobs")
