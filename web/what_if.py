"""The what-if of an uploaded territory file, as a background job bounded in size and time.

The upload decides how much work a what-if is (its size, its territories, its patterns), so it never
runs in a request: the request checks the file's size and starts a job (one at a time, like runs),
and the job evaluates the book under the current and the proposed file in a child process
(`child_process`) that is killed once `WHAT_IF_TIME_LIMIT_SECONDS` pass.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from sync.progress import RunProgress
from sync.store.database import Database, create_db_engine
from territory_sync.errors import TerritorySyncError
from territory_sync.settings import Settings
from web.child_process import run_in_child
from web.errors import ApiError
from web.jobs import JobOutcome, JobWork
from web.limits import BodyLimit
from web.queries import balance_what_if

MAX_TERRITORY_FILE_BYTES = 256 * 1024
WHAT_IF_PATHS = ("/api/balance/what-if", "/balance")
"""The routes that take the upload (the API and the balance page's form)."""
WHAT_IF_TIME_LIMIT_SECONDS = 60.0
TOO_SLOW_HINT = (
    "try a smaller or simpler file, or compare it on the command line with "
    "`territory-sync balance --proposed FILE`"
)


TOO_LARGE = (
    f"the territory file is larger than {MAX_TERRITORY_FILE_BYTES // 1024} KiB; trim it "
    "(comments and unused territories), or compare it on the command line with "
    "`territory-sync balance --proposed FILE`"
)
UPLOAD_LIMIT = BodyLimit(MAX_TERRITORY_FILE_BYTES + 16 * 1024, TOO_LARGE)
"""The request around the file: multipart framing and the form's other fields."""


def checked_upload(content: bytes) -> bytes:
    """The uploaded file, or 413 when it is over `MAX_TERRITORY_FILE_BYTES` (read one more)."""
    if len(content) > MAX_TERRITORY_FILE_BYTES:
        raise ApiError(413, TOO_LARGE)
    if not content.strip():
        raise ApiError(422, "the territory file is empty: choose the proposed YAML file")
    return content


def evaluate_what_if(
    settings: Settings, database_url: str, proposed: bytes, caps: Sequence[int] = ()
) -> dict[str, Any]:
    """The what-if, in the child process: its own connection to the same database."""
    database = Database(database_url, create_db_engine(database_url))
    try:
        return balance_what_if(settings, database, proposed, caps)
    except ApiError as error:
        raise TerritorySyncError(error.message) from None
    finally:
        database.dispose()


def what_if_work(
    settings: Settings,
    database: Database,
    proposed: bytes,
    time_limit: float,
    caps: Sequence[int] = (),
) -> JobWork:
    """The job: the what-if in a child process (with `caps`, the trade-off under each move
    cap too), its result kept on the job."""

    def work(progress: RunProgress, stop: threading.Event) -> JobOutcome:
        progress.phase("comparing the proposed file with the current one")
        result: dict[str, Any] = run_in_child(
            evaluate_what_if,
            (settings, database.url, proposed, tuple(caps)),
            time_limit=time_limit,
            stop=stop,
            what="the what-if",
            hint=TOO_SLOW_HINT,
        )
        moved = result["moved"]
        return JobOutcome(
            f"{moved} {'company' if moved == 1 else 'companies'} would change owner", result
        )

    return work
