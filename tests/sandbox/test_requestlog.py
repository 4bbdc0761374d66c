"""The request log's counts: API owner writes per record, and person edits kept apart."""

from __future__ import annotations

from sandbox.requestlog import RequestLog


def test_a_write_sent_twice_counts_twice_for_its_records() -> None:
    log = RequestLog()
    log.add("PATCH", "/w", 503, kind="collections-update", records_written=["a", "b"])
    log.add("PATCH", "/w", 200, kind="collections-update", records_written=["a"])

    assert log.writes_per_record() == {"a": 2, "b": 1}


def test_person_edits_are_logged_apart_and_are_not_api_writes() -> None:
    log = RequestLog()
    log.add("POST", "/u", 200, kind="batch-update", records_written=["1"], owners_written=["7"])
    log.add_person_edits("/u", [("1", "8"), ("2", "9")])

    (api, person) = log.records()
    assert (person.method, person.kind, person.records_written) == (
        "PERSON",
        "person-edit",
        ("1", "2"),
    )
    assert api.owners_written == ("7",)
    assert log.writes_per_record() == {"1": 1}
    assert log.person_edits() == {"1": "8", "2": "9"}


def test_no_person_edit_entry_is_logged_when_nothing_was_edited() -> None:
    log = RequestLog()

    log.add_person_edits("/u", [])

    assert log.records() == []
