"""A small thread-safe document store on SQLite.

Every simulated object (a vRO execution, a VCF task, a token ...) is a JSON document identified by
``(kind, id)``. A few indexed columns (parent, state, sort_key, name, owner) let filtering, ordering and
paging happen in SQL, so a page costs the same with 10 or 10,000 documents under one parent.

One connection is shared by all threads behind a re-entrant lock: SQLite point reads are a few
microseconds, so the lock is never the bottleneck of a Python HTTP server, and it makes
``transaction()`` a true read-modify-write section across threads.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import sqlite3
import threading

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    parent TEXT,
    state TEXT,
    sort_key,
    name TEXT,
    owner TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS docs_parent ON docs (kind, parent, sort_key);
CREATE INDEX IF NOT EXISTS docs_state ON docs (kind, parent, state, sort_key);
CREATE INDEX IF NOT EXISTS docs_owner ON docs (kind, parent, owner, sort_key);
CREATE INDEX IF NOT EXISTS docs_name ON docs (kind, name);
CREATE INDEX IF NOT EXISTS docs_kind_state ON docs (kind, state);
CREATE TABLE IF NOT EXISTS counters (kind TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tallies (kind TEXT NOT NULL, parent TEXT NOT NULL, state TEXT NOT NULL, n INTEGER NOT NULL,
                                    PRIMARY KEY (kind, parent, state)) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS docs_tally_insert AFTER INSERT ON docs BEGIN
    INSERT INTO tallies VALUES (NEW.kind, COALESCE(NEW.parent, ''), COALESCE(NEW.state, ''), 1)
        ON CONFLICT (kind, parent, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS docs_tally_delete AFTER DELETE ON docs BEGIN
    UPDATE tallies SET n = n - 1 WHERE kind = OLD.kind AND parent = COALESCE(OLD.parent, '') AND state = COALESCE(OLD.state, '');
END;
CREATE TRIGGER IF NOT EXISTS docs_tally_update AFTER UPDATE OF kind, parent, state ON docs BEGIN
    UPDATE tallies SET n = n - 1 WHERE kind = OLD.kind AND parent = COALESCE(OLD.parent, '') AND state = COALESCE(OLD.state, '');
    INSERT INTO tallies VALUES (NEW.kind, COALESCE(NEW.parent, ''), COALESCE(NEW.state, ''), 1)
        ON CONFLICT (kind, parent, state) DO UPDATE SET n = n + 1;
END;
"""
# Bumped when the schema gains something that must be rebuilt from existing documents.
_SCHEMA_VERSION = 2

_UPSERT = ("INSERT INTO docs (kind, id, parent, state, sort_key, name, owner, body) VALUES (?,?,?,?,?,?,?,?) "
           "ON CONFLICT (kind, id) DO UPDATE SET parent=excluded.parent, state=excluded.state, sort_key=excluded.sort_key, "
           "name=excluded.name, owner=excluded.owner, body=excluded.body")

_UNSET = object()


