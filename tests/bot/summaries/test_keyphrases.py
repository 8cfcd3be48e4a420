"""Key phrases: names and words everybody uses are left out."""

from __future__ import annotations

from bot.storage import Storage
from bot.summaries.keyphrases import common_words, key_phrases


def test_key_phrases_leave_out_names_and_common_words() -> None:
    text = ["Michael says the free press matters.", "The free press and Michael again, press."]
    phrases = key_phrases(text, exclude=["Michael"], common=["press"])
    assert phrases
    assert not any("michael" in p.lower() for p in phrases)
    assert "press" not in [p.lower() for p in phrases]
    assert key_phrases(["", "  "]) == ()


async def test_common_words_need_three_people(seeded: Storage) -> None:
    thread = await seeded.threads.find("iraq-cease-fire-over", any_guild=True)
    assert thread is not None
    comments = await seeded.comments.all(thread.id)
    common = common_words(comments)
    assert "iran" in common and "hitler" not in common
    assert common_words(comments[:2]) == set()


def test_key_phrases_are_recurring_noun_phrases_without_fragments_or_overlaps() -> None:
    texts = [
        "At the risk of landing square on it, the Badr Corps and the Mahdi Army clash.",
        "Rockets hit the Green Zone Tuesday; the Badr Corps denies it, border and varied.",
        "The free press matters. A free press is what we have, in order to provide news.",
    ]
    phrases = key_phrases(texts)
    assert "Badr Corps" in phrases and "free press" in phrases and "Mahdi Army" in phrases
    assert 1 <= len(phrases) <= 5
    for bad in ("risk of landing", "landing square", "border and varied", "order to provide"):
        assert bad not in phrases
    assert not any("Tuesday" in p for p in phrases)
    words = [w.casefold() for p in phrases for w in p.split()]
    assert len(words) == len(set(words)), "phrases overlap"


def test_no_key_phrase_when_none_is_good() -> None:
    assert key_phrases(["We went there and did it, then we came back."]) == ()
