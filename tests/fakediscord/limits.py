"""Discord's documented limits, checked against what the bot sends.

Every checker returns a list of :class:`Problem`; an empty list means the payload is
acceptable. The server turns problems into a ``fake.violations`` entry and a 400
"Invalid Form Body" answer shaped like Discord's (code 50035, nested ``errors``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
ACTION_ROWS_MAX = 5
ROW_COMPONENTS_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_OPTION_TEXT_MAX = 100
SELECT_PLACEHOLDER_MAX = 150
AUTOCOMPLETE_CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_STRING_VALUE_MAX = 100
WEBHOOK_USERNAME_MAX = 80
THREAD_NAME_MAX = 100
MODAL_TITLE_MAX = 45
MODAL_COMPONENTS_MAX = 5
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_PLACEHOLDER_MAX = 100
TEXT_INPUT_VALUE_MAX = 4000
FILES_PER_MESSAGE = 10
FILE_SIZE_MAX = 10 * 1024 * 1024
COMMANDS_PER_SCOPE = 100
COMMAND_NAME_MAX = 32
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25

# Chat-input command and option names: 1-32 chars, lowercase, no spaces.
_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$", re.UNICODE)
_WEBHOOK_NAME_FORBIDDEN = ("clyde", "discord")
"""Words Discord refuses anywhere in a webhook name, in any case."""
_WEBHOOK_NAME_RESERVED = ("everyone", "here")
"""Names Discord refuses as the whole name."""


@dataclass(frozen=True)
class Problem:
    """One broken rule: where in the payload, Discord's error code, a readable message."""

    field: str
    message: str
    code: str = "BASE_TYPE_MAX_LENGTH"

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _too_long(field: str, value: Any, limit: int) -> list[Problem]:
    if isinstance(value, str) and len(value) > limit:
        return [Problem(field, f"Must be {limit} or fewer in length (got {len(value)}).")]
    return []


def _required_text(field: str, value: Any, limit: int) -> list[Problem]:
    if not isinstance(value, str) or not value:
        return [Problem(field, "This field is required", "BASE_TYPE_REQUIRED")]
    return _too_long(field, value, limit)


