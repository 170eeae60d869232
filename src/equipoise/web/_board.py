"""The board as the web shows it: a ranking narrowed, sorted and trimmed by the URL's query.

Every view of the board (the HTML table, its CSV and JSON downloads, the static export) is built
here from one `BoardQuery`, so a shared link and its downloads hold exactly the same rows.

The columns are declared once (`COLUMNS`); the table, the column chooser, the sort keys and the
download fields are all read from that list.
"""

from __future__ import annotations

import csv
import functools
import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from equipoise._registry import RegistryError
from equipoise.metrics.aggregate import SAFETY_CATEGORIES
from equipoise.metrics.combine import DEFAULT_COMBINATION, combinations, get_combination
from equipoise.ranking import Ranking, RankRow, build_ranking, interval_triple
from equipoise.releases import default_capability_suite
from equipoise.results import TaskResult
from equipoise.store import Store
from equipoise.tasks import suite_names
from equipoise.web._facts import SIZE_KEYS, TYPES, UNKNOWN, EntryFacts, entry_facts

# The board a bare URL shows: the quick suite, which every install can run (`make demo`).
DEFAULT_SUITE = "quick"
ColumnKind = Literal["rank", "text", "interval", "counts"]


@dataclass(frozen=True)
class Column:
    """One board column: its query key, its heading, how it is shown and whether it is by default."""

    key: str
    label: str
    kind: ColumnKind
    default: bool = True
    help: str = ""
    # what an empty cell says: "unknown" for what the entry did not tell
    missing: str = "-"


