"""A database the product cannot use: exit 2 with one line naming the path and what to do.

Never a traceback, never a change to a file that is not the product's, never a folder created.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sync.store.database import open_database
from territory_sync.cli import main


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("TERRITORY_SYNC_"):
            monkeypatch.delenv(name)
    return tmp_path


def refused(path: Path | str, capsys: pytest.CaptureFixture[str], *command: str) -> str:
    """Run a command on the database at `path`; it must exit 2 with one line, returned."""
    code = main(["--database-url", f"sqlite:///{path}", *(command or ("runs",))])
    captured = capsys.readouterr()
    assert code == 2, captured
    assert "Traceback" not in captured.err
    assert captured.err.count("\n") == 1, captured.err
    assert captured.out == ""
    return captured.err


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file or folder read-only for this process (as root: immutable, via chattr)."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)]).returncode:
        pytest.skip("as root a read-only file needs `chattr +i`, which this file system refuses")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def other_application_database(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    connection.execute("INSERT INTO notes (body) VALUES ('keep me')")
    connection.commit()
    connection.close()


def territory_sync_database(path: Path) -> None:
    open_database(f"sqlite:///{path}").dispose()


def test_a_file_of_random_bytes_is_refused_as_not_sqlite_and_left_as_it_was(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = workdir / "garbage.db"
    content = bytes(range(256)) * 40
    garbage.write_bytes(content)
    err = refused(garbage, capsys)
    assert f"{garbage} is not an SQLite database" in err
    assert "point [database] url (or --database-url) at the territory-sync database" in err
    assert garbage.read_bytes() == content


def test_a_text_file_is_refused_as_not_sqlite(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = workdir / "notes.txt"
    notes.write_text("not a database\n")
    assert f"{notes} is not an SQLite database" in refused(notes, capsys)


def test_another_applications_sqlite_database_is_refused_and_not_migrated(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = workdir / "crm-notes.db"
    other_application_database(other)
    before = other.read_bytes()
    err = refused(other, capsys)
    assert f"{other} is an SQLite database but not a territory-sync one (its tables: notes)" in err
    assert other.read_bytes() == before


def test_a_damaged_database_is_refused_saying_to_restore_it(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = workdir / "territory-sync.db"
    territory_sync_database(damaged)
    content = bytearray(damaged.read_bytes())
    content[100:4096] = b"\x5a" * (4096 - 100)  # page 1's schema, after the 100-byte header
    damaged.write_bytes(bytes(content))
    err = refused(damaged, capsys)
    assert f"{damaged} is a damaged SQLite database" in err
    assert "restore it from a backup" in err


def test_a_database_of_an_unknown_schema_revision_is_refused_naming_it(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = workdir / "territory-sync.db"
    connection = sqlite3.connect(newer)
    connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    connection.execute("INSERT INTO alembic_version VALUES ('9999')")
    connection.commit()
    connection.close()
    err = refused(newer, capsys)
    assert f"the database {newer} has a schema this version of territory-sync does not know" in err
    assert "'9999'" in err


def test_a_path_in_a_missing_folder_is_refused_and_the_folder_is_not_created(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = workdir / "no" / "such"
    err = refused(folder / "territory-sync.db", capsys)
    assert f"the folder {folder} does not exist" in err
    assert f"mkdir -p {folder}" in err
    assert not (workdir / "no").exists()


def test_a_folder_given_as_the_database_is_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert f"{workdir} is a folder, not a database file" in refused(workdir, capsys)


def test_a_read_only_database_file_is_refused_saying_how_to_make_it_writable(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = workdir / "territory-sync.db"
    territory_sync_database(database)
    with read_only(database):
        err = refused(database, capsys)
    assert f"{database} is read-only" in err
    assert "make it writable for this user" in err


def test_a_database_in_a_read_only_folder_is_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = workdir / "shared"
    folder.mkdir()
    territory_sync_database(folder / "territory-sync.db")
    with read_only(folder):
        err = refused(folder / "territory-sync.db", capsys)
    assert f"the folder {folder} is read-only" in err


def test_db_current_refuses_a_file_that_is_not_sqlite_the_same_way(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = workdir / "garbage.db"
    garbage.write_bytes(b"\x00\x01" * 100)
    assert "is not an SQLite database" in refused(garbage, capsys, "db", "current")


def test_a_new_database_file_in_an_existing_folder_is_still_created(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--database-url", f"sqlite:///{workdir / 'fresh.db'}", "runs", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"
    assert (workdir / "fresh.db").is_file()