def embed_length(embed: Mapping[str, Any]) -> int:
    """The characters Discord counts toward the 6000 total for one embed."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    for field in embed.get("fields") or []:
        total += len(field.get("name") or "") + len(field.get("value") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    return total


def check_embeds(embeds: Any, prefix: str = "embeds") -> list[Problem]:
    if embeds is None:
        return []
    if not isinstance(embeds, list):
        return [Problem(prefix, "Must be an array.", "BASE_TYPE_ARRAY")]
    problems: list[Problem] = []
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(
            Problem(prefix, f"Must be {EMBEDS_PER_MESSAGE} or fewer in length (got {len(embeds)}).")
        )
    total = 0
    for i, embed in enumerate(embeds):
        at = f"{prefix}.{i}"
        if not isinstance(embed, dict):
            problems.append(Problem(at, "Must be an object.", "MODEL_TYPE_CONVERT"))
            continue
        problems += _too_long(f"{at}.title", embed.get("title"), EMBED_TITLE_MAX)
        problems += _too_long(f"{at}.description", embed.get("description"), EMBED_DESCRIPTION_MAX)
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            problems.append(
                Problem(
                    f"{at}.fields",
                    f"Must be {EMBED_FIELDS_MAX} or fewer in length (got {len(fields)}).",
                )
            )
        for j, field in enumerate(fields):
            problems += _required_text(
                f"{at}.fields.{j}.name", field.get("name"), EMBED_FIELD_NAME_MAX
            )
            problems += _required_text(
                f"{at}.fields.{j}.value", field.get("value"), EMBED_FIELD_VALUE_MAX
            )
        footer = embed.get("footer")
        if footer is not None:
            problems += _too_long(f"{at}.footer.text", footer.get("text"), EMBED_FOOTER_MAX)
        author = embed.get("author")
        if author is not None:
            problems += _too_long(f"{at}.author.name", author.get("name"), EMBED_AUTHOR_MAX)
        total += embed_length(embed)
    if total > EMBED_TOTAL_MAX:
        problems.append(
            Problem(
                prefix,
                f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX} (got {total}).",
                "MAX_EMBED_SIZE_EXCEEDED",
            )
        )
    return problems


def _walk_custom_ids(components: Iterable[Any]) -> Iterable[str]:
    for comp in components:
        if not isinstance(comp, dict):
            continue
        if "custom_id" in comp and comp.get("custom_id") is not None:
            yield comp["custom_id"]
        for key in ("components", "accessory", "component"):
            child = comp.get(key)
            if isinstance(child, dict):
                yield from _walk_custom_ids([child])
            elif isinstance(child, list):
                yield from _walk_custom_ids(child)


def _check_component(comp: Any, at: str) -> list[Problem]:
    if not isinstance(comp, dict):
        return [Problem(at, "Must be an object.", "MODEL_TYPE_CONVERT")]
    problems: list[Problem] = []
    ctype = comp.get("type")
    problems += _too_long(f"{at}.custom_id", comp.get("custom_id"), CUSTOM_ID_MAX)
    if ctype == 2:  # button
        problems += _too_long(f"{at}.label", comp.get("label"), BUTTON_LABEL_MAX)
        if comp.get("style") == 5:
            if not comp.get("url"):
                problems.append(
                    Problem(f"{at}.url", "A link button needs a url.", "BASE_TYPE_REQUIRED")
                )
            if comp.get("custom_id"):
                problems.append(
                    Problem(
                        f"{at}.custom_id",
                        "A link button cannot have a custom_id.",
                        "BUTTON_COMPONENT_INVALID",
                    )
                )
        elif comp.get("style") != 6 and not comp.get("custom_id"):
            problems.append(
                Problem(f"{at}.custom_id", "This field is required", "BASE_TYPE_REQUIRED")
            )
    elif ctype in (3, 5, 6, 7, 8):  # selects
        problems += _too_long(f"{at}.placeholder", comp.get("placeholder"), SELECT_PLACEHOLDER_MAX)
        if not comp.get("custom_id"):
            problems.append(
                Problem(f"{at}.custom_id", "This field is required", "BASE_TYPE_REQUIRED")
            )
        options = comp.get("options") or []
        if len(options) > SELECT_OPTIONS_MAX:
            problems.append(
                Problem(
                    f"{at}.options",
                    f"Must be {SELECT_OPTIONS_MAX} or fewer in length (got {len(options)}).",
                )
            )
        for k, opt in enumerate(options):
            problems += _required_text(
                f"{at}.options.{k}.label", opt.get("label"), SELECT_OPTION_TEXT_MAX
            )
            problems += _required_text(
                f"{at}.options.{k}.value", opt.get("value"), SELECT_OPTION_TEXT_MAX
            )
            problems += _too_long(
                f"{at}.options.{k}.description", opt.get("description"), SELECT_OPTION_TEXT_MAX
            )
    return problems


def check_components(
    components: Any, *, v2: bool = False, prefix: str = "components"
) -> list[Problem]:
    """Action rows (at most 5; 5 buttons or 1 select each), custom_id length and uniqueness."""
    if components is None:
        return []
    if not isinstance(components, list):
        return [Problem(prefix, "Must be an array.", "BASE_TYPE_ARRAY")]
    problems: list[Problem] = []
    if not v2 and len(components) > ACTION_ROWS_MAX:
        problems.append(
            Problem(
                prefix, f"Must be {ACTION_ROWS_MAX} or fewer in length (got {len(components)})."
            )
        )
    for i, row in enumerate(components):
        at = f"{prefix}.{i}"
        if not isinstance(row, dict):
            problems.append(Problem(at, "Must be an object.", "MODEL_TYPE_CONVERT"))
            continue
        if row.get("type") == 1:
            children = row.get("components") or []
            if not children:
                problems.append(
                    Problem(
                        f"{at}.components", "Must be 1 or more in length.", "BASE_TYPE_MIN_LENGTH"
                    )
                )
            if len(children) > ROW_COMPONENTS_MAX:
                problems.append(
                    Problem(
                        f"{at}.components",
                        f"Must be {ROW_COMPONENTS_MAX} or fewer in length (got {len(children)}).",
                    )
                )
            if (
                any(c.get("type") != 2 for c in children if isinstance(c, dict))
                and len(children) > 1
            ):
                problems.append(
                    Problem(
                        f"{at}.components",
                        "A select menu must be alone in its row.",
                        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    )
                )
            for j, child in enumerate(children):
                problems += _check_component(child, f"{at}.components.{j}")
        elif not v2:
            problems.append(
                Problem(
                    f"{at}.type",
                    "Top-level components must be action rows (type 1).",
                    "COMPONENT_TYPE_INVALID",
                )
            )
        else:
            problems += _check_component(row, at)
    seen: set[str] = set()
    for custom_id in _walk_custom_ids(components):
        if custom_id in seen:
            problems.append(
                Problem(
                    prefix,
                    f"Component custom id cannot be duplicated ({custom_id!r}).",
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                )
            )
        seen.add(custom_id)
    return problems


def check_allowed_mentions(payload: Mapping[str, Any]) -> list[Problem]:
    """The bot's policy: any message with content or embeds states its allowed_mentions."""
    has_text = bool(payload.get("content")) or bool(payload.get("embeds"))
    if has_text and "allowed_mentions" not in payload:
        return [
            Problem(
                "allowed_mentions",
                "Policy: every message with content or embeds must send allowed_mentions.",
                "POLICY_ALLOWED_MENTIONS_MISSING",
            )
        ]
    return []