class Store:
    """Thread-safe generic document store persisted in one SQLite file (WAL mode).

    ``put`` upserts, ``get``/``delete`` address one document, ``query``/``count`` filter on the indexed
    columns. ``transaction()`` serialises read-modify-write sequences across threads; calls made inside it
    by the same thread join the transaction.
    """

    def __init__(self, path):
        self.path = str(path)
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        self._lock = threading.RLock()
        self._depth = 0
        # Bumped by reset(): caches built on the store compare it to know they are stale.
        self.generation = 0
        # Writes per kind, and where the last page of a query ended: the next page of a client paging
        # through startIndex resumes from that (sort_key, id) instead of stepping over `offset` entries.
        self._writes = collections.Counter()
        self._cursors = collections.OrderedDict()
        # Owner-only from the start (it holds every password); SQLite gives its -wal and -shm files the same mode.
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(self.path, 0o600)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=10000")
        # Keep the working set in memory: a deep page should not cost page-cache misses.
        self._db.execute("PRAGMA cache_size=-65536")
        self._db.execute("PRAGMA mmap_size=268435456")
        self._db.executescript(_SCHEMA)
        if self._db.execute("PRAGMA user_version").fetchone()[0] < _SCHEMA_VERSION:
            # A data directory from before the tallies: count what is there once.
            with self.transaction():
                self._db.execute("DELETE FROM tallies")
                self._db.execute("INSERT INTO tallies SELECT kind, COALESCE(parent, ''), COALESCE(state, ''), COUNT(*) FROM docs "
                                 "GROUP BY kind, COALESCE(parent, ''), COALESCE(state, '')")
            self._db.execute("PRAGMA user_version = %d" % _SCHEMA_VERSION)

    @property
    def lock(self):
        """The store's re-entrant lock: hold it to keep a read and what is derived from it consistent."""
        return self._lock

    # -- transactions -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self):
        """Hold the store lock and one SQLite transaction; nested use joins the outer one."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outer:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._db.execute("COMMIT")

    # -- single documents ---------------------------------------------------------------------------
    def put(self, kind, id, body, parent=None, state=None, sort_key=None, name=None, owner=None):  # pylint: disable=redefined-builtin
        """Insert or replace document ``(kind, id)`` with its indexed columns."""
        text = json.dumps(body, separators=(",", ":"))
        with self._lock:
            self._writes[kind] += 1
            self._db.execute(
                _UPSERT,
                (kind, str(id), _s(parent), _s(state), sort_key, _s(name), _s(owner), text),
            )

    def get(self, kind, id):  # pylint: disable=redefined-builtin
        """Return the body of ``(kind, id)`` or None."""
        with self._lock:
            row = self._db.execute("SELECT body FROM docs WHERE kind=? AND id=?", (kind, str(id))).fetchone()
        return json.loads(row[0]) if row else None

    def delete(self, kind, id):  # pylint: disable=redefined-builtin
        """Delete ``(kind, id)``; True when something was deleted."""
        with self._lock:
            self._writes[kind] += 1
            cur = self._db.execute("DELETE FROM docs WHERE kind=? AND id=?", (kind, str(id)))
        return cur.rowcount > 0

    def delete_where(self, kind, parent=_UNSET):
        """Delete every document of ``kind`` (optionally only under ``parent``); returns the number deleted."""
        sql, args = "DELETE FROM docs WHERE kind=?", [kind]
        if parent is not _UNSET:
            sql += " AND parent IS ?"
            args.append(_s(parent))
        with self._lock:
            self._writes[kind] += 1
            return self._db.execute(sql, args).rowcount

    # -- queries ------------------------------------------------------------------------------------
    @staticmethod
    def _where(kind, parent=_UNSET, states=None, name=None, owner=None, sort_after=None, sort_before=None,
               name_contains=None, ids=None, name_contains_cased=None):
        clauses, args = ["kind=?"], [kind]
        if parent is not _UNSET and parent is not None:
            clauses.append("parent=?")
            args.append(_s(parent))
        if states is not None:
            clause, values = _member_of("state", [states] if isinstance(states, str) else list(states))
            clauses.append(clause)
            args.extend(values)
        for value, clause in ((name, "name=?"), (name_contains, "instr(lower(name), lower(?)) > 0"), (owner, "owner=?"),
                              (name_contains_cased, "instr(name, ?) > 0"),
                              (sort_after, "sort_key>?"), (sort_before, "sort_key<?")):
            if value is not None:
                clauses.append(clause)
                args.append(value)
        if ids is not None:
            clause, values = _member_of("id", [str(i) for i in ids])
            clauses.append(clause)
            args.extend(values)
        return " AND ".join(clauses), args

    def query(self, kind, parent=None, states=None, name=None, owner=None, sort_after=None, sort_before=None,
              limit=None, offset=0, descending=True, name_contains=None, ids=None, name_contains_cased=None):
        """Return ``(bodies, total)``: one page of matching documents ordered by sort_key, and the match count.

        ``states`` is a list (or one string); ``name`` matches exactly, ``name_contains`` case-insensitively
        (``name_contains_cased`` case-sensitively);
        ``sort_after``/``sort_before`` are exclusive bounds on sort_key. ``limit=None`` returns all.
        """
        where, args = self._where(kind, parent, states, name, owner, sort_after, sort_before, name_contains, ids,
                                  name_contains_cased)
        order = "DESC" if descending else "ASC"
        offset = max(0, int(offset or 0))
        key = (kind, where, tuple(args), order, offset)
        with self._lock:
            cursor = self._cursors.get(key) if offset else None
            if cursor is not None and cursor[2] == self._writes[kind]:
                # Resume after the last row of the previous page: the cost no longer grows with the offset.
                seek = "(sort_key, id) %s (?, ?)" % ("<" if descending else ">")
                inner = "SELECT id AS pid, sort_key AS psk FROM docs WHERE %s AND %s ORDER BY sort_key %s, id %s LIMIT ?" % (
                    where, seek, order, order)
                inner_args = list(args) + [cursor[0], cursor[1], -1 if limit is None else int(limit)]
            else:
                # Page over the covering index first, then fetch only that page's bodies: skipping 5,000 rows
                # costs index steps, not 5,000 document reads.
                inner = "SELECT id AS pid, sort_key AS psk FROM docs WHERE %s ORDER BY sort_key %s, id %s LIMIT ? OFFSET ?" % (
                    where, order, order)
                inner_args = list(args) + [-1 if limit is None else int(limit), offset]
            sql = "SELECT d.body, p.psk, p.pid FROM (%s) AS p JOIN docs AS d ON d.kind=? AND d.id=p.pid ORDER BY p.psk %s, p.pid %s" % (
                inner, order, order)
            rows = self._db.execute(sql, inner_args + [kind]).fetchall()
            total = self._total(kind, parent, states, where, args,
                                plain=(name, owner, sort_after, sort_before, name_contains, ids, name_contains_cased) == (None,) * 7)
            # Rows without a sort_key sort last in DESC order and a row-value seek would skip them: no cursor then.
            if rows and limit is not None and rows[-1][1] is not None and not (
                    descending and self._db.execute("SELECT 1 FROM docs WHERE %s AND sort_key IS NULL LIMIT 1" % where, args).fetchone()):
                self._cursors[(kind, where, tuple(args), order, offset + len(rows))] = (rows[-1][1], rows[-1][2], self._writes[kind])
                while len(self._cursors) > 256:
                    self._cursors.popitem(last=False)
        return [json.loads(r[0]) for r in rows], total

    def count(self, kind, parent=None, states=None, name=None, owner=None, sort_after=None, sort_before=None,
              name_contains=None, ids=None):
        """Number of documents matching the same filters as ``query``."""
        where, args = self._where(kind, parent, states, name, owner, sort_after, sort_before, name_contains, ids)
        with self._lock:
            return self._total(kind, parent, states, where, args,
                               plain=(name, owner, sort_after, sort_before, name_contains, ids) == (None,) * 6)

    def _total(self, kind, parent, states, where, args, plain):
        """COUNT(*) of a filter; filters on kind/parent/state only read the tallies (constant cost, not O(n))."""
        if not plain:
            return self._db.execute("SELECT COUNT(*) FROM docs WHERE " + where, args).fetchone()[0]
        sql, targs = "SELECT COALESCE(SUM(n), 0) FROM tallies WHERE kind=?", [kind]
        if parent is not None:
            sql += " AND parent=?"
            targs.append(_s(parent))
        if states is not None:
            clause, values = _member_of("state", [states] if isinstance(states, str) else list(states))
            if not values:
                return 0
            sql += " AND " + clause
            targs.extend(values)
        return self._db.execute(sql, targs).fetchone()[0]

    def ids(self, kind, states=None, parent=None):
        """All ids of ``kind`` (optionally filtered by state/parent), cheap: no bodies are decoded."""
        where, args = self._where(kind, parent, states)
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT id FROM docs WHERE " + where, args).fetchall()]

    def put_many(self, items):
        """Bulk upsert: ``items`` yields ``(kind, id, body, parent, state, sort_key, name, owner)`` tuples."""
        rows = [(k, str(i), _s(p), _s(st), sk, _s(n), _s(o), json.dumps(b, separators=(",", ":")))
                for (k, i, b, p, st, sk, n, o) in items]
        with self.transaction():
            for kind in {row[0] for row in rows}:
                self._writes[kind] += 1
            self._db.executemany(
                _UPSERT,
                rows,
            )

    # -- counters -----------------------------------------------------------------------------------
    def next_id(self, kind):
        """Monotonic integer counter per ``kind`` (starts at 1), persisted."""
        with self._lock:
            row = self._db.execute(
                "INSERT INTO counters (kind, value) VALUES (?, 1) ON CONFLICT(kind) DO UPDATE SET value=value+1 RETURNING value",
                (kind,),
            ).fetchone()
        return row[0]

    def is_empty(self):
        """True when no document is stored (a fresh data directory)."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM docs LIMIT 1").fetchone() is None

    def reset(self, keep_kinds=()):
        """Delete every document and counter, except documents of ``keep_kinds``."""
        with self.transaction():
            if keep_kinds:
                self._db.execute("DELETE FROM docs WHERE kind NOT IN (%s)" % ",".join("?" * len(keep_kinds)), list(keep_kinds))
            else:
                self._db.execute("DELETE FROM docs")
            self._db.execute("DELETE FROM counters")
            self._writes.update(self._writes.keys())
            self._cursors.clear()
            if not keep_kinds:
                self._db.execute("DELETE FROM tallies")
            self.generation += 1

    def close(self):
        """Close the database (the store is unusable afterwards)."""
        with self._lock:
            self._db.close()


def _member_of(column, values):
    """``column IN (?, ...)`` and its arguments; an empty list matches nothing."""
    if not values:
        return "0", []
    return "%s IN (%s)" % (column, ",".join("?" * len(values))), values


def _s(value):
    return None if value is None else str(value)
