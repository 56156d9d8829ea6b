"""The embedded backend: SQLite FTS5 in its own file (`settings.search_path`).

Layout of the file:
* `doc`   — one row per search document (original text for snippets, facet values). Its
            integer `rid` is the FTS rowid; a full rebuild assigns rids oldest-first and new
            documents get the next rid, so a higher rid means a more recent publication.
* `fts`   — contentless FTS5 table over the bigram token streams (`search.text`), plus an `f`
            column of facet tokens so filters run inside the full-text index. Contentless keeps
            the file small; deleting a row re-derives its tokens from `doc`.
* `exact` — folded exact names and numbers → rid, for the "exact matches first" rank.

Every SQLite call runs in a worker thread (asyncio.to_thread) so the event loop that also
serves requests and the outbox worker is never blocked. WAL lets readers run beside the writer.
A rebuild writes a new file and renames it over the old one; connections notice the new inode.
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import contextlib
import datetime as dt
import functools
import json
import logging
import math
import operator
import os
import pickle
import queue
import sqlite3
import sys
import threading
from collections.abc import AsyncIterable, AsyncIterator, Callable, Sequence
from typing import Any, TypeVar

from search.index import FACETS, IndexHit, IndexPage, IndexQuery, SearchDoc, SearchUnavailable, doc_key
from search.text import Phrase, analyse, analyse_fields, exact_key, fold, fts5_match, query_phrases

T = TypeVar("T")

log = logging.getLogger("gongshi.search")
SCHEMA_VERSION = "1"
# A two-character query can match most of a million records; bm25 over all of them and exact
# facet counts would cost far more than the 50 ms a search may take. So:
# * relevance (bm25) orders the newest RANK_WINDOW matches (as many as can be paged through);
# * up to EXACT_LIMIT matches, total and facets are exact; beyond it they are estimated from
#   SAMPLE_SLICES evenly spread slices of the matches (and the page says so).
RANK_WINDOW = 1000
EXACT_LIMIT = 1000
SAMPLE_SLICES = 10
SAMPLE_PER_SLICE = 60
TITLE_WEIGHT = 10.0

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS doc (
    rid INTEGER PRIMARY KEY, key TEXT NOT NULL, type TEXT NOT NULL, obj_id TEXT NOT NULL,
    year INTEGER, region TEXT NOT NULL, depts TEXT NOT NULL, cats TEXT NOT NULL, uscc TEXT NOT NULL,
    pub TEXT, url TEXT NOT NULL, exact TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS exact (term TEXT NOT NULL, rid INTEGER NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5 (
    title, body, f, content='', columnsize=0, prefix='1', tokenize='ascii'
);
"""
# The FTS5 table, in order:
# * contentless: the text is in `doc`; deleting a row re-derives its tokens (`_columns`).
# * columnsize=0: no per-row length record (a B-tree row per document); bm25 is computed in
#   Python from the stored text (`_bm25`), so FTS5 never needs the lengths.
# * prefix='1': an index of every token's first character, for the one-character query `c*`
#   (search.text): without it, `药*` merges the doclists of every 药x bigram on every query.
# * tokenize='ascii': the columns hold token streams that search.text already folded and split
#   (letters, digits and CJK separated by single spaces), so splitting on ASCII spaces and
#   punctuation gives exactly those tokens; unicode61 would classify and case-fold every
#   character again (about a fifth of FTS5's insert time). Files built with the earlier
#   unicode61 table keep it (CREATE ... IF NOT EXISTS) and split the same streams the same way.
# Created after a bulk load (one sort instead of a million random B-tree inserts).
_INDEXES = """
CREATE UNIQUE INDEX IF NOT EXISTS doc_key ON doc (key);
CREATE INDEX IF NOT EXISTS doc_uscc ON doc (uscc) WHERE uscc <> '';
CREATE INDEX IF NOT EXISTS exact_term ON exact (term);
"""
_DDL = _TABLES + _INDEXES
_SEP = "\x1f"
_DOC_COLS = "rid, key, type, obj_id, year, region, depts, cats, uscc, pub, url, exact, title, body"


def _hex(value: str) -> str:
    return value.encode().hex()


def facet_tokens(type_: str, year: int | None, region: str, depts: Sequence[str], cats: Sequence[str]) -> str:
    """Filter tokens: letters and digits only, so unicode61 keeps each one whole."""
    toks = [f"t{type_}"]
    if year:
        toks.append(f"y{year}")
    if region:
        toks.append(f"r{region[:2]}")
        if len(region) > 2:
            toks.append(f"r{region[:4]}")
        if len(region) > 4:
            toks.append(f"r{region}")
    toks.extend(f"d{_hex(d)}" for d in depts)
    toks.extend(f"c{c.lower()}" for c in cats)
    return " ".join(toks)