def check_message(
    payload: Any,
    *,
    creating: bool = True,
    file_count: int = 0,
    file_sizes: Sequence[int] = (),
    prefix: str = "",
) -> list[Problem]:
    """A message create (``creating``) or edit payload, as sent by the bot."""
    pre = f"{prefix}." if prefix else ""
    if not isinstance(payload, dict):
        return [Problem(prefix or "body", "Must be an object.", "MODEL_TYPE_CONVERT")]
    problems: list[Problem] = []
    problems += _too_long(f"{pre}content", payload.get("content"), CONTENT_MAX)
    problems += check_embeds(payload.get("embeds"), f"{pre}embeds")
    v2 = bool(int(payload.get("flags") or 0) & (1 << 15))
    problems += check_components(payload.get("components"), v2=v2, prefix=f"{pre}components")
    problems += _too_long(f"{pre}username", payload.get("username"), WEBHOOK_USERNAME_MAX)
    if file_count > FILES_PER_MESSAGE:
        problems.append(Problem(f"{pre}files", f"Must be {FILES_PER_MESSAGE} or fewer files."))
    for i, size in enumerate(file_sizes):
        if size > FILE_SIZE_MAX:
            problems.append(
                Problem(
                    f"{pre}files.{i}",
                    f"File exceeds the {FILE_SIZE_MAX} byte upload limit.",
                    "FILE_TOO_LARGE",
                )
            )
    if creating:
        empty = (
            not any(
                payload.get(k) for k in ("content", "embeds", "components", "sticker_ids", "poll")
            )
            and not file_count
            and not payload.get("attachments")
        )
        if empty:
            problems.append(
                Problem(prefix or "content", "Cannot send an empty message", "EMPTY_MESSAGE")
            )
    problems += [
        Problem(f"{pre}{p.field}", p.message, p.code) for p in check_allowed_mentions(payload)
    ]
    return problems


