"""The summary service: cache per thread version, post author, LLM answers and fallbacks."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from bot.models import StoredThread
from bot.settings import Settings
from bot.storage import Storage
from bot.summaries.engine import summarise_author
from bot.summaries.offload import pack, summary_json, unpack
from bot.summaries.results import to_json
from bot.summaries.service import (
    OFFLINE_ENGINE,
    THREAD_SUBJECT,
    author_subject,
    author_view,
    is_cached,
    llm_engine,
    offline_author,
    thread_view,
)
from bot.ui.limits import check_message
from bot.ui.summary_rendering import author_summary_embed, thread_summary_embed
from tests.bot.summaries.fake_llm import FakeLLM, fake_llm

__all__ = ["fake_llm"]

OFFLINE = Settings(token="t")


def llm_settings(url: str, model: str = "tiny") -> Settings:
    return Settings(token="t", summary_backend="llm", llm_base_url=url, llm_model=model)


@pytest.fixture
async def thread(seeded: Storage) -> StoredThread:
    found = await seeded.threads.find("iraq-cease-fire-over", any_guild=True)
    assert found is not None
    return found


async def test_offline_summary_is_cached_per_thread_version(
    seeded: Storage, thread: StoredThread
) -> None:
    assert not await is_cached(seeded, OFFLINE, thread, "Bithead")
    first = await offline_author(seeded, thread, "Bithead")
    assert await is_cached(seeded, OFFLINE, thread, "Bithead")
    stored = await seeded.summaries.get(
        thread.id, author_subject("Bithead"), OFFLINE_ENGINE, thread.content_hash
    )
    assert stored == to_json(first)
    # The cache is what is read: a planted payload comes back as it is.
    planted = dataclasses.replace(first, phrases=("planted phrase",))
    await seeded.summaries.put(
        thread.id, author_subject("Bithead"), OFFLINE_ENGINE, thread.content_hash, to_json(planted)
    )
    assert (await offline_author(seeded, thread, "bithead")).phrases == ("planted phrase",)
    # Another version of the thread does not see it.
    changed = dataclasses.replace(thread, content_hash="0" * 64)
    assert not await is_cached(seeded, OFFLINE, changed, "Bithead")
    assert (await offline_author(seeded, changed, "Bithead")).phrases == first.phrases


async def test_unreadable_cache_is_recomputed(seeded: Storage, thread: StoredThread) -> None:
    await seeded.summaries.put(
        thread.id, THREAD_SUBJECT, OFFLINE_ENGINE, thread.content_hash, '{"title": 3}'
    )
    view = await thread_view(seeded, OFFLINE, thread)
    assert view.summary.comments == 31  # type: ignore[union-attr]
    assert view.brief is None and view.note is None


async def test_views_render_within_limits(seeded: Storage, thread: StoredThread) -> None:
    for name in ("Bithead", "James Joyner", "tequila"):
        view = await author_view(seeded, OFFLINE, thread, name)
        embed = author_summary_embed(thread, view)
        assert check_message(None, [embed]) == []
        assert "offline summary" in (embed.footer.text or "")
    embed = thread_summary_embed(thread, await thread_view(seeded, OFFLINE, thread))
    assert check_message(None, [embed]) == []
    assert "Bithead ↔ Michael, 14 exchanges, #9–#31" in str(embed.to_dict())


# ---- the LLM path --------------------------------------------------------------------------


async def test_llm_answer_is_shown_and_cached(
    seeded: Storage, thread: StoredThread, fake_llm: FakeLLM
) -> None:
    settings = llm_settings(fake_llm.url)
    view = await author_view(seeded, settings, thread, "Bithead")
    assert view.brief == fake_llm.answer and view.model == "tiny" and view.note is None
    assert len(fake_llm.requests) == 1
    assert "Person: Bithead" in fake_llm.user_prompt
    assert await is_cached(seeded, settings, thread, "Bithead")
    again = await author_view(seeded, settings, thread, "Bithead")
    assert again.brief == fake_llm.answer and len(fake_llm.requests) == 1
    # Another model is another cache entry.
    other = llm_settings(fake_llm.url, model="bigger")
    assert llm_engine(other) != llm_engine(settings)
    assert not await is_cached(seeded, other, thread, "Bithead")
    embed = author_summary_embed(thread, view)
    assert "In brief" in (embed.description or "") and check_message(None, [embed]) == []


async def test_people_asking_at_once_share_one_model_call(
    seeded: Storage, thread: StoredThread, fake_llm: FakeLLM
) -> None:
    settings = llm_settings(fake_llm.url)
    views = await asyncio.gather(
        *(author_view(seeded, settings, thread, "Bithead") for _ in range(5))
    )
    assert {v.brief for v in views} == {fake_llm.answer}
    assert len(fake_llm.requests) == 1
    assert len({to_json(v.summary) for v in views}) == 1


@pytest.mark.parametrize("mode", ["500", "429", "slow", "garbage", "empty"])
async def test_llm_failures_fall_back_with_a_note(
    seeded: Storage, thread: StoredThread, fake_llm: FakeLLM, mode: str
) -> None:
    fake_llm.mode = mode
    fake_llm.slow_seconds = 0.5
    settings = llm_settings(fake_llm.url)
    from bot.summaries.llm import ChatClient

    client = ChatClient(fake_llm.url, "tiny", timeout=0.2)
    view = await thread_view(seeded, settings, thread, client=client)
    assert view.brief is None
    assert view.note is not None and "offline summary" in view.note
    assert view.summary.comments == 31  # type: ignore[union-attr]
    embed = thread_summary_embed(thread, view)
    assert "⚠️" in (embed.description or "") and check_message(None, [embed]) == []
    # Failures are not cached: the next request asks the model again.
    assert not await is_cached(seeded, settings, thread, None)
    fake_llm.mode = "ok"
    recovered = await thread_view(seeded, settings, thread, client=client)
    assert recovered.brief == fake_llm.answer and recovered.note is None


# ---- what the model is told, and what of its answer is believed ---------------------------------

GOOD = (
    "STANCE: Iran is behind the violence and gains from instability [#2]\n"
    "- Iran is “directly responsible for fanning those flames” and arms the militias [#2]\n"
    "- Negative press at home brought the cease-fire to its “tipping point” [#3]\n"
    "- Iran would fill the void a US pullout leaves [#6, #8]"
)


async def test_the_prompt_carries_who_answered_whom_and_labels_quotes(
    seeded: Storage, thread: StoredThread, fake_llm: FakeLLM
) -> None:
    await author_view(seeded, llm_settings(fake_llm.url), thread, "Bithead")
    prompt = fake_llm.user_prompt
    assert "#2 answers #1 glasnost: “" in prompt
    assert "QUOTED from #1 glasnost: “Not much critical thinking here" in prompt
    assert "QUOTED (from outside the thread): “Researchers at Harvard" in prompt
    system = fake_llm.requests[-1]["messages"][0]["content"]
    assert "STANCE:" in system and "[#N]" in system


async def test_a_good_answer_is_shown_whole(
    seeded: Storage, thread: StoredThread, fake_llm: FakeLLM
) -> None:
    fake_llm.answer = GOOD
    view = await author_view(seeded, llm_settings(fake_llm.url), thread, "Bithead")
    assert view.brief == GOOD and view.note is None


async def test_a_partly_wrong_answer_loses_the_wrong_lines_and_says_so(
    seeded: Storage, thread: StoredThread, fake_llm: FakeLLM
) -> None:
    fake_llm.answer = GOOD + (
        "\n- Bithead says a free press matters more [#9]"  # #9 is Michael's
        "\n- He wrote “Iran has never attacked anyone” [#2]"  # not in #2
        "\n- He dislikes the article"  # cites nothing
    )
    view = await author_view(seeded, llm_settings(fake_llm.url), thread, "Bithead")
    assert view.brief == GOOD
    assert view.note is not None and "3 of 7 lines" in view.note
    embed = author_summary_embed(thread, view)
    assert "In brief" in (embed.description or "") and "free press" not in (embed.description or "")


async def test_a_wholly_wrong_answer_falls_back_to_the_offline_summary(
    seeded: Storage, thread: StoredThread, fake_llm: FakeLLM
) -> None:
    fake_llm.answer = "STANCE: Michael is right [#9]\n- Bithead agrees with “everyone here” [#2]"
    view = await author_view(seeded, llm_settings(fake_llm.url), thread, "Bithead")
    assert view.brief is None and view.model is None
    assert view.note is not None and "did not hold up" in view.note
    assert view.summary.points  # type: ignore[union-attr]


async def test_thread_answers_are_checked_against_the_people_they_name(
    seeded: Storage, thread: StoredThread, fake_llm: FakeLLM
) -> None:
    fake_llm.answer = (
        "ARTICLE: the claim that AQI is Iraq's main enemy is dubious [#0]\n"
        "- Bithead blames Iran while Michael counters that Iran already runs Iraq [#2, #9]\n"
        "- tequila says sealing the border is impossible [#9]\n"  # #9 is Michael's
        "- DC Loser: “Iran doesn’t want the US to pull out of Iraq.” [#7]"
    )
    view = await thread_view(seeded, llm_settings(fake_llm.url), thread)
    assert view.brief is not None
    assert "AQI" in view.brief and "Michael counters" in view.brief and "pull out" in view.brief
    assert "sealing" not in view.brief
    assert view.note is not None and "1 of 4 lines" in view.note


async def test_the_worker_form_round_trips_and_gives_the_same_summary(
    seeded: Storage, thread: StoredThread
) -> None:
    comments = await seeded.comments.all(thread.id)
    edges = await seeded.edges.all(thread.id)
    packed = pack(comments, edges)
    assert unpack(packed) == (comments, edges)
    assert any(p.quote is not None and p.quote.outside for c in comments for p in c.paragraphs)
    local = to_json(summarise_author(thread, comments, edges, "Bithead"))
    assert summary_json(thread, packed, "Bithead") == local
    # The service computes it in a child process and caches exactly that.
    assert to_json(await offline_author(seeded, thread, "Bithead")) == local