COLUMNS: tuple[Column, ...] = (
    Column("rank", "rank", "rank", help="Significance tier: models whose overall intervals overlap share a tier"),
    Column("order", "#", "rank", help="Plain order on the board"),
    Column("model", "model", "text"),
    Column("organisation", "organisation", "text", help="Who made the model (entry, else spec)", missing=UNKNOWN),
    Column("parameters", "size", "text", default=False, help="Parameters (entry, else spec)", missing=UNKNOWN),
    Column("open_weights", "weights", "text", default=False, help="Open or closed weights", missing=UNKNOWN),
    Column("tuning", "tuning", "text", default=False, help="Base or chat (known for embedded)", missing=UNKNOWN),
    Column("system_prompt", "system prompt", "text", default=False, help="Whether the entry sends a system prompt"),
    Column("release", "release", "text", default=False, help="Release of the safety / capability suite"),
    Column("judge", "judge", "text", default=False),
    Column("safety", "safety", "interval", help="Macro-average of the four safety categories, 95% interval"),
    Column("capability", "capability", "interval", help="Macro-average of the capability tasks, 95% interval"),
    Column("overall", "overall", "interval", help="The chosen combination of safety and capability"),
    *(Column(c, c.replace("_", " "), "interval", help="Safety category mean, 95% interval") for c in SAFETY_CATEGORIES),
    Column("failed", "failed s/c", "counts", help="Failed model calls, safety / capability side"),
    Column("unparseable", "unparseable s/c", "counts", help="Answers that could not be read, safety / capability"),
    Column("refused", "refused s/c", "counts", help="Refusals, safety / capability side"),
    Column("notes", "notes", "text", help="Incomplete or unscored tasks, missing sides"),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
_BY_KEY = {c.key: c for c in COLUMNS}


class QueryError(ValueError):
    """A query parameter the board cannot use; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class BoardQuery:
    """All view state of the board, as it stands in the URL."""

    suite: str = DEFAULT_SUITE
    capability_suite: str | None = None
    judge: str | None = None
    release: str | None = None
    capability_release: str | None = None
    combine: str = DEFAULT_COMBINATION
    weight: float = 0.5
    sort: str = "order"
    order: Literal["asc", "desc"] = "asc"
    q: str = ""
    columns: tuple[str, ...] = field(default=tuple(c.key for c in COLUMNS if c.default))
    type: tuple[str, ...] = ()
    size: tuple[str, ...] = ()
    org: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        try:
            get_combination(self.combine)
        except ValueError as e:
            raise QueryError("combine", str(e)) from None
        if not 0.0 <= self.weight <= 1.0:
            raise QueryError("weight", f"weight {self.weight} should lie in [0, 1] (the safety side's share)")
        if self.sort not in COLUMN_KEYS:
            raise QueryError("sort", f"unknown sort column {self.sort!r}; choose one of {', '.join(COLUMN_KEYS)}")
        if self.order not in ("asc", "desc"):
            raise QueryError("order", f"order {self.order!r} should be asc or desc")
        unknown = [c for c in self.columns if c not in COLUMN_KEYS]
        if unknown:
            raise QueryError("columns", f"unknown columns {unknown}; choose from {', '.join(COLUMN_KEYS)}")
        for name, known in (("type", tuple(TYPES)), ("size", SIZE_KEYS)):
            wrong = [v for v in getattr(self, name) if v not in known]
            if wrong:
                raise QueryError(name, f"unknown {name} {wrong}; choose from {', '.join(known)}")

    @property
    def weights(self) -> tuple[float, float]:
        """(safety, capability) weights of the `weighted` combination."""
        return self.weight, 1.0 - self.weight

    @property
    def terms(self) -> list[str]:
        """The search terms: `q` split on `;`, blank ones dropped, lower case."""
        return [t.strip().lower() for t in self.q.split(";") if t.strip()]

    @property
    def shown(self) -> list[Column]:
        """The chosen columns in the board's order (the model name always among them)."""
        keys = set(self.columns) | {"model"}
        return [c for c in COLUMNS if c.key in keys]

    def params(self, **changes: Any) -> dict[str, str]:
        """The query string of this view (with `changes`), without the parameters left at their defaults."""
        view = replace(self, **changes)
        default = BoardQuery()
        out: dict[str, str] = {}
        for name in ("suite", "capability_suite", "judge", "release", "capability_release", "combine", "q"):
            value = getattr(view, name)
            if value and value != getattr(default, name):
                out[name] = value
        if view.combine == "weighted":
            out["weight"] = f"{view.weight:g}"
        if (view.sort, view.order) != (default.sort, default.order):
            out["sort"], out["order"] = view.sort, view.order
        # compared as shown: the form sends the default columns without the model (always shown)
        if view.shown != default.shown:
            out["columns"] = ",".join(c.key for c in view.shown)
        if view.type:
            out["type"] = ",".join(t for t in TYPES if t in view.type)
        if view.size:
            out["size"] = ",".join(k for k in SIZE_KEYS if k in view.size)
        if view.org:
            out["org"] = ";".join(view.org)
        return out

    def unfiltered(self) -> BoardQuery:
        """The same board with no search or filter: every entry on it."""
        return replace(self, q="", type=(), size=(), org=())

    def admits(self, facts: EntryFacts) -> bool:
        """Whether an entry with these facts passes the type, size and organisation filters."""
        if self.type and not facts.is_of(self.type):
            return False
        if self.size and facts.size not in self.size:
            return False
        return not self.org or (facts.organisation or UNKNOWN).lower() in {o.lower() for o in self.org}


def split_columns(values: list[str] | None, separator: str = ",") -> tuple[str, ...] | None:
    """A list parameter as given: repeated (`columns=a&columns=b`, a form's checkboxes) and/or
    separated by `separator`."""
    if not values:
        return None
    return tuple(c.strip() for v in values for c in v.split(separator) if c.strip())


@dataclass(frozen=True)
class BoardRow:
    """A row of the view: the ranking's row, its plain order, and its cells' values by column."""

    row: RankRow
    order: int
    values: dict[str, Any]
    facts: EntryFacts

    def sort_value(self, key: str) -> Any:
        """The value a column sorts by (an interval by its point, counts by their sum)."""
        v = self.values[key]
        kind = _BY_KEY[key].kind
        if kind == "counts":
            return sum(v)
        if kind == "interval":
            return v[0]
        if key == "release":
            return "/".join(x or "" for x in v)
        if key == "parameters":
            return self.facts.parameter_count
        return v.lower() if isinstance(v, str) else v


@dataclass(frozen=True)
class BoardView:
    """The board as one URL asks for it."""

    query: BoardQuery
    ranking: Ranking
    rows: list[BoardRow]
    total: int
    organisations: list[str] = field(default_factory=list)
    tasks: dict[str, list[TaskResult]] = field(default_factory=dict)

    @property
    def formula(self) -> str:
        return get_combination(self.ranking.combination).formula

    def task_results(self, r: BoardRow) -> list[TaskResult]:
        """A row's task results, from the runs behind its two sides."""
        runs = dict.fromkeys(i for i in (r.row.safety_run, r.row.capability_run) if i)
        return [t for i in runs for t in self.tasks.get(i, [])]

    def task_means(self, r: BoardRow) -> dict[str, float | None]:
        return {t.task: t.mean for t in self.task_results(r)}

    def releases(self, side: Literal["safety", "capability"]) -> list[str]:
        """The releases of a side's suite with stored runs: the board's, then those it leaves out."""
        suite, release = (
            (self.ranking.safety_suite, self.ranking.safety_release)
            if side == "safety"
            else (self.ranking.capability_suite, self.ranking.capability_release)
        )
        return [*([release] if release else []), *self.ranking.other_releases.get(suite, {})]

    def records(self) -> list[dict[str, Any]]:
        """The shown rows as flat records of the shown columns, intervals as value, low and high."""
        return [_record(r, self.query.shown) for r in self.rows]

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the board's definition, the view's query and its records."""
        board = self.ranking.to_dict()
        del board["rows"]
        return {
            **board,
            "query": self.query.params(),
            "columns": [c.key for c in self.query.shown],
            "shown": len(self.rows),
            "total": self.total,
            "notes": self.ranking.notes(),
            "rows": self.records(),
        }

    def to_csv(self) -> str:
        """CSV of exactly the shown rows and columns. A text cell a spreadsheet would run as a
        formula (a name starting with `=`, `+`, `-` or `@`) is written after a `'`, as OWASP advises."""
        out = io.StringIO()
        fields = [f for c in self.query.shown for f in _fields(c)]
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _inert(v) for k, v in r.items()} for r in self.records())
        return out.getvalue()


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: Any) -> Any:
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value


def _fields(c: Column) -> list[str]:
    if c.kind == "interval":
        return [c.key, f"{c.key}_low", f"{c.key}_high"]
    if c.kind == "counts":
        return [f"safety_{c.key}", f"capability_{c.key}"]
    if c.key == "model":
        return ["model", "spec", "identity"]
    if c.key == "release":
        return ["safety_release", "capability_release"]
    return [c.key]


def _record(r: BoardRow, shown: list[Column]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in shown:
        v = r.values[c.key]
        if c.key == "model":
            out.update(model=r.row.model, spec=r.row.spec, identity=r.row.identity)
        elif isinstance(v, tuple):
            out.update(zip(_fields(c), v, strict=True))
        else:
            out[c.key] = v
    return out


def row_notes(r: RankRow) -> str:
    """What the row lacks, said as `equipoise rank` says it."""
    notes = [r.overall.reason] if r.overall.missing else []
    if r.unscored_tasks:
        notes.append(f"nothing scored in {', '.join(r.unscored_tasks)}")
    if r.incomplete_tasks:
        notes.append(f"incomplete (needs a judge model): {', '.join(r.incomplete_tasks)}")
    return "; ".join(notes)


def _values(r: RankRow, order: int, ranking: Ranking, facts: EntryFacts) -> dict[str, Any]:
    """The row's cells by column; `facts` are its model entry's (display metadata)."""
    s, c = r.safety_counts, r.capability_counts
    return {
        "rank": r.rank,
        "order": order,
        "model": r.model,
        "organisation": facts.organisation,
        "parameters": facts.parameters,
        "open_weights": facts.weights,
        "tuning": facts.tuning,
        "system_prompt": facts.system_prompt,
        "release": (ranking.safety_release, ranking.capability_release),
        "judge": ranking.judge,
        "safety": interval_triple(r.safety),
        "capability": interval_triple(r.capability),
        "overall": (r.overall.value, r.overall.low, r.overall.high),
        **{k: interval_triple(r.category_intervals.get(k)) for k in SAFETY_CATEGORIES},
        "failed": (s.failed, c.failed),
        "unparseable": (s.unparseable, c.unparseable),
        "refused": (s.refused, c.refused),
        "notes": row_notes(r),
    }


def matches(r: BoardRow, terms: list[str]) -> bool:
    """A row matches when any term is in its name, spec, identity or organisation (case-insensitive)."""
    haystack = f"{r.row.model}\n{r.row.spec}\n{r.row.identity}\n{r.values['organisation'] or ''}".lower()
    return not terms or any(t in haystack for t in terms)


# Views of one board kept rendered (distinct queries: sorts, searches, filters; page or download):
# 64 pages of a 200-entry board are about 12 MB.
MEMO_SIZE = 64


@dataclass(frozen=True)
class Board:
    """A ranking and the facts of its rows' model entries (organisation, size, ...), by identity,
    with the views of it already rendered (`memo`)."""

    ranking: Ranking
    facts: dict[str, EntryFacts]
    # the per-task results of the board's runs, by run id (the heat map's cells)
    tasks: dict[str, list[TaskResult]] = field(default_factory=dict)
    _memo: OrderedDict[Any, Any] = field(default_factory=OrderedDict, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def memo(self, key: Any, make: Callable[[], Any]) -> Any:
        """What `make()` gives for `key`, made once for this board: a board is replaced when a run
        of it is stored or deleted, and its rendered views with it. Two threads may both make a
        missing view; both get the same bytes."""
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        value = make()
        with self._lock:
            self._memo[key] = value
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return value

    def organisations(self) -> list[str]:
        """The organisations on the board, for the filter (`unknown` last when some entry has none)."""
        orgs = [self.facts[r.identity].organisation if r.identity in self.facts else None for r in self.ranking.rows]
        return sorted({o for o in orgs if o}, key=str.lower) + ([UNKNOWN] if None in orgs else [])


def view(board: Board, query: BoardQuery) -> BoardView:
    """The rows `query` asks for: recombined, searched, then sorted (empty cells last either way)."""
    ranking = board.ranking.recombined(query.combine, query.weights)
    rows = []
    for i, r in enumerate(ranking.rows, start=1):
        facts = board.facts.get(r.identity) or entry_facts({})
        rows.append(BoardRow(r, i, _values(r, i, ranking, facts), facts))
    shown = [r for r in rows if query.admits(r.facts) and matches(r, query.terms)]
    present = [r for r in shown if r.sort_value(query.sort) is not None]
    empty = [r for r in shown if r.sort_value(query.sort) is None]
    present.sort(key=lambda r: (r.sort_value(query.sort), r.order), reverse=query.order == "desc")
    return BoardView(query, ranking, present + empty, len(rows), board.organisations(), board.tasks)


class RunIds:
    """The store's run ids for the requests of one process, read by one request at a time.

    A request gets the ids from a read that began after it arrived, so it sees every run stored
    before it came; one read serves every request that arrived while the read before it ran. Under
    load this turns one query a request into one query per query time (a board's views are
    rendered once, so the query was most of the work of a request).
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._started = 0  # reads begun
        self._done = 0  # the number of the newest read finished, whose ids are `_ids`
        self._reading = False
        self._ids: tuple[str, ...] = ()

    def get(self, store: Store) -> tuple[str, ...]:
        with self._changed:
            # the read in flight (if any) began before this request: the one after it will do
            needed = self._started + 1
            while self._done < needed:
                if not self._reading:
                    self._reading = True
                    self._started += 1
                    mine = self._started
                    break
                self._changed.wait()
            else:
                return self._ids
        ids: tuple[str, ...] | None = None
        try:
            ids = tuple(store.run_ids())
        finally:
            with self._changed:
                self._reading = False
                if ids is not None:
                    self._ids, self._done = ids, mine
                self._changed.notify_all()
        return ids


class RankingCache:
    """Rankings by their definition and the runs they stand on.

    A board is rebuilt only when its definition changes or a run is added or removed (only the
    run ids are read on every request), so results written by any process appear at the next
    request without a restart; the views rendered from a board (`Board.memo`) go with it.
    """

    def __init__(self, build: Callable[..., Ranking] = build_ranking, size: int = 32) -> None:
        self._build = build
        self._size = size
        self._cache: OrderedDict[tuple[Any, ...], Board] = OrderedDict()
        self._lock = threading.Lock()
        # one lock per board being built: requests that arrive meanwhile wait for it rather than
        # each building it again (a cold board of 200 entries takes seconds)
        self._building: dict[tuple[Any, ...], threading.Lock] = {}
        self._run_ids: dict[str, RunIds] = {}

    def get(self, store: Store, query: BoardQuery) -> Board:
        """The board `query` defines (under the default combination: `view` recombines it)."""
        known = _suites()
        if query.suite not in known:
            raise QueryError("suite", f"unknown suite {query.suite!r}; known suites: {', '.join(known)}")
        if query.capability_suite is not None and query.capability_suite not in known:
            raise QueryError(
                "capability_suite", f"unknown suite {query.capability_suite!r}; known suites: {', '.join(known)}"
            )
        suites = {query.suite, query.capability_suite or _capability_suite(query.suite)}
        # every stored run, not only the board's suites': one query a request, and the charts'
        # DecodingTrust radar reads runs of another suite
        with self._lock:
            run_ids = self._run_ids.setdefault(store.url, RunIds())
        runs = run_ids.get(store)
        key = (query.suite, query.capability_suite, query.judge, query.release, query.capability_release, runs)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            try:
                return self._built(store, query, suites, key)
            finally:
                with self._lock:
                    self._building.pop(key, None)

    def _built(self, store: Store, query: BoardQuery, suites: set[str], key: tuple[Any, ...]) -> Board:
        try:
            ranking = self._build(
                store,
                query.suite,
                query.capability_suite,
                query.judge,
                DEFAULT_COMBINATION,
                release=query.release,
                capability_release=query.capability_release,
            )
        except RegistryError as e:
            raise QueryError("judge", str(e)) from None
        except ValueError as e:
            # The only other refusal of a well-formed query: a release with no runs (the message names it).
            asked_cap = query.capability_release is not None and repr(query.capability_release) in str(e)
            raise QueryError("capability_release" if asked_cap else "release", str(e)) from None
        entries: dict[str, dict[str, Any]] = {}
        used = {i for r in ranking.rows for i in (r.safety_run, r.capability_run) if i}
        tasks: dict[str, list[TaskResult]] = {}
        for s in suites:
            for r in store.list_runs(suite=s):  # newest first: an entry shows its newest metadata
                entries.setdefault(r["model"]["identity"], r["model"])
                if r["run_id"] in used:
                    tasks[r["run_id"]] = r["tasks"]
        board = Board(ranking, {i: entry_facts(e) for i, e in entries.items()}, tasks)
        with self._lock:
            self._cache[key] = board
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return board


@functools.cache
def _suites() -> tuple[str, ...]:
    # the registry is filled when the task modules are imported; asking it builds every task
    return tuple(suite_names())


@functools.cache
def _capability_suite(suite: str) -> str:
    return default_capability_suite(suite)


def combination_choices() -> list[dict[str, Any]]:
    """The combinations for the page's switch: name, formula, whether the weight slider applies."""
    return [{"name": c.name, "formula": c.formula, "uses_weights": c.uses_weights} for c in combinations()]
