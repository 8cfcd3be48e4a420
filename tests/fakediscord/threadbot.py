"""Glue between the fake Discord and the real ThreadBot, for end-to-end command tests.

:func:`make_threadbot` builds the bot exactly as ``python -m bot run`` would (every cog,
``setup_hook``, the seeds loaded into a database at ``db``), pointed at nothing but the
fake; start it with ``tests.e2e.conftest.run_bot``. The reading helpers turn what the
fake stored into plain text a test can assert on, the way a person reads the channel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bot.app import ThreadBot
from bot.settings import Settings
from bot.storage import storage_for

from .models import InteractionReply, StoredMessage
from .server import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SEED_FILE = SEEDS / "000_f0163f8d9acaa1b0.txt"
SEED_SLUG = "iraq-cease-fire-over"


def make_threadbot(
    fake: FakeDiscord,
    db: Path | str,
    *,
    seeds_dir: Path = SEEDS,
    guild_id: int | None = None,
    extensions: Sequence[str] | None = None,
    **settings: Any,
) -> ThreadBot:
    """The real bot on database ``db``, an SQLite file or a ``postgresql://`` URL (all cogs
    unless ``extensions`` is given).

    Extra keyword arguments are :class:`bot.settings.Settings` fields (for example
    ``import_max_bytes=1000``).
    """
    config = Settings(
        token=fake.token, seeds_dir=seeds_dir, guild_id=guild_id, **database(db), **settings
    )
    return ThreadBot(settings=config, storage=storage_for(config), extensions=extensions)


def database(db: Path | str) -> dict[str, Any]:
    """The ``Settings`` fields that select database ``db`` (a path or a URL)."""
    return {"database_url": db} if isinstance(db, str) else {"database_path": db}


def embed_text(embed: dict[str, Any]) -> str:
    """Every piece of text one embed shows (title, author, description, fields, footer)."""
    parts = [
        str(embed.get("title") or ""),
        str((embed.get("author") or {}).get("name") or ""),
        str(embed.get("description") or ""),
    ]
    for fld in embed.get("fields") or []:
        parts += [str(fld.get("name") or ""), str(fld.get("value") or "")]
    parts.append(str((embed.get("footer") or {}).get("text") or ""))
    return "\n".join(p for p in parts if p)


def message_text(message: StoredMessage | InteractionReply | None) -> str:
    """Content plus every embed's text of one message (or of a reply's message)."""
    if isinstance(message, InteractionReply):
        message = message.message
    if message is None:
        return ""
    return "\n".join([message.content, *(embed_text(e) for e in message.embeds)]).strip()


def all_text(messages: Iterable[StoredMessage]) -> str:
    """The text of several messages, in order."""
    return "\n".join(message_text(m) for m in messages)


def buttons(message: StoredMessage | InteractionReply | None) -> dict[str, dict[str, Any]]:
    """The message's buttons by label (``⏮ ◀ 1 / 31 ▶ ⏭`` for a paginator)."""
    if isinstance(message, InteractionReply):
        message = message.message
    if message is None:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for row in message.components:
        for comp in row.get("components") or []:
            if comp.get("type") == 2 and comp.get("label") is not None:
                out[str(comp["label"])] = comp
    return out


def button_id(message: StoredMessage | InteractionReply | None, label: str) -> str:
    """The custom_id of the button labelled ``label`` (a label prefix is enough)."""
    found = buttons(message)
    for text, comp in found.items():
        if text == label or text.startswith(label):
            return str(comp["custom_id"])
    raise AssertionError(f"no button labelled {label!r}; the message has {sorted(found)}")


def thread_file(
    title: str,
    comments: Sequence[tuple[str, Sequence[str]]],
    *,
    lede: str = "A short lede for a test thread.",
    body: Sequence[str] = ("The body of the article.",),
    tags: Sequence[str] = ("testing",),
    author: str = "Test Author",
    bio: str = "Test Author writes test threads.",
) -> str:
    """A thread capture in the seeds' format: ``comments`` are ``(name, paragraphs)``."""
    lines = [title, "", lede, ""]
    for paragraph in body:
        lines += [paragraph, ""]
    lines += [f"FILED UNDER: {', '.join(tags)}", author, f"About {author}", bio, "", "Comments", ""]
    for number, (name, paragraphs) in enumerate(comments, start=1):
        lines += [f"  {number}. {name} says:", ""]
        for paragraph in paragraphs:
            lines += [f"    {paragraph}", ""]
    return "\n".join(lines)
