"""Checks on an SQLite database file before the product opens it, each failing with what to do.

The product's embedded database is one file. Before an engine touches it (SQLAlchemy's first
connection switches the file to write-ahead logging, and `open_database` migrates it), this module
makes sure the path can be that file:

- its folder exists (a missing folder is a typing mistake far more often than a wish for a new
  one, so it is reported, never created) and is writable (SQLite keeps its `-wal` and `-shm`
  files, and the run lock its `.lock` file, beside the database);
- an existing file is readable and writable, is an SQLite database, and is either empty or a
  territory-sync database (one with Alembic's `alembic_version` table); the probe opens it
  read-only, so a file that turns out to be someone else's is left exactly as it was.

The file is only ever opened through SQLite, never with a plain file handle: a process that
already has the database open (the scheduler opens it again for every run) would lose its POSIX
locks on the file when any other descriptor of it is closed, and another process could then
delete the write-ahead log under it ("How To Corrupt An SQLite Database File", section 2.2:
https://www.sqlite.org/howtocorrupt.html#_posix_advisory_locks_canceled_by_a_separate_thread_doing_close_).
SQLite's own connections share the process's locks and defer closing its descriptors.

Every refusal is a `DatabaseError` (exit code 2) of one line naming the path.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from territory_sync.errors import DatabaseError

VERSION_TABLE = "alembic_version"
"""The table Alembic keeps a database's schema revision in; every territory-sync database has it."""

# Primary result codes (https://www.sqlite.org/rescode.html); an extended code keeps its primary
# code in the low byte.
SQLITE_PERM = 3
SQLITE_READONLY = 8
SQLITE_CORRUPT = 11
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26

POINT_ELSEWHERE = "point [database] url (or --database-url) at the territory-sync database"


def not_sqlite(path: Path) -> DatabaseError:
    return DatabaseError(
        f"{path} is not an SQLite database: {POINT_ELSEWHERE}, or move this file away"
    )


def damaged(path: Path, detail: str) -> DatabaseError:
    return DatabaseError(
        f"{path} is a damaged SQLite database ({detail}): restore it from a backup, or move it "
        "away to start a new one (without its run and audit history)"
    )


def read_only(path: Path) -> DatabaseError:
    return DatabaseError(
        f"{path} is read-only: territory-sync records every run in it; make it writable for "
        "this user (e.g. chmod u+w), or point [database] url (or --database-url) at a writable copy"
    )


def error_for_sqlite(path: Path, error: sqlite3.Error) -> DatabaseError:
    """The product's error for what SQLite said about the file at `path`."""
    code = (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF
    if code == SQLITE_NOTADB:
        return not_sqlite(path)
    if code == SQLITE_CORRUPT:
        return damaged(path, str(error))
    if code in (SQLITE_READONLY, SQLITE_PERM):
        return read_only(path)
    if code == SQLITE_CANTOPEN:
        return DatabaseError(
            f"cannot open the database {path} ({error}): check that this user may read and "
            f"write it and its folder, or {POINT_ELSEWHERE}"
        )
    return DatabaseError(f"cannot open the database {path}: {error}")


def _check_folder(path: Path) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise DatabaseError(
            f"the folder {folder} does not exist, so there is no database {path}: create the "
            f"folder (mkdir -p {folder}), or point [database] url (or --database-url) at a file "
            "in an existing folder"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseError(
            f"the folder {folder} is read-only: SQLite keeps its journal beside the database "
            f"{path}; make the folder writable for this user, or point [database] url "
            "(or --database-url) at a file in a writable folder"
        )


def _check_readable(path: Path) -> None:
    if not os.access(path, os.R_OK):
        raise DatabaseError(
            f"cannot read the database {path}: permission denied; make it readable for this "
            f"user, or {POINT_ELSEWHERE}"
        )


def _tables(path: Path) -> list[str]:
    """The tables of the file, read through a read-only connection (nothing is changed)."""
    uri = f"file:{quote(str(path))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
        try:
            rows = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ).fetchall()
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise error_for_sqlite(path, error) from error
    return [str(name) for (name,) in rows]


def check_sqlite_file(path: Path) -> None:
    """Refuse, with what to do, a path that cannot be (or become) the product's database."""
    _check_folder(path)
    if path.is_dir():
        raise DatabaseError(
            f"{path} is a folder, not a database file: point [database] url (or --database-url) "
            f"at a file, e.g. {path / 'territory-sync.db'}"
        )
    if not path.exists():
        return
    _check_readable(path)
    if path.stat().st_size == 0:
        return  # an empty file: SQLite makes it a new database
    tables = _tables(path)  # SQLite itself says when the file is not a database (SQLITE_NOTADB)
    if not os.access(path, os.W_OK):
        raise read_only(path)
    if tables and VERSION_TABLE not in tables:
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise DatabaseError(
            f"{path} is an SQLite database but not a territory-sync one (its tables: {shown}): "
            f"{POINT_ELSEWHERE}, or at a new file"
        )
