"""Replaying a thread into a channel, comment by comment under each author's name.

``plan`` (pure: what to post) → ``pacing`` (when) → ``senders`` (how: webhook or
embed) → ``runner`` (the loop and its exactly-once progress) → ``manager`` (tasks,
targets, resume); ``avatars`` gives each commenter a stable face. The names the
cogs need are re-exported here.
"""

from bot.replay.manager import (
    CHANNEL_BUSY,
    MAX_PER_GUILD,
    NO_FORUM_POSTS,
    ReplayLimits,
    ReplayManager,
    Started,
    guild_busy,
)
from bot.replay.pacing import SPEED_MAX, SPEED_MIN, pacing_floor
from bot.replay.runner import ReplayFailed
from bot.replay.senders import EMBED_NOTICE

__all__ = [
    "CHANNEL_BUSY",
    "EMBED_NOTICE",
    "MAX_PER_GUILD",
    "NO_FORUM_POSTS",
    "SPEED_MAX",
    "SPEED_MIN",
    "ReplayFailed",
    "ReplayLimits",
    "ReplayManager",
    "Started",
    "guild_busy",
    "pacing_floor",
]