def _row(rid: int | None, doc: SearchDoc) -> tuple[Any, ...]:
    """A `doc` row, columns in _DOC_COLS order."""
    return (
        rid,
        doc.key,
        doc.type,
        doc.id,
        doc.year,
        doc.region_code,
        ",".join(doc.departments),
        ",".join(doc.categories),
        doc.uscc,
        doc.published_on.isoformat() if doc.published_on else None,
        doc.url_path,
        _SEP.join(doc.exact),
        doc.title,
        doc.body,
    )


def _columns(row: tuple[Any, ...]) -> tuple[tuple[str, str, str], set[str]]:
    """FTS column values and exact keys, derived from a `doc` row only.

    Deleting from a contentless FTS5 table needs the very tokens that were inserted, so this
    (through `_derive`, which the bulk build calls with the same column values) is the one
    function that produces them, on insert and on delete alike.
    """
    _rid, _key, type_, _id, year, region, depts, cats, uscc, _pub, _url, exact, title, body = row
    return _derive(type_, year, region, depts, cats, uscc, exact, title, body)


# Titles and names recur (an entity's results and honours carry its name), and so do task
# numbers (one task, many results): each distinct one is tokenized once per process while it is
# among the last 131,072 seen (a million demo results: 108,000 names, 9 in 10 task numbers repeat).
_analyse_cached = functools.lru_cache(maxsize=131072)(analyse)


def _derive(
    type_: str, year: int | None, region: str, depts: str, cats: str, uscc: str, exact: str, title: str, body: str
) -> tuple[tuple[str, str, str], set[str]]:
    title_toks, title_key = _analyse_cached(title)
    body_parts = [analyse_fields(body)]
    keys = {title_key}
    for x in exact.split(_SEP) if exact else ():
        if x != title:
            toks, k = _analyse_cached(x)
            keys.add(k)
            if x not in title and x not in body:  # already indexed as text otherwise
                body_parts.append(toks)
    if uscc:
        body_parts.append(uscc.lower())
    keys.discard("")
    return (title_toks, " ".join(body_parts), _facets_of(type_, year, region, depts, cats)), keys


@functools.lru_cache(maxsize=65536)
def _facets_of(type_: str, year: int | None, region: str, depts: str, cats: str) -> str:
    # Few distinct combinations across many documents: computed once each.
    return facet_tokens(type_, year, region, depts.split(",") if depts else (), cats.split(",") if cats else ())


def _connect(path: str) -> sqlite3.Connection:
    con = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA cache_size=-65536")
    return con


def _inode(path: str) -> int:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return -1


