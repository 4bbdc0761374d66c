"""A plan's scope as the console words it on its resync and plan pages."""

from __future__ import annotations

from web.pages.resync import scope_words


def test_a_territory_scope_names_the_territory() -> None:
    assert scope_words({"territory": "NA-West"}) == "Territory NA-West"


def test_a_territory_scope_with_territories_under_it_says_how_many() -> None:
    scope = {"territory": "NA", "territories": ["NA", "NA-West", "NA-East"]}
    assert scope_words(scope) == "Territory NA and the 2 under it"