def check_webhook_username(
    username: Any, field: str = "username", forbidden: Iterable[str] = ()
) -> list[Problem]:
    """A webhook's name (or a message's ``username``) as Discord checks it: trimmed, 1-80
    characters, no "discord"/"clyde" in any case, not exactly "everyone"/"here".

    ``forbidden``: more words to refuse, standing for a rule the bot cannot foresee.
    Discord answers 50035 Invalid Form Body with, for example,
    ``{"username": {"_errors": [{"code": "USERNAME_INVALID_CONTAINS",
    "message": "Username cannot contain \\"discord\\""}]}}``.
    """
    if username is None:
        return []
    if not isinstance(username, str) or not 1 <= len(username.strip()) <= WEBHOOK_USERNAME_MAX:
        return [
            Problem(
                field,
                f"Must be between 1 and {WEBHOOK_USERNAME_MAX} in length.",
                "BASE_TYPE_BAD_LENGTH",
            )
        ]
    problems: list[Problem] = []
    folded = username.casefold()
    for word in (*_WEBHOOK_NAME_FORBIDDEN, *forbidden):
        if word.casefold() in folded:
            problems.append(
                Problem(field, f'Username cannot contain "{word}"', "USERNAME_INVALID_CONTAINS")
            )
    if folded.strip() in _WEBHOOK_NAME_RESERVED:
        problems.append(
            Problem(field, f'Username cannot be "{folded.strip()}"', "USERNAME_INVALID")
        )
    return problems


def check_thread_name(name: Any, field: str = "name") -> list[Problem]:
    return _required_text(field, name, THREAD_NAME_MAX)


def check_choices(choices: Any, field: str = "choices") -> list[Problem]:
    if choices is None:
        return []
    if not isinstance(choices, list):
        return [Problem(field, "Must be an array.", "BASE_TYPE_ARRAY")]
    problems: list[Problem] = []
    if len(choices) > AUTOCOMPLETE_CHOICES_MAX:
        problems.append(
            Problem(
                field,
                f"Must be {AUTOCOMPLETE_CHOICES_MAX} or fewer in length (got {len(choices)}).",
            )
        )
    for i, choice in enumerate(choices):
        problems += _required_text(f"{field}.{i}.name", choice.get("name"), CHOICE_NAME_MAX)
        problems += _too_long(f"{field}.{i}.value", choice.get("value"), CHOICE_STRING_VALUE_MAX)
    return problems


def _walk_text_inputs(
    components: Iterable[Any],
) -> Iterable[tuple[dict[str, Any], dict[str, Any] | None]]:
    """(text input, enclosing label or None) for every text input in a modal."""
    for comp in components:
        if not isinstance(comp, dict):
            continue
        if comp.get("type") == 4:
            yield comp, None
        elif comp.get("type") == 1:
            yield from _walk_text_inputs(comp.get("components") or [])
        elif comp.get("type") == 18 and isinstance(comp.get("component"), dict):
            inner = comp["component"]
            if inner.get("type") == 4:
                yield inner, comp


def check_modal(data: Any, field: str = "data") -> list[Problem]:
    if not isinstance(data, dict):
        return [Problem(field, "Must be an object.", "MODEL_TYPE_CONVERT")]
    problems = _required_text(f"{field}.title", data.get("title"), MODAL_TITLE_MAX)
    problems += _required_text(f"{field}.custom_id", data.get("custom_id"), CUSTOM_ID_MAX)
    components = data.get("components") or []
    if not components or len(components) > MODAL_COMPONENTS_MAX:
        problems.append(
            Problem(
                f"{field}.components", f"Must be between 1 and {MODAL_COMPONENTS_MAX} in length."
            )
        )
    for i, (text_input, label) in enumerate(_walk_text_inputs(components)):
        at = f"{field}.components.{i}"
        problems += _too_long(f"{at}.custom_id", text_input.get("custom_id"), CUSTOM_ID_MAX)
        label_text = label.get("label") if label is not None else text_input.get("label")
        problems += _too_long(f"{at}.label", label_text, TEXT_INPUT_LABEL_MAX)
        problems += _too_long(
            f"{at}.placeholder", text_input.get("placeholder"), TEXT_INPUT_PLACEHOLDER_MAX
        )
        problems += _too_long(f"{at}.value", text_input.get("value"), TEXT_INPUT_VALUE_MAX)
        for key in ("min_length", "max_length"):
            value = text_input.get(key)
            if value is not None and not 0 <= int(value) <= TEXT_INPUT_VALUE_MAX:
                problems.append(
                    Problem(
                        f"{at}.{key}",
                        f"Must be between 0 and {TEXT_INPUT_VALUE_MAX}.",
                        "NUMBER_TYPE_MAX",
                    )
                )
    return problems


