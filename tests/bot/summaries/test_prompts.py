"""Prompts for the language model: only people's own words, each with its comment number."""

from __future__ import annotations

from bot.storage import Storage
from bot.summaries.prompts import author_prompt, fit, thread_prompt


async def test_prompt_carries_only_own_words_with_numbers(seeded: Storage) -> None:
    thread = await seeded.threads.find("iraq-cease-fire-over", any_guild=True)
    assert thread is not None
    comments = await seeded.comments.all(thread.id)
    edges = await seeded.edges.all(thread.id)
    user = author_prompt(thread, comments, "Bithead", edges)[-1].content
    assert "\nAt the risk of landing square" in user and "\n#30 answers #29 Michael: “" in user
    # Bithead quoted glasnost in #2 and Michael in #11: both are labelled as their words.
    assert "QUOTED from #1 glasnost: “Not much critical thinking here" in user
    assert "QUOTED from #9 Michael: “So which is more important, a free press" in user
    assert "\n#9 " not in user  # Michael's comments are not Bithead's
    article = author_prompt(thread, comments, "James Joyner", edges)[-1].content
    assert "#0 (the article)\nThe cease-fire that has kept" in article
    whole = thread_prompt(thread, comments, edges)[-1].content
    assert "\n\n#9 Michael answers #" in whole and "QUOTED from #" in whole


def test_fit_says_how_much_was_left_out() -> None:
    assert fit(["a" * 10, "b" * 10], budget=100) == "a" * 10 + "\n\n" + "b" * 10
    assert (
        fit(["a" * 10, "b" * 10, "c"], budget=15)
        == "a" * 10 + "\n\n[2 more parts left out for length]"
    )
