"""Discord's documented message limits, named once, and a validator for what we build.

The renderers stay inside these limits by construction; ``check_message`` is the
independent check the tests (and a paranoid caller) run on the finished payload.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

CONTENT_MAX = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
"""Characters summed over title, description, field names and values, footer and author
name of *all* embeds of one message."""
EMBED_URL_MAX = 2048

ACTION_ROWS_MAX = 5
ROW_BUTTONS_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
MODAL_TITLE_MAX = 45
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_PLACEHOLDER_MAX = 100

AUTOCOMPLETE_CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_VALUE_MAX = 100

FILES_PER_MESSAGE = 10
FILE_SIZE_MAX = 10 * 1024 * 1024
"""The upload limit of a server without boosts."""


def embed_length(embed: discord.Embed) -> int:
    """What Discord counts toward :data:`EMBED_TOTAL_MAX` for one embed."""
    return len(embed)


def check_embed(embed: discord.Embed, where: str = "embed") -> list[str]:
    """Every per-embed limit that ``embed`` breaks, as readable problems."""
    problems: list[str] = []

    def over(name: str, value: str | None, limit: int) -> None:
        if value is not None and len(value) > limit:
            problems.append(f"{where}.{name}: {len(value)} > {limit}")

    over("title", embed.title, EMBED_TITLE_MAX)
    over("description", embed.description, EMBED_DESCRIPTION_MAX)
    over("url", embed.url, EMBED_URL_MAX)
    over("footer", embed.footer.text, EMBED_FOOTER_MAX)
    over("author", embed.author.name, EMBED_AUTHOR_MAX)
    if len(embed.fields) > EMBED_FIELDS_MAX:
        problems.append(f"{where}.fields: {len(embed.fields)} > {EMBED_FIELDS_MAX}")
    for i, field in enumerate(embed.fields):
        if not field.name or not field.value:
            problems.append(f"{where}.fields.{i}: name and value are required")
        over(f"fields.{i}.name", field.name, EMBED_FIELD_NAME_MAX)
        over(f"fields.{i}.value", field.value, EMBED_FIELD_VALUE_MAX)
    return problems


def check_message(
    content: str | None, embeds: Sequence[discord.Embed] = (), *, creating: bool = True
) -> list[str]:
    """Every limit one message with this content and these embeds breaks; empty means fine."""
    problems: list[str] = []
    if content is not None and len(content) > CONTENT_MAX:
        problems.append(f"content: {len(content)} > {CONTENT_MAX}")
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"embeds: {len(embeds)} > {EMBEDS_PER_MESSAGE}")
    for i, embed in enumerate(embeds):
        problems.extend(check_embed(embed, f"embeds.{i}"))
    total = sum(embed_length(e) for e in embeds)
    if total > EMBED_TOTAL_MAX:
        problems.append(f"embeds: {total} characters in all > {EMBED_TOTAL_MAX}")
    if creating and not content and not embeds:
        problems.append("message: empty")
    return problems


def check_custom_id(custom_id: str) -> list[str]:
    """A component or modal ``custom_id`` Discord would refuse."""
    if not custom_id:
        return ["custom_id: empty"]
    if len(custom_id) > CUSTOM_ID_MAX:
        return [f"custom_id: {len(custom_id)} > {CUSTOM_ID_MAX}"]
    return []
