"""Prompts for the language model: only people's own words, each with its comment number."""

from __future__ import annotations

from bot.storage import Storage
from bot.summaries.prompts import author_prompt, fit


async def test_prompt_carries_only_own_words_with_numbers(seeded: Storage) -> None:
    thread = await seeded.threads.find("iraq-cease-fire-over", any_guild=True)
    assert thread is not None
    comments = await seeded.comments.all(thread.id)
    messages = author_prompt(thread, comments, "Bithead")
    user = messages[-1].content
    assert "#2: At the risk of landing square" in user
    assert "#30:" in user
    # Bithead quoted glasnost in #2 and Michael in #11: neither quote is in the prompt.
    assert "Not much critical thinking here" not in user
    assert "a free press or potentially un-emboldened extremists" not in user
    assert "#9:" not in user  # Michael's comments are not Bithead's
    article = author_prompt(thread, comments, "James Joyner")[-1].content
    assert "(article) The cease-fire that has kept" in article


def test_fit_says_how_much_was_left_out() -> None:
    assert fit(["a" * 10, "b" * 10], budget=100) == "a" * 10 + "\n\n" + "b" * 10
    assert (
        fit(["a" * 10, "b" * 10, "c"], budget=15)
        == "a" * 10 + "\n\n[2 more parts left out for length]"
    )