def _check_options(options: Any, at: str) -> list[Problem]:
    problems: list[Problem] = []
    if options is None:
        return problems
    if len(options) > COMMAND_OPTIONS_MAX:
        problems.append(Problem(at, f"Must be {COMMAND_OPTIONS_MAX} or fewer in length."))
    seen_optional = False
    for i, opt in enumerate(options):
        here = f"{at}.{i}"
        name = opt.get("name")
        if not isinstance(name, str) or not _COMMAND_NAME.match(name) or name != name.lower():
            problems.append(
                Problem(
                    f"{here}.name",
                    f"Invalid option name {name!r}.",
                    "APPLICATION_COMMAND_INVALID_NAME",
                )
            )
        problems += _required_text(
            f"{here}.description", opt.get("description"), COMMAND_DESCRIPTION_MAX
        )
        if opt.get("type") in (1, 2):
            problems += _check_options(opt.get("options"), f"{here}.options")
            continue
        if opt.get("required"):
            if seen_optional:
                problems.append(
                    Problem(
                        f"{here}.required",
                        "Required options must be placed before non-required options",
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    )
                )
        else:
            seen_optional = True
        choices = opt.get("choices")
        if choices:
            problems += check_choices(choices, f"{here}.choices")
            if opt.get("autocomplete"):
                problems.append(
                    Problem(
                        f"{here}.autocomplete",
                        "Autocomplete cannot be set with choices.",
                        "AUTOCOMPLETE_INVALID",
                    )
                )
    return problems


def check_commands(commands: Any) -> list[Problem]:
    """A bulk overwrite of application commands (one scope)."""
    if not isinstance(commands, list):
        return [Problem("body", "Must be an array.", "BASE_TYPE_ARRAY")]
    problems: list[Problem] = []
    chat_input = [c for c in commands if c.get("type", 1) == 1]
    if len(chat_input) > COMMANDS_PER_SCOPE:
        problems.append(
            Problem("body", f"Must be {COMMANDS_PER_SCOPE} or fewer chat input commands.")
        )
    seen: set[tuple[int, str]] = set()
    for i, cmd in enumerate(commands):
        ctype = cmd.get("type", 1)
        name = cmd.get("name")
        key = (ctype, str(name))
        if key in seen:
            problems.append(
                Problem(
                    f"{i}.name",
                    f"Duplicate command name {name!r}.",
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                )
            )
        seen.add(key)
        if ctype == 1:
            if not isinstance(name, str) or not _COMMAND_NAME.match(name) or name != name.lower():
                problems.append(
                    Problem(
                        f"{i}.name",
                        f"Invalid command name {name!r}.",
                        "APPLICATION_COMMAND_INVALID_NAME",
                    )
                )
            problems += _required_text(
                f"{i}.description", cmd.get("description"), COMMAND_DESCRIPTION_MAX
            )
            problems += _check_options(cmd.get("options"), f"{i}.options")
        else:
            problems += _required_text(f"{i}.name", name, COMMAND_NAME_MAX)
    return problems


def errors_tree(problems: Iterable[Problem]) -> dict[str, Any]:
    """Discord's nested ``errors`` object: {"embeds": {"0": {"title": {"_errors": [...]}}}}."""
    tree: dict[str, Any] = {}
    for p in problems:
        node = tree
        for part in p.field.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": p.code, "message": p.message})
    return tree
