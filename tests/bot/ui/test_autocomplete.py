"""Autocomplete ranking: prefix first, then fuzzy; Discord's 25 choices and 100 characters."""

from __future__ import annotations

from bot.ui.autocomplete import choice, rank, suggest

NAMES = ["glasnost", "Bithead", "tequila", "Juho§", "DC Loser", "Michael", "duckspeaker", "legion"]


def ranked(query: str, labels: list[str] = NAMES, **kw: object) -> list[str]:
    return [labels[i] for i in rank(query, labels, **kw)]  # type: ignore[arg-type]


def test_prefix_matches_come_first_then_word_prefixes_then_fuzzy() -> None:
    labels = ["Losers weepers", "DC Loser", "Lose", "Closer look", "Lousy"]
    out = ranked("lose", labels)
    assert out[:2] == ["Losers weepers", "Lose"]  # label prefixes, input order
    assert out[2] == "DC Loser"  # a word starts with it
    assert "Closer look" in out[3:]  # fuzzy only


def test_matching_ignores_case_and_accents() -> None:
    assert ranked("juho") == ["Juho§"]
    assert ranked("ZOE", ["Zoë Ånström", "Zed"])[0] == "Zoë Ånström"


def test_typos_still_find_the_name() -> None:
    assert ranked("Bithaed")[0] == "Bithead"
    assert ranked("micheal")[0] == "Michael"


def test_nothing_close_gives_nothing() -> None:
    assert ranked("qqqqzzzz") == []


def test_empty_query_lists_in_input_order_up_to_the_limit() -> None:
    many = [f"Thread {i}" for i in range(100)]
    assert ranked("", many) == many[:25]
    assert ranked("", many, limit=3) == many[:3]
    assert ranked("", many, empty_returns_all=False) == []


def test_never_more_than_25() -> None:
    many = [f"Thread {i}" for i in range(300)]
    assert len(rank("thread", many)) == 25
    assert len(rank("thraed", many)) == 25


def test_aliases_match_slugs_and_ids() -> None:
    labels = ["Iraq Cease-Fire Over", "Something else"]
    aliases = [("iraq-cease-fire-over", "1"), ("something-else", "2")]
    assert ranked("2", labels, aliases=aliases) == ["Something else"]
    assert ranked("iraq-cease", labels, aliases=aliases)[0] == "Iraq Cease-Fire Over"


def test_suggest_offers_at_most_five_distinct_close_names() -> None:
    many = [f"Bithead {i}" for i in range(20)] + ["Bithead 1"]
    out = suggest("bithed", many)
    assert len(out) == 5 and len(set(out)) == 5
    assert suggest("", NAMES) == []
    assert suggest("xqzv", NAMES) == []


def test_choice_names_and_values_fit_discord() -> None:
    c = choice("word " * 100, "v" * 300)
    assert len(c.name) <= 100 and c.name.endswith("…")
    assert len(c.value) == 100
    assert choice("  ", "42").name == "42"
    assert choice("a\nb", "1").name == "a b"
