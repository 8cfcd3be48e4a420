"""Per-server settings changed with ``/threadbot config``: typed, validated, stored as JSON.

Validation is pure (no Discord, no database) so every rule is tested directly;
:func:`load_config` is the one function the import and replay code call to get a
server's effective settings. A stored value that no longer validates (an older or
hand-edited row) falls back to its default instead of breaking the commands.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.errors import UserFacingError
from bot.guilds.permissions import DEFAULT_PERMISSION, PERMISSION_LABEL, Action
from bot.storage import Storage

log = logging.getLogger(__name__)

GRACE_PERIOD = timedelta(days=7)
"""How long a server's imports and settings are kept after the bot leaves it: re-adding
the bot within this time finds everything as it was."""

SPEED_MIN, SPEED_MAX = 0.25, 4.0
"""The speeds ``/replay start`` offers (``bot.replay.pacing`` has the same bounds; a test checks).
Not imported from there: ``bot.replay`` reads this module for a server's limits."""

REPLAYS_PER_GUILD_MAX = 10
"""The highest ``replay_max_running`` a server may set."""

Setting = Literal[
    "import_role_id",
    "replay_role_id",
    "replay_max_speed",
    "replay_public_threads",
    "replay_max_running",
]


class ConfigError(UserFacingError):
    """A value ``/threadbot config set`` refuses; nothing was changed."""


@dataclass(frozen=True, slots=True)
class GuildConfig:
    """One server's settings; the defaults are what a server that never ran ``config`` gets."""

    import_role_id: int | None = None
    """Members with this role may import, besides those with Manage Server."""
    replay_role_id: int | None = None
    """Members with this role may start and stop replays, besides those with Manage Threads."""
    replay_max_speed: float = SPEED_MAX
    """Fastest replay speed allowed here (a cap on how often comments are posted)."""
    replay_public_threads: bool = True
    """Whether a replay may open a new public thread or forum post; if not, it posts in place."""
    replay_max_running: int | None = None
    """Replays running at once in this server (one per channel in any case); ``None``: the
    bot's default (``bot.replay.manager.MAX_PER_GUILD``)."""

    def role_for(self, action: Action) -> int | None:
        return self.import_role_id if action == "import" else self.replay_role_id

    def roles_for(self, action: Action) -> tuple[int, ...]:
        """Roles allowed ``action`` besides the default permission (for ``ensure_allowed``)."""
        role = self.role_for(action)
        return () if role is None else (role,)

    def to_json(self) -> dict[str, Any]:
        """What is stored: only the values that differ from the defaults."""
        default = asdict(GuildConfig())
        return {k: v for k, v in asdict(self).items() if v != default[k]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GuildConfig:
        """Tolerant reading: unknown keys are ignored, invalid values fall back to defaults."""
        config = cls()
        known = {f.name for f in fields(cls)}
        for key, value in data.items():
            if key not in known:
                continue
            try:
                config = config.changed({key: value})
            except (ConfigError, TypeError, ValueError):
                log.warning("ignoring stored guild setting %s=%r", key, value)
        return config

    def changed(self, changes: Mapping[str, Any], *, guild_id: int | None = None) -> GuildConfig:
        """A copy with ``changes`` applied after validating each; raises :class:`ConfigError`."""
        clean: dict[str, Any] = {}
        for key, value in changes.items():
            clean[key] = _validate(key, value, guild_id)
        return replace(self, **clean)


def _validate(key: str, value: Any, guild_id: int | None) -> Any:
    if key in ("import_role_id", "replay_role_id"):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ConfigError(f"{key} must be a role id, got {value!r}.")
        if guild_id is not None and value == guild_id:
            raise ConfigError(
                "@everyone can't be the role: that would let every member do it. "
                "Pick a specific role."
            )
        return value
    if key == "replay_max_speed":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"The maximum replay speed must be a number, got {value!r}.")
        speed = float(value)
        if not math.isfinite(speed) or not SPEED_MIN <= speed <= SPEED_MAX:
            raise ConfigError(
                f"The maximum replay speed must be between {SPEED_MIN:g} and {SPEED_MAX:g}."
            )
        return speed
    if key == "replay_public_threads":
        if not isinstance(value, bool):
            raise ConfigError(f"replay_public_threads must be true or false, got {value!r}.")
        return value
    if key == "replay_max_running":
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"replay_max_running must be a whole number, got {value!r}.")
        if not 1 <= value <= REPLAYS_PER_GUILD_MAX:
            raise ConfigError(
                f"Replays at once must be between 1 and {REPLAYS_PER_GUILD_MAX} per server."
            )
        return value
    raise ConfigError(f"There is no setting called {key!r}.")


def check_role(role_id: int, guild_id: int, *, managed: bool) -> None:
    """Refuse roles no member can usefully hold: @everyone, and roles bots manage."""
    _validate("import_role_id", role_id, guild_id)
    if managed:
        raise ConfigError(
            "That role belongs to a bot or integration and can't be given to members. "
            "Pick a role members can have."
        )


def describe(config: GuildConfig, *, base_interval: float, min_interval: float) -> str:
    """``/threadbot config show``: every setting, with its default when it is unchanged."""

    def who(action: Action) -> str:
        default = PERMISSION_LABEL[DEFAULT_PERMISSION[action]]
        role = config.role_for(action)
        extra = f" or the role <@&{role}>" if role is not None else " (no extra role set)"
        return f"members with **{default}**{extra}"

    slowest_gap = max(min_interval, base_interval / config.replay_max_speed)
    lines = [
        "**threadbot settings for this server**",
        f"• Import threads: {who('import')}",
        f"• Start/stop replays: {who('replay')}",
        f"• Fastest replay: speed {config.replay_max_speed:g} "
        f"(one comment every {slowest_gap:g} s at most)",
        "• Replays open a new thread or forum post: "
        + ("yes" if config.replay_public_threads else "no, they post in the channel itself"),
        "• Replays at once in this server: "
        + (
            "the bot's default"
            if config.replay_max_running is None
            else str(config.replay_max_running)
        ),
        "-# Change with `/threadbot config set`, undo with `/threadbot config reset`. "
        "Administrators can always do everything.",
    ]
    return "\n".join(lines)


async def load_config(storage: Storage, guild_id: int | None) -> GuildConfig:
    """The effective settings of ``guild_id`` (defaults in DMs and for servers never configured)."""
    if guild_id is None:
        return GuildConfig()
    return GuildConfig.from_json(await storage.guilds.settings(guild_id))


def purge_due(left_at: datetime, now: datetime, grace: timedelta = GRACE_PERIOD) -> bool:
    """Whether a server the bot left at ``left_at`` is past its grace period at ``now``."""
    return now - left_at >= grace
