"""The JSON export contract and the Markdown export, on the seed."""

from __future__ import annotations

from bot.export import thread_to_json, thread_to_markdown
from bot.sources.capture import parse_thread
from bot.storage import Storage
from tests.conftest import SEED_FILE


async def test_json_contract_on_seed(seeded: Storage, seed_text: str) -> None:
    thread = await seeded.threads.find("iraq-cease-fire-over")
    assert thread is not None
    data = thread_to_json(
        thread, await seeded.comments.all(thread.id), await seeded.edges.all(thread.id)
    )
    assert set(data) == {"title", "lede", "author", "author_bio", "tags", "body", "comments"}
    parsed = parse_thread(seed_text, SEED_FILE.name)
    assert data["title"] == parsed.title and data["author"] == "James Joyner"
    assert data["tags"] == ["Uncategorized"] and data["body"] == list(parsed.body)
    assert len(data["comments"]) == 31
    for exported, original in zip(data["comments"], parsed.comments, strict=True):
        assert set(exported) == {"number", "author", "paragraphs", "replies_to"}
        assert exported["number"] == original.number
        assert exported["author"] == original.author
        assert exported["paragraphs"] == list(original.paragraphs)
        assert exported["replies_to"], "every comment replies to something (the article at least)"
        for reply in exported["replies_to"]:
            assert set(reply) == {"number", "via"}
            assert isinstance(reply["number"], int) and reply["number"] < exported["number"]
            assert reply["via"] in {"quote", "parent", "mention", "implicit", "article"}
    replies = {c["number"]: c["replies_to"] for c in data["comments"]}
    assert replies[1] == [{"number": 0, "via": "quote"}], "#1 quotes the lede"
    assert replies[8] == [{"number": 7, "via": "mention"}], "'…, either, DC.'"
    assert replies[11] == [{"number": 9, "via": "quote"}, {"number": 10, "via": "quote"}]
    assert replies[23] == [{"number": 22, "via": "mention"}], "'Well, Bit,'"
    assert replies[26] == [{"number": 25, "via": "implicit"}], "'How exactly?' answered"
    assert replies[7] == [{"number": 6, "via": "implicit"}]
    assert replies[4] == [{"number": 0, "via": "article"}]


async def test_markdown(seeded: Storage) -> None:
    thread = await seeded.threads.find("iraq-cease-fire-over")
    assert thread is not None
    text = thread_to_markdown(
        thread, await seeded.comments.all(thread.id), await seeded.edges.all(thread.id)
    )
    assert text.startswith("# Iraq Cease-Fire Over\n")
    assert "### 5. Juho§" in text and "## Comments (31)" in text
    assert "[…]" in text