class EmbeddedIndex:
    backend = "embedded"

    def __init__(self, path: str) -> None:
        self.path = path
        d = os.path.dirname(os.path.abspath(path))
        os.makedirs(d, exist_ok=True)
        self._lock = threading.Lock()  # one writer at a time
        self._readers: queue.SimpleQueue[tuple[int, sqlite3.Connection]] = queue.SimpleQueue()
        self._writer: sqlite3.Connection | None = None
        self._writer_ino = -2
        # Whether a large rebuild runs in worker processes (None: when it can help, `_split()`),
        # and from how many documents on.
        self.build_in_processes: bool | None = None
        self.build_parallel_min = BUILD_PARALLEL_MIN
        con = _connect(path)
        con.executescript(_DDL)
        con.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        con.close()

    # --- connections -------------------------------------------------------------------

    def _write_con(self) -> sqlite3.Connection:
        ino = _inode(self.path)
        if self._writer is None or ino != self._writer_ino:
            if self._writer is not None:
                self._writer.close()
            self._writer = _connect(self.path)
            self._writer.executescript(_DDL)
            self._writer_ino = _inode(self.path)
        return self._writer

    def _read(self, fn: Callable[..., T], *args: Any) -> T:
        ino = _inode(self.path)
        try:
            while True:
                got_ino, con = self._readers.get_nowait()
                if got_ino == ino:
                    break
                con.close()  # the file was replaced by a rebuild
        except queue.Empty:
            con = _connect(self.path)
        try:
            return fn(con, *args)
        except sqlite3.Error as e:
            raise SearchUnavailable(f"embedded search index error: {e}") from e
        finally:
            self._readers.put((ino, con))

    def _write(self, fn: Callable[..., T], *args: Any) -> T:
        with self._lock:
            con = self._write_con()
            try:
                con.execute("BEGIN IMMEDIATE")
                out = fn(con, *args)
                con.execute("COMMIT")
                return out
            except sqlite3.Error as e:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise SearchUnavailable(f"embedded search index error: {e}") from e
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise

    # --- writes ---------------------------------------------------------------------------

    @staticmethod
    def _delete_rids(con: sqlite3.Connection, rids: list[int]) -> None:
        for i in range(0, len(rids), 500):
            chunk = rids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = con.execute(f"SELECT {_DOC_COLS} FROM doc WHERE rid IN ({marks})", chunk).fetchall()
            derived = [(r[0], *_columns(r)) for r in rows]
            con.executemany(
                "INSERT INTO fts (fts, rowid, title, body, f) VALUES ('delete', ?, ?, ?, ?)",
                [(rid, *cols) for rid, cols, _ in derived],
            )
            con.executemany(
                "DELETE FROM exact WHERE term = ? AND rid = ?", [(k, rid) for rid, _, keys in derived for k in keys]
            )
            con.execute(f"DELETE FROM doc WHERE rid IN ({marks})", chunk)

    @staticmethod
    def _insert(con: sqlite3.Connection, items: list[tuple[int | None, SearchDoc]]) -> None:
        for rid, doc in items:
            if rid is None:
                rid = con.execute("SELECT coalesce(max(rid), 0) + 1 FROM doc").fetchone()[0]
            row = _row(rid, doc)
            con.execute(f"INSERT INTO doc ({_DOC_COLS}) VALUES ({','.join('?' * 14)})", row)
            cols, keys = _columns(row)
            con.execute("INSERT INTO fts (rowid, title, body, f) VALUES (?,?,?,?)", (rid, *cols))
            con.executemany("INSERT INTO exact VALUES (?, ?)", [(k, rid) for k in keys])

    def _upsert_sync(self, con: sqlite3.Connection, docs: Sequence[SearchDoc]) -> None:
        latest = {d.key: d for d in docs}  # the last version of a key wins
        keys = list(latest)
        old: dict[str, int] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            old.update(
                con.execute(f"SELECT key, rid FROM doc WHERE key IN ({','.join('?' * len(chunk))})", chunk).fetchall()
            )
        # A replaced document keeps its rid, so its place in the recency order does not move.
        self._delete_rids(con, list(old.values()))
        self._insert(con, [(old.get(k), d) for k, d in latest.items()])

    def _delete_sync(self, con: sqlite3.Connection, keys: Sequence[str]) -> None:
        rids: list[int] = []
        keys = list(keys)
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            rids += [
                r[0] for r in con.execute(f"SELECT rid FROM doc WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            ]
        self._delete_rids(con, rids)

    async def upsert(self, docs: Sequence[SearchDoc]) -> None:
        if docs:
            await asyncio.to_thread(self._write, self._upsert_sync, docs)

    async def delete(self, keys: Sequence[str]) -> None:
        if keys:
            await asyncio.to_thread(self._write, self._delete_sync, keys)

    async def count(self) -> int:
        return await asyncio.to_thread(self._read, lambda con: con.execute("SELECT count(*) FROM doc").fetchone()[0])

    async def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        while True:
            try:
                self._readers.get_nowait()[1].close()
            except queue.Empty:
                break

    # --- rebuild --------------------------------------------------------------------------

    async def rebuild(self, batches: AsyncIterable[list[SearchDoc]]) -> int:
        """Build a new file beside the old one and rename it into place.

        Documents should come oldest first: rids then follow publication order. The build
        file is scratch until the rename, so it is written without journal or fsync, with
        FTS5 automerge off and one large in-memory segment, and the B-tree indexes made last.

        A large build (BUILD_PARALLEL_MIN documents or more) runs in two worker processes
        (`search.build_worker`): one tokenizes (`_derive`, pure Python) and writes the `doc` and
        `exact` rows and their indexes into a file of its own, the other writes the FTS5 index
        into the build file and, at the end, copies the first one's tables in (`_writer_finish`). This process only
        turns documents into columns and passes them on. In one process the halves could not
        overlap: the sqlite3 module holds the GIL between rows, so a thread tokenizing beside it
        stalls the writer. Batches travel as a few NUL-joined strings (`_pack`), so pickling
        costs little.
        """
        tmp = self.path + ".rebuild"
        _remove(tmp)
        _remove(tmp + "-docs")
        source = aiter(batches)
        first: list[list[SearchDoc]] = []
        buffered = 0
        async for batch in source:
            if batch:
                first.append(batch)
                buffered += len(batch)
                if buffered >= self.build_parallel_min:
                    break
        split = self.build_in_processes if self.build_in_processes is not None else _split()
        try:
            n = -1
            if buffered >= self.build_parallel_min and split:
                try:
                    n = await _build_in_processes(tmp, first, source)
                except _NoWorkers as e:  # nothing written yet: build here instead
                    log.warning("search rebuild runs in one process: %s", e)
                    _remove(tmp)
                    _remove(tmp + "-docs")
            if n < 0:
                n = await _build_here(tmp, first, source)
        except BaseException:
            _remove(tmp)
            raise
        finally:
            _remove(tmp + "-docs")
        with self._lock:
            os.replace(tmp, self.path)
            for suffix in ("-wal", "-shm"):
                if os.path.exists(self.path + suffix):
                    os.remove(self.path + suffix)
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        return n

    # --- search ---------------------------------------------------------------------------

    async def search(self, query: IndexQuery) -> IndexPage:
        return await asyncio.to_thread(self._read, _search, query)


# --- the bulk build ------------------------------------------------------------------------

# FTS5 keeps new postings in memory until they pass this size, then writes them as a segment.
# At the default (1 MiB) a rebuild writes hundreds of segments, and with automerge off FTS5
# still merges them whenever 16 pile up at one level (crisismerge); below this size the whole
# build is one segment, written once at COMMIT (a million results: one segment, about 500 MB
# of memory at the peak). Reset to the default after the build.
BUILD_HASHSIZE = 512 * 1024 * 1024
_DEFAULT_HASHSIZE = 1024 * 1024
# Build in worker processes from this many documents on; below it, starting them costs more
# than it saves.
BUILD_PARALLEL_MIN = 4000
_AHEAD = 3  # batches queued for the tokenizer, and for the writer
_NUL = "\x00"
_INSERT_DOC = f"INSERT INTO doc ({_DOC_COLS}) VALUES ({','.join('?' * 14)})"
# The `doc` columns that `_derive` reads, by position in `_doc_columns`.
_TOKENIZED = (2, 4, 5, 6, 7, 8, 11, 12, 13)  # type, year, region, depts, cats, uscc, exact, title, body
_YEAR, _PUB = 4, 9
_FIELDS = operator.attrgetter(
    "type",
    "id",
    "year",
    "region_code",
    "departments",
    "categories",
    "uscc",
    "published_on",
    "url_path",
    "exact",
    "title",
    "body",
)


def _remove(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path + suffix)


def _split() -> bool:
    """Whether a large build runs in two worker processes: only with a second CPU."""
    return (os.cpu_count() or 1) > 1


def _doc_columns(first_rid: int, batch: list[SearchDoc]) -> list[Any]:
    """The `doc` rows of a batch as columns in _DOC_COLS order (the values of `_row`), built
    with C-level maps (one attribute fetch per document): zip(*columns) is what SQLite gets."""
    types, ids, years, regions, depts, cats, usccs, pubs, urls, exacts, titles, bodies = zip(
        *map(_FIELDS, batch), strict=False
    )
    return [
        range(first_rid, first_rid + len(batch)),
        list(map(doc_key, types, ids)),
        types,
        ids,
        years,
        regions,
        list(map(",".join, depts)),
        list(map(",".join, cats)),
        usccs,
        [d.isoformat() if d else None for d in pubs],
        urls,
        list(map(_SEP.join, exacts)),
        titles,
        bodies,
    ]


def _pack(cols: list[Any]) -> tuple[int, int, list[Any]]:
    """Columns for another process: each text column as one NUL-joined string (pickled as one
    object instead of thousands), or as itself when some value holds a NUL."""
    rids: range = cols[0]
    n = len(rids)
    out: list[Any] = [None]
    for i, c in enumerate(cols[1:], start=1):
        if i == _PUB:
            c = [p or "" for p in c]  # None: no date (an ISO date is never empty)
        if i != _YEAR:
            s = _NUL.join(c)
            if s.count(_NUL) == n - 1:
                c = s
        out.append(c)
    return rids.start, n, out


def _unpack(packed: tuple[int, int, list[Any]]) -> list[Any]:
    first, n, cols = packed
    out = [c.split(_NUL) if isinstance(c, str) else c for c in cols]
    out[0] = range(first, first + n)
    out[_PUB] = [p or None for p in out[_PUB]]
    return out


def _tokenize(cols: list[Any]) -> tuple[str, str, str, str, list[int]]:
    """`_derive` for every document of a batch (the columns _TOKENIZED, as lists or NUL-joined):
    the title, body and facet token streams (NUL-joined: tokens are letters, digits and CJK),
    the exact keys (NUL-joined) and, per key, the position of its document in the batch."""
    cols = [c.split(_NUL) if isinstance(c, str) else c for c in cols]
    titles: list[str] = []
    bodies: list[str] = []
    facets: list[str] = []
    terms: list[str] = []
    at: list[int] = []
    for i, values in enumerate(zip(*cols, strict=False)):
        (t, b, f), keys = _derive(*values)
        titles.append(t)
        bodies.append(b)
        facets.append(f)
        terms.extend(keys)
        at.extend([i] * len(keys))
    return _NUL.join(titles), _NUL.join(bodies), _NUL.join(facets), _NUL.join(terms), at


def _start_build(con: sqlite3.Connection) -> None:
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-262144")
    con.executescript(_TABLES)
    con.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
    con.execute("INSERT INTO fts (fts, rank) VALUES ('automerge', 0)")
    con.execute("INSERT INTO fts (fts, rank) VALUES ('hashsize', ?)", (BUILD_HASHSIZE,))
    con.execute("BEGIN")


def _write_docs(con: sqlite3.Connection, cols: list[Any], toks: tuple[str, str, str, str, list[int]]) -> None:
    con.executemany(_INSERT_DOC, zip(*cols, strict=False))
    terms, at = toks[3], toks[4]
    if at:
        con.executemany(
            "INSERT INTO exact VALUES (?, ?)", zip(terms.split(_NUL), map(cols[0].start.__add__, at), strict=False)
        )


def _write_fts(con: sqlite3.Connection, rids: range, toks: tuple[str, str, str] | tuple[Any, ...]) -> None:
    titles, bodies, facets = toks[:3]
    con.executemany(
        "INSERT INTO fts (rowid, title, body, f) VALUES (?,?,?,?)",
        zip(rids, titles.split(_NUL), bodies.split(_NUL), facets.split(_NUL), strict=False),
    )


def _commit_build(con: sqlite3.Connection) -> None:
    con.execute("COMMIT")
    con.execute("INSERT INTO fts (fts) VALUES ('optimize')")  # merges segments, if there are several
    # The defaults again, for the updates the outbox makes to this file.
    con.execute("INSERT INTO fts (fts, rank) VALUES ('automerge', 4)")
    con.execute("INSERT INTO fts (fts, rank) VALUES ('hashsize', ?)", (_DEFAULT_HASHSIZE,))


def _finish_build(con: sqlite3.Connection) -> None:
    _commit_build(con)
    con.executescript(_INDEXES)
    con.execute("PRAGMA journal_mode=WAL")


async def _build_here(tmp: str, first: list[list[SearchDoc]], rest: AsyncIterator[list[SearchDoc]]) -> int:
    con = sqlite3.connect(tmp, check_same_thread=False, isolation_level=None)
    n = 0

    def write(cols: list[Any], toks: tuple[Any, ...]) -> None:
        _write_docs(con, cols, toks)
        _write_fts(con, cols[0], toks)

    try:
        await asyncio.to_thread(_start_build, con)

        async def every() -> AsyncIterator[list[SearchDoc]]:
            for b in first:
                yield b
            async for b in rest:
                yield b

        async for batch in every():
            if batch:
                cols = _doc_columns(n + 1, batch)
                n += len(batch)
                await asyncio.to_thread(write, cols, _tokenize([cols[i] for i in _TOKENIZED]))
        await asyncio.to_thread(_finish_build, con)
    finally:
        con.close()
    return n


# In the worker processes (`search.build_worker` calls these): the tokenizer's connection to its
# `doc`/`exact` file, the writer's to the build file.
_docs_con: sqlite3.Connection | None = None
_fts_con: sqlite3.Connection | None = None


def _opened(con: sqlite3.Connection | None) -> sqlite3.Connection:
    if con is None:
        raise RuntimeError("the build file is not open in this worker")
    return con


def _open_build(path: str) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    _start_build(con)
    return con


def _tokenizer_open(path: str) -> None:
    global _docs_con
    _docs_con = _open_build(path)


def _tokenizer_run(packed: tuple[int, int, list[Any]]) -> tuple[str, str, str]:
    """Tokenize a packed batch, store its `doc` and `exact` rows, return its FTS token streams."""
    cols = _unpack(packed)
    toks = _tokenize([cols[i] for i in _TOKENIZED])
    _write_docs(_opened(_docs_con), cols, toks)
    return toks[:3]


def _tokenizer_finish() -> None:
    """Commit and index the `doc`/`exact` file (while the writer flushes FTS5)."""
    global _docs_con
    con = _opened(_docs_con)
    con.execute("COMMIT")
    con.executescript(_INDEXES)
    con.close()
    _docs_con = None


def _writer_open(path: str) -> None:
    global _fts_con
    _fts_con = _open_build(path)


def _writer_write(first: int, n: int, toks: tuple[str, str, str]) -> None:
    _write_fts(_opened(_fts_con), range(first, first + n), toks)


def _writer_commit() -> None:
    _commit_build(_opened(_fts_con))


def _writer_finish(docs_from: str) -> None:
    """Copy the tokenizer's `doc` and `exact` tables, with their indexes, into the build file."""
    global _fts_con
    con = _opened(_fts_con)
    # Into empty tables with the same definition and indexes SQLite copies the stored records
    # and index entries as they are, in order (its transfer optimization): no decoding, no sort.
    con.executescript(_INDEXES)
    con.execute("ATTACH DATABASE ? AS docs", (docs_from,))
    con.execute("BEGIN")
    con.execute("INSERT INTO main.doc SELECT * FROM docs.doc")
    con.execute("INSERT INTO main.exact SELECT * FROM docs.exact")
    con.execute("COMMIT")
    con.execute("DETACH DATABASE docs")
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    _fts_con = None


class _NoWorkers(Exception):
    """The worker processes could not be started; nothing was built yet."""


class _Worker:
    """A `search.build_worker` process: `call` sends a request at once and returns a future for
    its answer (answers come in request order)."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.waiting: collections.deque[asyncio.Future[Any]] = collections.deque()
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls) -> _Worker:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "search.build_worker",
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        return cls(proc)

    async def call(self, name: str, *args: Any) -> asyncio.Future[Any]:
        assert self.proc.stdin is not None
        fut = asyncio.get_running_loop().create_future()
        self.waiting.append(fut)
        data = pickle.dumps((name, args), protocol=pickle.HIGHEST_PROTOCOL)
        self.proc.stdin.write(len(data).to_bytes(8, "little"))
        self.proc.stdin.write(data)
        await self.proc.stdin.drain()  # waits while the worker is behind: the pipeline's brake
        return fut

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        try:
            while True:
                head = await self.proc.stdout.readexactly(8)
                ok, value = pickle.loads(await self.proc.stdout.readexactly(int.from_bytes(head, "little")))
                fut = self.waiting.popleft()
                if not fut.done():
                    fut.set_result(value) if ok else fut.set_exception(value)
        except asyncio.IncompleteReadError:
            pass
        finally:
            while self.waiting:  # the worker ended before answering these
                fut = self.waiting.popleft()
                if not fut.done():
                    fut.set_exception(RuntimeError(f"search build worker exited ({self.proc.returncode})"))

    async def close(self, kill: bool = False) -> None:
        if kill and self.proc.returncode is None:
            for fut in self.waiting:
                fut.cancel()  # nobody waits for these any more
            self.proc.kill()
        elif self.proc.stdin is not None and not self.proc.stdin.is_closing():
            self.proc.stdin.close()
        await self.proc.wait()
        await self.reader


async def _build_in_processes(tmp: str, first: list[list[SearchDoc]], rest: AsyncIterator[list[SearchDoc]]) -> int:
    tokenizer = writer = None
    tokenizing: collections.deque[tuple[int, int, asyncio.Future[Any]]] = collections.deque()
    writing: collections.deque[asyncio.Future[Any]] = collections.deque()
    docs_path = tmp + "-docs"
    n = 0

    async def hand_over(all_: bool = False) -> None:
        # Tokenized batches go to the writer oldest first; at most _AHEAD wait for either.
        assert writer is not None
        while tokenizing and (all_ or len(tokenizing) > _AHEAD or tokenizing[0][2].done()):
            start, count, tokens = tokenizing.popleft()
            writing.append(await writer.call("_writer_write", start, count, await tokens))
        while writing and (all_ or len(writing) > _AHEAD or writing[0].done()):
            await writing.popleft()  # raises the writer's error, if any

    async def submit(batch: list[SearchDoc]) -> None:
        nonlocal n
        assert tokenizer is not None
        packed = _pack(_doc_columns(n + 1, batch))
        tokenizing.append((n + 1, len(batch), await tokenizer.call("_tokenizer_run", packed)))
        n += len(batch)
        await hand_over()

    ok = False
    try:
        try:
            tokenizer = await _Worker.start()
            writer = await _Worker.start()
            await asyncio.gather(
                await tokenizer.call("_tokenizer_open", docs_path), await writer.call("_writer_open", tmp)
            )
        except Exception as e:
            raise _NoWorkers(f"{type(e).__name__}: {e}") from e
        for batch in first:
            await submit(batch)
        async for batch in rest:
            if batch:
                await submit(batch)
        await hand_over(all_=True)
        await asyncio.gather(await tokenizer.call("_tokenizer_finish"), await writer.call("_writer_commit"))
        await (await writer.call("_writer_finish", docs_path))
        ok = True
    finally:
        for f in [*(t for _, _, t in tokenizing), *writing]:  # only left over after an error
            if f.done() and not f.cancelled():
                f.exception()  # seen: the error being raised is the one that stopped the build
            f.cancel()
        for w in (tokenizer, writer):
            if w is not None:
                await w.close(kill=not ok)
    return n


# --- the query ---------------------------------------------------------------------------


def _filter_expr(q: IndexQuery) -> str:
    parts: list[str] = []
    if q.types:
        parts.append("(" + " OR ".join(f"t{t}" for t in q.types) + ")")
    if q.year:
        parts.append(f"y{int(q.year)}")
    if q.region:
        parts.append(f"r{q.region}")
    if q.department:
        parts.append(f"d{_hex(q.department)}")
    if q.category:
        parts.append(f"c{q.category.lower()}")
    return " AND ".join(parts)


def _match(phrases: list[Phrase], filters: str) -> str:
    parts = []
    if phrases:
        parts.append("{title body} : (" + fts5_match(phrases) + ")")
    if filters:
        parts.append("f : (" + filters + ")")
    return " AND ".join(parts)


def _date(s: str | None) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


def _hits(con: sqlite3.Connection, ordered: list[tuple[int, dict[str, Any]]]) -> list[IndexHit]:
    if not ordered:
        return []
    rids = [r for r, _ in ordered]
    rows = {
        r[0]: r
        for r in con.execute(
            f"SELECT rid, type, obj_id, title, body, url, pub FROM doc WHERE rid IN ({','.join('?' * len(rids))})", rids
        )
    }
    return [
        IndexHit(
            type=rows[r][1],
            id=rows[r][2],
            title=rows[r][3],
            body=rows[r][4],
            url_path=rows[r][5],
            published_on=_date(rows[r][6]),
            cursor=c,
        )
        for r, c in ordered
        if r in rows
    ]


class _FacetCounter:
    def __init__(self) -> None:
        self.c: dict[str, collections.defaultdict[str, float]] = {k: collections.defaultdict(float) for k in FACETS}

    def add(self, con: sqlite3.Connection, rids: list[int], weight: float = 1.0) -> None:
        for i in range(0, len(rids), 900):
            chunk = rids[i : i + 900]
            self.add_query(con, ",".join("?" * len(chunk)), chunk, weight)

    def add_query(self, con: sqlite3.Connection, rid_sql: str, args: list[Any], weight: float = 1.0) -> None:
        """Count the facet values of the documents whose rid is IN (rid_sql)."""
        for type_, year, region, depts, cats, n in con.execute(
            f"SELECT type, year, region, depts, cats, count(*) FROM doc WHERE rid IN ({rid_sql}) GROUP BY 1, 2, 3, 4, 5",
            args,
        ):
            self.count(n * weight, type_, year, region, depts, cats)

    def count(self, w: float, type_: str, year: int | None, region: str, depts: str, cats: str) -> None:
        self.c["type"][type_] += w
        if year:
            self.c["year"][str(year)] += w
        if region:
            self.c["region"][region] += w
        for d in depts.split(",") if depts else ():
            self.c["department"][d] += w
        for c in cats.split(",") if cats else ():
            self.c["category"][c] += w

    def result(self) -> dict[str, dict[str, int]]:
        return {
            k: {v: round(n) for v, n in sorted(cnt.items(), key=lambda vn: -vn[1]) if round(n) > 0}
            for k, cnt in self.c.items()
        }


def _sample(con: sqlite3.Connection, match: str) -> tuple[int, _FacetCounter]:
    """Estimate total and facets from evenly spread slices of the matching rids.

    Each slice takes up to SAMPLE_PER_SLICE matches from its start; the rid span they cover
    gives the slice's match density. Sampling across the whole rid range (rids follow
    publication order) keeps old and new years alike represented.
    """
    lo = con.execute("SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rowid ASC LIMIT 1", (match,)).fetchone()[0]
    hi = con.execute("SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rowid DESC LIMIT 1", (match,)).fetchone()[0]
    width = (hi - lo + 1) / SAMPLE_SLICES
    weights: dict[int, float] = {}
    for i in range(SAMPLE_SLICES):
        start = lo + int(i * width)
        end = lo + int((i + 1) * width) if i < SAMPLE_SLICES - 1 else hi + 1
        rids = [
            r[0]
            for r in con.execute(
                "SELECT rowid FROM fts WHERE fts MATCH ? AND rowid >= ? AND rowid < ? ORDER BY rowid LIMIT ?",
                (match, start, end, SAMPLE_PER_SLICE),
            )
        ]
        if rids:
            # A slice read to its end counts itself; otherwise scale by the span the sample covers.
            w = 1.0 if len(rids) < SAMPLE_PER_SLICE else (end - start) / (rids[-1] - start + 1)
            weights.update((r, w) for r in rids)
    facets = _FacetCounter()
    for rid, type_, year, region, depts, cats in con.execute(
        "SELECT rid, type, year, region, depts, cats FROM doc WHERE rid IN (SELECT value FROM json_each(?))",
        (json.dumps(list(weights)),),
    ):
        facets.count(weights[rid], type_, year, region, depts, cats)
    return round(sum(weights.values())), facets


K1, B = 1.2, 0.75
AVG_TITLE, AVG_BODY = 14.0, 60.0


def _bm25(con: sqlite3.Connection, rids: list[int], phrases: list[Phrase]) -> dict[int, float]:
    """bm25 over the scored documents, negated like FTS5's bm25() (lower is better).

    FTS5's own bm25() first counts every match of every phrase for its IDF — a pass over hundreds
    of thousands of rows for a broad query, and a second evaluation of a long phrase. Here the
    IDF is estimated on the documents being scored (the matches, or the newest RANK_WINDOW of
    them), and term frequency and length come from the stored text (title weighs TITLE_WEIGHT).
    """
    if not rids:
        return {}
    rows = con.execute(
        "SELECT rid, title, substr(body, 1, 4000) FROM doc WHERE rid IN (SELECT value FROM json_each(?))",
        (json.dumps(rids),),
    ).fetchall()
    needles = [p.pieces[0] for p in phrases]

    def sat(tf: int, length: int, avg: float) -> float:
        return tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg)) if tf else 0.0

    per_doc = []
    df = [0] * len(needles)
    for rid, title, body in rows:
        t, b = fold(title), fold(body)
        tfs = [(t.count(n), b.count(n)) for n in needles]
        for i, (x, y) in enumerate(tfs):
            df[i] += 1 if x or y else 0
        per_doc.append((rid, len(t), len(b), tfs))
    n = len(rows)
    idf = [math.log((n - d + 0.5) / (d + 0.5) + 1) for d in df]
    return {
        rid: -sum(
            w * (TITLE_WEIGHT * sat(x, lt, AVG_TITLE) + sat(y, lb, AVG_BODY))
            for w, (x, y) in zip(idf, tfs, strict=False)
        )
        for rid, lt, lb, tfs in per_doc
    }


def _search(con: sqlite3.Connection, q: IndexQuery) -> IndexPage:
    if q.uscc:
        return _search_uscc(con, q)
    phrases = query_phrases(q.text)
    filters = _filter_expr(q)
    if not phrases and not filters:
        return IndexPage(hits=[], more=False, total=0, facets={k: {} for k in FACETS})
    match = _match(phrases, filters)
    if not phrases:
        return _browse(con, q, match)
    # The newest RANK_WINDOW + 1 matches, in one pass (a long phrase of common bigrams costs tens
    # of milliseconds to evaluate, so it is evaluated once).
    newest = [
        r[0]
        for r in con.execute(
            "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rowid DESC LIMIT ?", (match, RANK_WINDOW + 1)
        )
    ]
    many = len(newest) > RANK_WINDOW
    scored = _bm25(con, newest[:RANK_WINDOW], phrases)

    # Exact title/name/number matches rank first, wherever they are in the recency order.
    exact: set[int] = set()
    key = exact_key(q.text)
    if key:
        cand = [r[0] for r in con.execute("SELECT rid FROM exact WHERE term = ? LIMIT 200", (key,))]
        missing = [r for r in cand if r not in scored]
        if missing and many:  # older than the window: score them too, if they match
            found = [
                r[0]
                for r in con.execute(
                    f"SELECT rowid FROM fts WHERE fts MATCH ? AND rowid IN ({','.join('?' * len(missing))})",
                    (match, *missing),
                )
            ]
            scored.update(_bm25(con, found, phrases))
        exact = {r for r in cand if r in scored}

    ranked = sorted(((0 if r in exact else 1, s, -r) for r, s in scored.items()))
    start = 0
    after = q.after or {}
    if "s" in after:
        start = bisect.bisect_right(ranked, (after.get("t", 1), after["s"], -after.get("r", 0)))
    chosen = ranked[start : start + q.limit + 1]
    ordered = [(-nr, {"t": t, "s": sc, "r": -nr}) for t, sc, nr in chosen]
    page = IndexPage(hits=_hits(con, ordered[: q.limit]), more=len(ordered) > q.limit)
    if many:
        page.total, counter = _sample(con, match)
        page.facets_exact = page.total_exact = False
    else:
        page.total = len(scored)
        counter = _FacetCounter()
        if q.facets and scored:
            counter.add_query(con, "SELECT value FROM json_each(?)", [json.dumps(list(scored))])
    page.facets = counter.result() if q.facets else {}
    return page


def _browse(con: sqlite3.Connection, q: IndexQuery, match: str) -> IndexPage:
    """Filters without text: newest first."""
    args: list[Any] = [match]
    cond = ""
    after = (q.after or {}).get("r")
    if isinstance(after, int):
        cond = "AND rowid < ?"
        args.append(after)
    rows = con.execute(
        f"SELECT rowid FROM fts WHERE fts MATCH ? {cond} ORDER BY rowid DESC LIMIT ?", (*args, q.limit + 1)
    ).fetchall()
    ordered = [(r[0], {"t": 2, "r": r[0]}) for r in rows]
    page = IndexPage(hits=_hits(con, ordered[: q.limit]), more=len(ordered) > q.limit)
    n = con.execute(
        "SELECT count(*) FROM (SELECT rowid FROM fts WHERE fts MATCH ? LIMIT ?)", (match, EXACT_LIMIT + 1)
    ).fetchone()[0]
    if n > EXACT_LIMIT:
        page.total, counter = _sample(con, match)
        page.facets_exact = page.total_exact = False
    else:
        page.total = n
        counter = _FacetCounter()
        if q.facets and n:
            counter.add_query(con, "SELECT rowid FROM fts WHERE fts MATCH ?", [match])
    page.facets = counter.result() if q.facets else {}
    return page


def _search_uscc(con: sqlite3.Connection, q: IndexQuery) -> IndexPage:
    """Exact lookup: every record of one entity, newest first (an entity has few)."""
    # `uscc <> ''` lets SQLite use the partial index doc_uscc.
    rows = con.execute(
        "SELECT rid, type, year, region, depts, cats FROM doc WHERE uscc = ? AND uscc <> '' ORDER BY rid DESC",
        (q.uscc,),
    ).fetchall()

    def keep(r: tuple[Any, ...]) -> bool:
        return (
            (not q.types or r[1] in q.types)
            and (not q.year or r[2] == q.year)
            and (not q.region or r[3].startswith(q.region))
            and (not q.department or q.department in r[4].split(","))
            and (not q.category or q.category in r[5].split(","))
        )

    rows = [r for r in rows if keep(r)]
    after = (q.after or {}).get("r")
    rest = [r for r in rows if after is None or r[0] < after]
    ordered = [(r[0], {"t": 0, "r": r[0]}) for r in rest[: q.limit]]
    counter = _FacetCounter()
    if q.facets:
        counter.add(con, [r[0] for r in rows])
    return IndexPage(
        hits=_hits(con, ordered), more=len(rest) > q.limit, total=len(rows), facets=counter.result() if q.facets else {}
    )


__all__ = ["EmbeddedIndex", "facet_tokens"]
