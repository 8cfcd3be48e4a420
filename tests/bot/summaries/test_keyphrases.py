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
