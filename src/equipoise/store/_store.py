"""The results store: SQLite by default, PostgreSQL by URL; schema managed by Alembic."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, delete, event, func, insert, select, text, update
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, selectinload

from equipoise._errors import StoreError
from equipoise._version import __version__
from equipoise.results import EvalRun, JudgeCheck, TaskResult
from equipoise.settings import get_settings, sqlalchemy_url
from equipoise.store._schema import JudgeCheckRow, ModelEntryRow, RunRow, SampleResultRow, TaskResultRow

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Per process: a URL whose schema was found at head is not checked again.
_current: set[str] = set()
_current_lock = threading.Lock()
# Any constant shared by every equipoise process: the key of the PostgreSQL advisory lock.
_PG_MIGRATION_LOCK = 0x6571756970  # "equip"
_EXAMPLES = "postgresql://user:password@127.0.0.1:5432/equipoise or sqlite:////absolute/path/equipoise.sqlite"
# A judge check's columns that come from JudgeCheck.to_dict(); the store adds the rest.
_CHECK_FIELDS = tuple(
    c.key for c in JudgeCheckRow.__table__.columns if c.key not in ("id", "created", "equipoise_version", "file_sha256")
)


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the package's migrations and `url`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _engine(url: str, where: str) -> Engine:
    try:
        engine = create_engine(sqlalchemy_url(url), future=True, connect_args=_connect_args(url))
    except (ArgumentError, NoSuchModuleError, ValueError) as e:
        raise StoreError(
            f"{where}: {url!r} is not a database URL this store can open ({e}); examples: {_EXAMPLES}"
        ) from None
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            # Transactions are begun by the "begin" hook below, not by the driver, so that schema
            # changes can take the write lock up front (BEGIN IMMEDIATE).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A writer takes the write lock when it begins: a deferred transaction that reads first
            # and then writes fails at once ("database is locked") when another process wrote in
            # between, instead of waiting its turn.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writer") else "BEGIN")

    return engine


def _connect_args(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # Concurrent processes wait for each other's writes instead of failing at once.
        return {"timeout": 60}
    if url.startswith("postgresql"):
        return {"connect_timeout": 10}
    return {}


@lru_cache(maxsize=1)
def _head() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def _at_head(conn: Connection) -> bool:
    return MigrationContext.configure(conn).get_current_revision() == _head()


def upgrade(store: Store) -> bool:
    """Bring the store's schema to the newest revision; True when anything was applied.

    Idempotent and safe when many processes start on a new store at once: the migration runs in one
    transaction holding a lock (PostgreSQL: an advisory lock; SQLite: BEGIN IMMEDIATE), and each
    process looks at the schema's revision only after it holds the lock.
    """
    try:
        with store.engine.connect() as conn:
            if _at_head(conn):
                return False
        with store.writer.connect() as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            if _at_head(conn):
                return False
            cfg = alembic_config(store.engine.url.render_as_string(hide_password=False))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            return True
    except OperationalError as e:
        raise StoreError(f"{store.where}: cannot reach the results store {store.location}: {_first_line(e)}") from None


def _first_line(e: Exception) -> str:
    return str(getattr(e, "orig", None) or e).strip().splitlines()[0]


def open_store(url: str | None = None, migrate: bool = True) -> Store:
    """The results store at `url` (default: EQUIPOISE_DATABASE_URL, else a SQLite file under the
    equipoise home), with its schema brought up to date once per process unless `migrate` is False.

    A bad URL or a server that does not answer raises StoreError naming where the URL came from.
    """
    settings = get_settings()
    if url is None:
        where = "EQUIPOISE_DATABASE_URL" if settings.database_url else "the default store"
        url = settings.resolved_database_url
    else:
        where = "the store URL"
    store = Store(url, where)
    if migrate:
        with _current_lock:
            if url not in _current:
                upgrade(store)
                _current.add(url)
    return store


class Store:
    """Reads and writes runs and judge checks. Open one with `open_store`, which also brings the
    schema up to date; constructing a Store touches no database."""

    def __init__(self, url: str, where: str = "the store URL") -> None:
        self.url = url
        self.where = where
        self.engine = _engine(url, where)
        # Writes go through this view of the engine (same pool): on SQLite they begin IMMEDIATE.
        self.writer = self.engine.execution_options(writer=True)

    @property
    def location(self) -> str:
        """The store's URL with any password hidden, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def _entry_row(self, session: Session, model: dict[str, Any]) -> ModelEntryRow:
        query = select(ModelEntryRow).where(ModelEntryRow.identity == model["identity"])
        row = session.scalars(query).first()
        if row is not None:
            return row
        try:
            # In a savepoint: another process may insert the same entry at the same moment.
            with session.begin_nested():
                row = ModelEntryRow(identity=model["identity"], name=model["name"], spec=model["spec"], entry=model)
                session.add(row)
            return row
        except IntegrityError:
            return session.scalars(query).one()

    def record_run(self, run: EvalRun) -> None:
        """Store a finished run with its task results and samples, in one transaction."""
        with Session(self.writer) as session, session.begin():
            self.add_run(session, run)

    def add_run(self, session: Session, run: EvalRun) -> None:
        """Add a finished run to `session`'s transaction (the queue records a run and marks its
        submission finished in one)."""
        entry = self._entry_row(session, run.model)
        m = run.manifest
        session.add(
            RunRow(
                id=run.run_id,
                model_id=entry.id,
                suite=run.suite,
                judge=m.judge,
                started=datetime.fromisoformat(m.started),
                finished=datetime.fromisoformat(m.finished) if m.finished else None,
                equipoise_version=m.equipoise_version,
                manifest=m.to_dict(),
            )
        )
        session.add_all(TaskResultRow(run_id=run.run_id, **t.to_dict()) for t in run.tasks)
        # One executemany of plain rows: building an ORM object per sample costs ~1 ms each.
        if run.samples:
            session.execute(
                insert(SampleResultRow),
                [
                    {
                        "run_id": run.run_id,
                        "task": s.task,
                        "sample_id": s.sample_id,
                        "messages": s.messages,
                        "target": s.target,
                        "response": s.response,
                        "score": s.score,
                        "label": s.label,
                        "judge": s.judge,
                        "rationale": s.rationale,
                        "answer": s.answer,
                        "error": s.error,
                        "latency_s": s.latency_s,
                        "cached": s.cached,
                        "meta": s.metadata,
                    }
                    for s in run.samples
                ],
            )

    def list_runs(
        self, model: str | None = None, suite: str | None = None, include_hidden: bool = False
    ) -> list[dict[str, Any]]:
        """Stored runs, newest first, with their task results; those of hidden entries only with
        `include_hidden`."""
        with Session(self.engine) as session:
            q = (
                select(RunRow)
                .options(selectinload(RunRow.model), selectinload(RunRow.tasks))
                .order_by(RunRow.started.desc())
            )
            if not include_hidden:
                q = q.join(RunRow.model).where(ModelEntryRow.hidden.is_(False))
            if suite:
                q = q.where(RunRow.suite == suite)
            rows = session.scalars(q).all()
            out = [self._run_dict(r) for r in rows]
        if model:
            out = [r for r in out if model in (r["model"]["name"], r["model"]["spec"])]
        return out

    def run_ids(self, suite: str | None = None) -> list[str]:
        """The ids of the stored runs (of one suite) of entries not hidden, newest first: what changes
        when a run is recorded or deleted or its entry hidden, at a fraction of `list_runs`'s cost
        (the web board's cache key)."""
        q = select(RunRow.id).join(RunRow.model).where(ModelEntryRow.hidden.is_(False)).order_by(RunRow.started.desc())
        if suite:
            q = q.where(RunRow.suite == suite)
        with Session(self.engine) as session:
            return list(session.scalars(q))

    def get_run(self, run_id: str, with_samples: bool = False) -> dict[str, Any] | None:
        """One run (a unique prefix of its id is enough), optionally with its samples; none when its
        entry is hidden."""
        with Session(self.engine) as session:
            rows = session.scalars(
                select(RunRow)
                .join(RunRow.model)
                .where(RunRow.id.startswith(run_id, autoescape=True), ModelEntryRow.hidden.is_(False))
                .options(selectinload(RunRow.model), selectinload(RunRow.tasks))
            ).all()
            if len(rows) != 1:
                return None
            run = self._run_dict(rows[0])
            if with_samples:
                samples = session.scalars(
                    select(SampleResultRow).where(SampleResultRow.run_id == rows[0].id).order_by(SampleResultRow.id)
                ).all()
                run["samples"] = [
                    {c.key: getattr(s, c.key) for c in SampleResultRow.__mapper__.column_attrs if c.key != "id"}
                    for s in samples
                ]
            return run

    def set_hidden(self, identity: str, hidden: bool) -> bool:
        """Hide a model entry from every board, page and export (or show it again); False when no
        entry has this identity."""
        with Session(self.writer) as session, session.begin():
            result = session.execute(
                update(ModelEntryRow).where(ModelEntryRow.identity == identity).values(hidden=hidden)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def delete_run(self, run_id: str) -> bool:
        """Remove one run and everything under it (its task results and samples)."""
        with Session(self.writer) as session, session.begin():
            session.execute(delete(SampleResultRow).where(SampleResultRow.run_id == run_id))
            session.execute(delete(TaskResultRow).where(TaskResultRow.run_id == run_id))
            result = session.execute(delete(RunRow).where(RunRow.id == run_id))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def record_judge_checks(self, checks: Sequence[JudgeCheck], file_sha256: str) -> None:
        """Store judge checks made on one labelled file, stamped with the time and equipoise's version.

        `file_sha256` is the sha256 of the labelled file's bytes: checks of the same data are
        grouped by it wherever the file lives. Figures a check does not have (no verdicts) are null.
        """
        with Session(self.writer) as session, session.begin():
            for check in checks:
                figures = check.to_dict()
                session.add(
                    JudgeCheckRow(
                        created=datetime.now(UTC),
                        equipoise_version=__version__,
                        file_sha256=file_sha256,
                        **{key: figures.get(key) for key in _CHECK_FIELDS},
                    )
                )

    def judge_checks(
        self, task: str | None = None, judge: str | None = None, latest: bool = True
    ) -> list[dict[str, Any]]:
        """Stored judge checks, newest first, optionally of one task and one judge (its name with
        its version, e.g. `mini-v2`). With `latest`, only the newest check of each (file sha256,
        task, judge): earlier checks of the same judge on the same data are left out."""
        q = select(JudgeCheckRow)
        if task:
            q = q.where(JudgeCheckRow.task == task)
        if judge:
            q = q.where(JudgeCheckRow.judge == judge)
        newest_first = (JudgeCheckRow.created.desc(), JudgeCheckRow.id.desc())
        if latest:
            rank = (
                func.row_number()
                .over(
                    partition_by=(JudgeCheckRow.file_sha256, JudgeCheckRow.task, JudgeCheckRow.judge),
                    order_by=newest_first,
                )
                .label("rank")
            )
            ranked = q.with_only_columns(JudgeCheckRow.id, rank).subquery()
            q = select(JudgeCheckRow).join(ranked, ranked.c.id == JudgeCheckRow.id).where(ranked.c.rank == 1)
        with Session(self.engine) as session:
            rows = session.scalars(q.order_by(*newest_first)).all()
            return [self._check_dict(r) for r in rows]

    @staticmethod
    def _check_dict(r: JudgeCheckRow) -> dict[str, Any]:
        out = {c.key: getattr(r, c.key) for c in JudgeCheckRow.__table__.columns}
        # SQLite hands back the stored UTC time without its zone.
        out["created"] = (r.created if r.created.tzinfo else r.created.replace(tzinfo=UTC)).isoformat()
        return out

    @staticmethod
    def _run_dict(r: RunRow) -> dict[str, Any]:
        tasks = [
            TaskResult(
                task=t.task,
                category=t.category,
                n=t.n,
                scored=t.scored,
                mean=t.mean,
                ci_low=t.ci_low,
                ci_high=t.ci_high,
                unparseable=t.unparseable,
                failed=t.failed,
                refused=t.refused,
                scorer=t.scorer,
                judges=t.judges,
                version=t.version,
            )
            for t in sorted(r.tasks, key=lambda t: t.task)
        ]
        started = r.started if r.started.tzinfo else r.started.replace(tzinfo=UTC)
        return {
            "run_id": r.id,
            "model": r.model.entry,
            "suite": r.suite,
            "judge": r.judge,
            "started": started.isoformat(),
            "equipoise_version": r.equipoise_version,
            "manifest": r.manifest,
            "tasks": tasks,
        }
