"""Replay a stored thread into Discord, one comment at a time, under each author's name.

Two halves:

* **Planning** (pure): :func:`article_posts` and :func:`comment_posts` turn the
  article and each comment into :class:`Post` values — the text split within
  Discord's limits, mentions neutralised, quoted paragraphs as block quotes under
  a "↪ replying to #N (Name)" line. The same parts serve both presentations
  (webhook content or embed), so switching mode mid-comment never re-posts.
* **Running**: :func:`run_replay` posts the planned messages through a
  :class:`Sender`, paced and interruptible, writing progress to SQLite after every
  post. :class:`ReplayManager` owns one asyncio task per replay, picks the place
  to post (a new thread, a forum post, or the current channel), gets the channel
  webhook, and resumes replays left running by a restart.

Exactly-once: progress ``(next_seq, next_part)`` is recorded right after Discord
acknowledged each message (``wait=True``), shielded from cancellation, and stops
and shutdowns are cooperative (never cancelling a send in flight). The one
window left is a crash of the process between Discord's acknowledgement and the
SQLite write: on resume the manager reads the target's newest messages back and,
if the next planned message is already there, records it instead of posting it
again (without Read Message History it would be posted twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import discord

from bot.errors import Busy, UserFacingError
from bot.guilds.config import load_config
from bot.models import ARTICLE, StoredComment, StoredThread
from bot.replay.avatars import author_colour, avatar_url
from bot.storage import ReplayMode, ReplayRecord, ReplayStatus, Storage
from bot.text import collapse_whitespace, safe, split_text, truncate
from bot.ui.limits import CONTENT_MAX, EMBED_TITLE_MAX
from bot.ui.rendering import valid_url

log = logging.getLogger(__name__)

MIN_INTERVAL = 1.0
"""Seconds between two comments, whatever the speed: one channel never sees more than
about one message a second from a replay (Discord's limits are ~5 per 5 s per channel
and 5 per 2 s per webhook; discord.py still honours any 429 ``retry_after``)."""

PART_GAP = 1.0
"""Seconds between the parts of one long comment."""

WINDOW_MESSAGES, WINDOW_SECONDS = 30, 60.0
"""At most 30 messages a minute into one channel: Discord also limits webhook messages per
channel to about 30 a minute, which a replay of more than 30 messages at the 1 s floor would
otherwise run into (and then wait out as 429s)."""

SPEED_MIN, SPEED_MAX = 0.25, 4.0
"""The widest speeds ``/replay start`` offers (a guild's limits may be narrower)."""
MAX_RUNNING = 20
"""Replays running at once in this process: 20 × ≤1 message/s stays far below Discord's
global 50 requests/s, so replays never starve other commands of requests."""
MAX_PER_GUILD = 3
"""Replays running at once in one guild, unless its configuration says otherwise."""

THREAD_NAME_MAX = 100
WEBHOOK_USERNAME_MAX = 80
WEBHOOK_NAME = "threadbot replays"
"""Name of the one webhook per channel the bot creates and reuses."""

NO_MENTIONS = discord.AllowedMentions.none()

_ARTICLE_HEADER_MAX = 700
"""Longest article header (title, byline, link; all cut before escaping, which at most
doubles them): the first part's body leaves room for it within 2000 characters."""
_COMMENT_HEADER_MAX = 200
"""Longest comment header, ``-# #number · date`` with the date cut to 80 before escaping."""
_BODY_MAX = CONTENT_MAX - _COMMENT_HEADER_MAX - 1
_LABEL_MAX = 200
"""Longest "↪ replying to #N (Name)" line (names are cut to 80 before escaping)."""

_SINGLE_NAME_PAD = "\u17b5"
_HAIR_SPACE = "\u200a"
_FORBIDDEN_IN_NAMES = re.compile(r"(c)(lyde)|(d)(iscord)", re.IGNORECASE)


# ---- text helpers --------------------------------------------------------------------------


def webhook_username(name: str) -> str:
    """A webhook ``username`` Discord accepts that still reads as ``name``.

    Discord refuses names containing "discord" or "clyde" (any case) and the exact
    names "everyone"/"here"; a hair space breaks the word without changing how it
    reads (the same fix PluralKit applies). 1-80 characters; a single character is
    padded, as Discord refuses those too.
    """
    name = collapse_whitespace(name) or "Anonymous"
    name = _FORBIDDEN_IN_NAMES.sub(lambda m: m.group(0)[0] + _HAIR_SPACE + m.group(0)[1:], name)
    if name.casefold() in ("everyone", "here"):
        name = name[0] + _HAIR_SPACE + name[1:]
    name = truncate(name, WEBHOOK_USERNAME_MAX)
    if len(name) == 1:
        name += _SINGLE_NAME_PAD
    return name


def thread_name(title: str) -> str:
    """A Discord thread name for an article: one line, 1-100 characters."""
    return truncate(collapse_whitespace(title), THREAD_NAME_MAX) or "Replay"


def quote_block(text: str) -> str:
    """Escaped text as a Discord block quote, every line (blank ones too) marked."""
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


def split_quote(text: str, limit: int) -> list[str]:
    """Escaped text as block-quote pieces of at most ``limit`` characters each."""
    size = limit
    while True:
        pieces = [quote_block(piece) for piece in split_text(text, size)]
        longest = max((len(p) for p in pieces), default=0)
        if longest <= limit:
            return pieces
        size -= longest - limit


def _pack(units: Sequence[str], limit: int, first_limit: int | None = None) -> list[str]:
    """Join units with blank lines into as few chunks as possible.

    Chunks hold at most ``limit`` characters, the first at most ``first_limit``;
    every unit must fit alone in either.
    """
    chunks: list[str] = []
    current = ""
    for unit in units:
        room = limit if chunks or first_limit is None else first_limit
        if not current:
            current = unit
        elif len(current) + 2 + len(unit) <= room:
            current += "\n\n" + unit
        else:
            chunks.append(current)
            current = unit
    if current:
        chunks.append(current)
    return chunks


# ---- planning ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Persona:
    """Who a post appears to come from."""

    name: str
    """The name as written in the thread."""

    @property
    def username(self) -> str:
        return webhook_username(self.name)

    @property
    def avatar_url(self) -> str:
        return avatar_url(self.name)

    @property
    def colour(self) -> int:
        return author_colour(self.name)


@dataclass(frozen=True, slots=True)
class Post:
    """One message of a replay: part ``part`` of ``parts`` of comment ``seq`` (0 = article).

    ``body`` is the same in both presentations; ``header`` (Markdown) starts the
    webhook message, while an embed shows ``title`` and the plain-text ``footer``.
    """

    seq: int
    part: int
    parts: int
    persona: Persona
    header: str
    body: str
    title: str
    footer: str = ""
    url: str | None = None

    @property
    def last(self) -> bool:
        return self.part == self.parts - 1

    @property
    def content(self) -> str:
        """The webhook message text, at most 2000 characters."""
        return f"{self.header}\n{self.body}" if self.header else self.body

    def embed(self) -> discord.Embed:
        """The same post as an embed by the bot (used without Manage Webhooks)."""
        embed = discord.Embed(
            title=truncate(self.title, EMBED_TITLE_MAX),
            description=self.body,
            colour=self.persona.colour,
            url=self.url,
        )
        if self.footer:
            embed.set_footer(text=self.footer, icon_url=self.persona.avatar_url)
        return embed


def _quote_label(seq: int, heads: Mapping[int, tuple[int, str]], post_author: str) -> str:
    if seq == ARTICLE:
        who = f" ({safe(truncate(post_author, 80))})" if post_author else ""
        return f"↪ quoting the article{who}"
    number, name = heads.get(seq, (seq, "?"))
    return f"↪ replying to #{number} ({safe(truncate(name, 80))})"


def comment_units(
    comment: StoredComment, heads: Mapping[int, tuple[int, str]], post_author: str
) -> list[str]:
    """The comment's blocks, each short enough for one message body.

    Own paragraphs stay normal text; a run of paragraphs quoted from the same
    source gets one "↪ replying to #N (Name)" line, then each as a ``> `` quote.
    """
    units: list[str] = []
    previous_source: int | None = None
    for paragraph in comment.paragraphs:
        text = safe(paragraph.text.strip())
        if paragraph.quote is None:
            previous_source = None
            units.extend(split_text(text, _BODY_MAX))
            continue
        pieces = split_quote(text, _BODY_MAX - _LABEL_MAX - 1)
        if paragraph.quote.seq != previous_source and pieces:
            label = _quote_label(paragraph.quote.seq, heads, post_author)
            pieces[0] = f"{label}\n{pieces[0]}"
        previous_source = paragraph.quote.seq
        units.extend(pieces)
    return units


def comment_posts(
    comment: StoredComment, heads: Mapping[int, tuple[int, str]], post_author: str
) -> list[Post]:
    """Every message of one comment, in order."""
    posted = truncate(collapse_whitespace(comment.posted or ""), 80)
    meta = f"#{comment.number}" + (f" · {posted}" if posted else "")
    bodies = _pack(comment_units(comment, heads, post_author), _BODY_MAX) or ["*(no text)*"]
    persona = Persona(comment.author)
    name = truncate(collapse_whitespace(comment.author), 200) or "Anonymous"
    return [
        Post(
            seq=comment.seq,
            part=i,
            parts=len(bodies),
            persona=persona,
            header=f"-# {safe(meta)}" if i == 0 else f"-# #{comment.number} (continued)",
            body=body,
            title=name if i == 0 else f"{name} (continued)",
            footer=meta if i == 0 else f"#{comment.number} (continued)",
        )
        for i, body in enumerate(bodies)
    ]


def article_posts(thread: StoredThread) -> list[Post]:
    """The article's messages: title, byline and link, lede in italics, body, tags."""
    title = truncate(collapse_whitespace(thread.title), 120) or "Untitled"
    byline = [f"by {truncate(collapse_whitespace(thread.author), 80)}"] if thread.author else []
    if thread.published:
        byline.append(truncate(collapse_whitespace(thread.published), 40))
    url = valid_url(thread.url)
    header = f"# {safe(title)}"
    if byline or url:
        link = [f"<{url}>"] if url and len(url) <= 150 else []
        header += "\n-# " + " · ".join([safe(b) for b in byline] + link)
    unit_max = CONTENT_MAX - _ARTICLE_HEADER_MAX - 1
    units: list[str] = []
    if thread.lede:
        units.extend(f"*{u}*" for u in split_text(safe(thread.lede.strip()), unit_max - 2))
    for paragraph in thread.body:
        units.extend(split_text(safe(paragraph.strip()), unit_max))
    tags = [t for t in thread.tags if t.strip()]
    if tags:
        units.append("-# Filed under: " + safe(truncate(", ".join(tags), 500)))
    bodies = _pack(units, CONTENT_MAX, CONTENT_MAX - len(header) - 1)
    persona = Persona(thread.author or "threadbot")
    return [
        Post(
            seq=ARTICLE,
            part=i,
            parts=len(bodies),
            persona=persona,
            header=header if i == 0 else "",
            body=body,
            title=title if i == 0 else f"{title} (continued)",
            footer=" · ".join(byline) if i == 0 else "",
            url=url if i == 0 else None,
        )
        for i, body in enumerate(bodies or ["*(the article has no text)*"])
    ]


def next_position(post: Post) -> tuple[int, int]:
    """Where a replay continues after ``post`` was posted."""
    return (post.seq, post.part + 1) if not post.last else (post.seq + 1, 0)


# ---- sending -----------------------------------------------------------------------------


class Sender(Protocol):
    """Posts one planned message; raises ``discord.HTTPException`` on failure."""

    mode: ReplayMode

    async def send(self, post: Post) -> None: ...


@dataclass(slots=True)
class WebhookSender:
    """Posts as the author through the channel's webhook (``thread`` for threads and posts)."""

    webhook: discord.Webhook
    thread: discord.abc.Snowflake | None = None
    mode: ReplayMode = "webhook"

    async def send(self, post: Post) -> None:
        await self.webhook.send(
            post.content,
            username=post.persona.username,
            avatar_url=post.persona.avatar_url,
            thread=self.thread if self.thread is not None else discord.utils.MISSING,
            allowed_mentions=NO_MENTIONS,
            wait=True,
        )


@dataclass(slots=True)
class EmbedSender:
    """Posts as the bot, with the author as the embed's title."""

    target: discord.abc.Messageable
    mode: ReplayMode = "embed"

    async def send(self, post: Post) -> None:
        await self.target.send(embed=post.embed(), allowed_mentions=NO_MENTIONS)


CHANNEL_BUSY = "A replay is already running here: see `/replay status`, or `/replay stop`."
NO_FORUM_POSTS = (
    "This server's settings don't let replays open forum posts: start it in a text channel "
    "or an existing thread instead."
)
"""The refusal in a forum when ``/threadbot config`` turned new threads off."""


def guild_busy(limit: int) -> str:
    """The refusal when a guild already runs its most replays at once."""
    return (
        f"This server already runs {limit} replay{'s' if limit != 1 else ''} at once, the most "
        "allowed: stop one with `/replay stop` in its channel, or wait for one to end."
    )


def _webhook_sender(webhook: discord.Webhook, target: Any) -> WebhookSender:
    """Posts into ``target``: a thread or forum post is named on each message."""
    return WebhookSender(webhook, target if isinstance(target, discord.Thread) else None)


EMBED_NOTICE = (
    "I can't use a webhook here (I need the **Manage Webhooks** permission), so comments "
    "are shown as embeds with the author as title instead of under each author's name."
)


# ---- the run loop ------------------------------------------------------------------------


@dataclass(slots=True)
class Pacing:
    """How long to wait between messages; ``stop`` ends any wait at once.

    Besides the gap before each message, at most ``window`` messages go out in any
    ``window_seconds`` (0: no window), measured on ``clock``.
    """

    interval: float
    part_gap: float = PART_GAP
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    window: int = 0
    window_seconds: float = 0.0
    clock: Callable[[], float] = time.monotonic
    sent_at: deque[float] = field(default_factory=deque)

    async def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; ``True`` if stopping was requested meanwhile."""
        if self.stop.is_set():
            return True
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=seconds)
        return self.stop.is_set()

    def window_wait(self) -> float:
        """Seconds until one more message fits in the window."""
        if self.window <= 0 or self.window_seconds <= 0:
            return 0.0
        now = self.clock()
        while self.sent_at and self.sent_at[0] <= now - self.window_seconds:
            self.sent_at.popleft()
        if len(self.sent_at) < self.window:
            return 0.0
        return self.sent_at[0] + self.window_seconds - now

    def record_sent(self) -> None:
        """A message went out now (counts towards the window)."""
        if self.window > 0:
            self.sent_at.append(self.clock())


def interval_for(speed: float, base: float, minimum: float = MIN_INTERVAL) -> float:
    """Seconds between comments: ``base / speed`` (speed 2 = twice as fast), never below minimum."""
    speed = min(max(speed, SPEED_MIN), SPEED_MAX)
    return max(minimum, base / speed)


@dataclass(frozen=True, slots=True)
class ReplayLimits:
    """What bounds replays in one guild, read in one place: :meth:`ReplayManager.limits`."""

    max_per_guild: int = MAX_PER_GUILD
    speed_min: float = SPEED_MIN
    speed_max: float = SPEED_MAX
    public_threads: bool = True
    """May a replay open a new public thread or forum post (``/threadbot config``)?"""

    def check_speed(self, speed: float) -> float:
        """``speed`` if allowed here; a :class:`UserFacingError` naming the bounds if not."""
        if not self.speed_min <= speed <= self.speed_max:
            raise UserFacingError(
                f"Speed must be between {self.speed_min:g} and {self.speed_max:g} here."
            )
        return speed


def pacing_floor(base_interval: float) -> tuple[float, float]:
    """``(min_interval, part_gap)`` for a configured ``REPLAY_INTERVAL``.

    The 1 s floors hold unless the operator deliberately set the interval itself
    lower (a private server, or tests): then that value is the floor.
    """
    return min(MIN_INTERVAL, base_interval), min(PART_GAP, base_interval)


class ReplayFailed(Exception):
    """A replay that cannot continue (target gone, no permission left)."""


class _NoWebhooks(Exception):
    """The place to post has no webhooks at all (e.g. a DM)."""


SwitchToEmbeds = Callable[[], Awaitable[Sender]]
"""Called when the webhook stops working: returns an embed sender (and says so once)."""

_RECENT = 20
"""Messages read back on resume to find one posted just before a crash."""

_RETRIES = 3
"""Retries of one message after Discord's 5xx (which may or may not have posted it)."""
_RATE_LIMITED_ROUNDS = 20
"""Times one message may come back 429 after discord.py's own retries (5 each) before the
replay gives up: a 429 means nothing was posted, so waiting and retrying is always safe."""


def _why(exc: discord.HTTPException) -> str:
    """``403: Missing Permissions``: Discord's status and reason, for ``/replay status``."""
    return f"{exc.status}: {exc.text}" if exc.text else str(exc.status)


def retry_after(exc: discord.HTTPException, default: float = 1.0) -> float:
    """Seconds a 429 asks to wait, from its headers (discord.py keeps no body for it)."""
    headers = getattr(exc.response, "headers", None) or {}
    for name in ("X-RateLimit-Reset-After", "Retry-After"):
        try:
            value = float(headers.get(name, ""))
        except (TypeError, ValueError):
            continue
        if value >= 0:
            return min(value, 60.0)
    return default


async def run_replay(
    storage: Storage,
    replay: ReplayRecord,
    sender: Sender,
    pacing: Pacing,
    *,
    switch_to_embeds: SwitchToEmbeds | None = None,
    page_size: int = 50,
) -> ReplayStatus:
    """Post the rest of ``replay`` from its recorded position; returns how it ended.

    Returns ``"running"`` when asked to stop (by ``/replay stop`` or a shutdown):
    the caller decides whether that is final. Records progress after every post.
    """
    thread = await storage.get_thread(replay.thread_id, replay.guild_id)
    if thread is None:
        raise ReplayFailed("the thread was deleted")
    heads = await storage.comment_heads(thread.id)
    seq, part = replay.next_seq, replay.next_part
    state = _RunState(storage, replay.id, sender, pacing, switch_to_embeds)

    if seq == ARTICLE:
        if not await state.emit(article_posts(thread)[part:]):
            return "running"
        seq, part = replay.first_seq, 0
    seq = max(seq, replay.first_seq)
    while seq <= replay.last_seq:
        page = await storage.page_comments(thread.id, start=seq, limit=page_size)
        page = [c for c in page if c.seq <= replay.last_seq]
        if not page:
            break
        for comment in page:
            posts = comment_posts(comment, heads, thread.author)
            if comment.seq == seq and part:
                posts = posts[part:]
            if not await state.emit(posts):
                return "running"
            part = 0
        seq = page[-1].seq + 1
    return "finished"


async def planned_post(storage: Storage, replay: ReplayRecord) -> Post | None:
    """The message ``replay`` posts next, by the same rules as :func:`run_replay`."""
    thread = await storage.get_thread(replay.thread_id, replay.guild_id)
    if thread is None:
        return None
    seq, part = replay.next_seq, replay.next_part
    if seq == ARTICLE:
        article = article_posts(thread)
        if part < len(article):
            return article[part]
        seq, part = replay.first_seq, 0
    seq = max(seq, replay.first_seq)
    page = await storage.page_comments(thread.id, start=seq, limit=1)
    if not page or page[0].seq > replay.last_seq:
        return None
    comment = page[0]
    posts = comment_posts(comment, await storage.comment_heads(thread.id), thread.author)
    part = part if comment.seq == seq else 0
    return posts[part] if part < len(posts) else None


def shows(message: discord.Message, post: Post, mode: ReplayMode) -> bool:
    """Whether ``message`` is ``post`` as this replay would have posted it."""
    if mode == "webhook":
        return message.content.strip() == post.content.strip()
    return bool(message.embeds) and (message.embeds[0].description or "").strip() == (
        post.body.strip()
    )


@dataclass(slots=True)
class _RunState:
    storage: Storage
    replay_id: int
    sender: Sender
    pacing: Pacing
    switch_to_embeds: SwitchToEmbeds | None
    started: bool = False

    async def emit(self, posts: Sequence[Post]) -> bool:
        """Post ``posts`` in order; ``False`` as soon as a stop was requested."""
        for post in posts:
            gap = self.pacing.interval if post.part == 0 else self.pacing.part_gap
            if await self.pacing.wait(max(gap if self.started else 0, self.pacing.window_wait())):
                return False
            if not await self._send(post):
                return False
            self.pacing.record_sent()
            self.started = True
            # Shielded: once Discord has the message, the record must be written even
            # if this task is being cancelled.
            await asyncio.shield(
                self.storage.record_replay_progress(self.replay_id, *next_position(post))
            )
        return True

    async def _send(self, post: Post) -> bool:
        """Post with retries on Discord's 429s and 5xx; ``False`` if a stop came during a wait."""
        attempt = limited = 0
        while True:
            try:
                await self.sender.send(post)
                return True
            except (discord.Forbidden, discord.NotFound) as exc:
                if self.sender.mode != "webhook" or self.switch_to_embeds is None:
                    raise ReplayFailed(f"I can no longer post there ({_why(exc)})") from exc
                log.warning("replay %s: webhook failed (%s); using embeds", self.replay_id, exc)
                try:
                    self.sender = await self.switch_to_embeds()
                except discord.HTTPException as again:
                    raise ReplayFailed(f"I can no longer post there ({_why(again)})") from again
            except discord.HTTPException as exc:
                if exc.status == 429 and limited < _RATE_LIMITED_ROUNDS:
                    limited += 1
                    wait = retry_after(exc)
                    log.warning("replay %s: rate limited, waiting %.2f s", self.replay_id, wait)
                    if await self.pacing.wait(wait):
                        return False
                    continue
                if attempt == _RETRIES or exc.status < 500:
                    raise ReplayFailed(f"Discord refused a message ({_why(exc)})") from exc
                log.warning("replay %s: %s, retrying", self.replay_id, exc)
                if await self.pacing.wait(2.0 * 2**attempt):
                    return False
                attempt += 1


# ---- the manager (one task per replay) -----------------------------------------------------


@dataclass(slots=True)
class _Handle:
    task: asyncio.Task[None]
    pacing: Pacing
    channel_id: int


@dataclass(frozen=True, slots=True)
class Started:
    """What ``/replay start`` did, for its answer."""

    replay: ReplayRecord
    target: discord.abc.Messageable
    target_id: int
    created: bool
    """``True`` when a new Discord thread or forum post was made for the replay."""
    mode: ReplayMode
    comments: int


class ReplayManager:
    """Runs replays as background tasks and resumes the ones a restart interrupted."""

    def __init__(
        self,
        client: discord.Client,
        storage: Storage,
        *,
        base_interval: float,
        min_interval: float = MIN_INTERVAL,
        part_gap: float = PART_GAP,
        max_running: int = MAX_RUNNING,
        max_per_guild: int = MAX_PER_GUILD,
        window: int = WINDOW_MESSAGES,
        window_seconds: float | None = None,
    ) -> None:
        self.client = client
        self.storage = storage
        self.base_interval = base_interval
        self.min_interval = min_interval
        self.part_gap = part_gap
        self.max_running = max_running
        self.max_per_guild = max_per_guild
        self.window = window
        # The window follows the floor: a floor set lower (tests, benchmarks) shrinks it alike.
        self.window_seconds = (
            WINDOW_SECONDS * min(1.0, min_interval / MIN_INTERVAL)
            if window_seconds is None
            else window_seconds
        )
        self._handles: dict[int, _Handle] = {}
        self._starting: set[int] = set()

    # ---- queries

    def is_active(self, replay_id: int) -> bool:
        return replay_id in self._handles

    @property
    def active(self) -> int:
        return len(self._handles)

    async def wait(self, replay_id: int) -> None:
        """Until the replay's task ends (tests, shutdown)."""
        handle = self._handles.get(replay_id)
        if handle is not None:
            await asyncio.wait({handle.task})

    async def limits(self, guild_id: int) -> ReplayLimits:
        """The limits for replays in ``guild_id``: the one place they are read.

        The guild's ``/threadbot config`` where it set one, else this manager's defaults.
        """
        config = await load_config(self.storage, guild_id)
        return ReplayLimits(
            max_per_guild=config.replay_max_running or self.max_per_guild,
            speed_max=min(SPEED_MAX, config.replay_max_speed),
            public_threads=config.replay_public_threads,
        )

    def interval(self, speed: float) -> float:
        """Seconds between comments at ``speed`` with this manager's pacing."""
        return interval_for(speed, self.base_interval, self.min_interval)

    # ---- start

    async def start(
        self,
        *,
        channel: Any,
        guild_id: int,
        user_id: int,
        thread: StoredThread,
        first_seq: int,
        last_seq: int,
        speed: float,
        can_webhook: bool,
    ) -> Started:
        """Claim the channel, pick where to post, get a sender, and start the task.

        Raises :class:`Busy` when a replay already runs in or into this channel, or
        too many run in the guild or at once; :class:`UserFacingError` for a speed
        outside the guild's limits or when there is nowhere to post.
        """
        limits = await self.limits(guild_id)
        limits.check_speed(speed)
        if self.active >= self.max_running:
            raise Busy(f"{self.active} replays are running already; try again when one ends.")
        mode: ReplayMode = "webhook" if can_webhook else "embed"
        record = await self.storage.start_replay(
            guild_id=guild_id,
            channel_id=channel.id,
            thread_id=thread.id,
            first_seq=first_seq,
            last_seq=last_seq,
            speed=speed,
            mode=mode,
            started_by=user_id,
            guild_limit=limits.max_per_guild,
        )
        if record is None:
            if await self.storage.running_replay(channel.id) is not None:
                raise Busy(CHANNEL_BUSY)
            raise Busy(guild_busy(limits.max_per_guild))
        self._starting.add(record.id)
        try:
            target, created = await self._make_target(
                channel, thread, last_seq - first_seq + 1, public=limits.public_threads
            )
            await self.storage.set_replay_target(record.id, target.id)
            sender = await self._sender(record.id, target, mode, notice=False)
            record = await self.storage.get_replay(record.id) or record
            if record.status != "running":
                # ``/replay stop`` came while the thread and webhook were being set up.
                raise UserFacingError("The replay was stopped before its first message.")
            self._spawn(record, target, sender)
        except BaseException as exc:
            reason = exc.message if isinstance(exc, UserFacingError) else type(exc).__name__
            await self.storage.end_replay(record.id, "failed", reason)
            raise
        finally:
            self._starting.discard(record.id)
        return Started(record, target, target.id, created, sender.mode, last_seq - first_seq + 1)

    async def _make_target(
        self, channel: Any, thread: StoredThread, comments: int, *, public: bool = True
    ) -> tuple[Any, bool]:
        """A new thread in a text channel, a new post in a forum, else the channel itself.

        With ``public=False`` (the guild's config) no thread or post is created: a text
        channel gets the replay in place, a forum (which only holds posts) refuses.
        """
        name = thread_name(thread.title)
        reason = f"threadbot replay of {thread.slug}"
        if not public:
            if isinstance(channel, discord.ForumChannel):
                raise UserFacingError(NO_FORUM_POSTS)
            return channel, False
        if isinstance(channel, discord.ForumChannel):
            intro = f"Replay of **{safe(truncate(thread.title, 150))}** ({comments} comments)."
            try:
                made = await channel.create_thread(
                    name=name, content=intro, allowed_mentions=NO_MENTIONS, reason=reason
                )
            except discord.HTTPException as exc:
                raise UserFacingError(
                    f"I couldn't create a post in this forum ({exc.text or exc.status}); "
                    "check my Create Posts permission and the forum's required tags."
                ) from None
            return made.thread, True
        if isinstance(channel, discord.TextChannel):
            try:
                created = await channel.create_thread(
                    name=name,
                    type=discord.ChannelType.public_thread,
                    auto_archive_duration=1440,
                    reason=reason,
                )
            except discord.HTTPException as exc:
                log.info("cannot create a thread in %s (%s): replaying in place", channel.id, exc)
                return channel, False
            return created, True
        return channel, False

    async def _webhook_channel(self, target: Any) -> Any:
        """The channel that owns webhooks for ``target`` (a thread's parent)."""
        if isinstance(target, discord.Thread):
            parent = target.parent or self.client.get_channel(target.parent_id)
            return parent or await self.client.fetch_channel(target.parent_id)
        return target

    async def _webhook(self, target: Any) -> discord.Webhook:
        owner = await self._webhook_channel(target)
        if not hasattr(owner, "webhooks") or not hasattr(owner, "create_webhook"):
            raise _NoWebhooks(f"{type(owner).__name__} has no webhooks")
        me = self.client.user
        for hook in await owner.webhooks():
            if (
                hook.name == WEBHOOK_NAME
                and hook.token
                and hook.user
                and me
                and hook.user.id == me.id
            ):
                return hook  # type: ignore[no-any-return]
        hook = await owner.create_webhook(name=WEBHOOK_NAME, reason="threadbot replays")
        return hook  # type: ignore[no-any-return]

    async def _sender(
        self, replay_id: int, target: Any, mode: ReplayMode, *, notice: bool
    ) -> Sender:
        """A webhook sender when allowed and possible, else embeds (saying so if ``notice``)."""
        if mode == "embed":
            return EmbedSender(target)
        try:
            webhook = await self._webhook(target)
        except (discord.HTTPException, _NoWebhooks) as exc:
            log.info("replay %s: no webhook (%s); using embeds", replay_id, exc)
            return await self._embeds(replay_id, target, notice=notice)
        return _webhook_sender(webhook, target)

    async def _embeds(self, replay_id: int, target: Any, *, notice: bool) -> Sender:
        """Switch a replay to embeds for good (stored, so a resume does not say it again)."""
        await self.storage.set_replay_mode(replay_id, "embed")
        if notice:
            await target.send(EMBED_NOTICE, allowed_mentions=NO_MENTIONS)
        return EmbedSender(target)

    # ---- running

    def _spawn(self, record: ReplayRecord, target: Any, sender: Sender) -> None:
        pacing = Pacing(
            interval=self.interval(record.speed),
            part_gap=self.part_gap,
            window=self.window,
            window_seconds=self.window_seconds,
        )
        task = asyncio.create_task(
            self._run(record, target, sender, pacing), name=f"replay-{record.id}"
        )
        self._handles[record.id] = _Handle(task, pacing, record.channel_id)

    async def _run(self, record: ReplayRecord, target: Any, sender: Sender, pacing: Pacing) -> None:
        webhook_again = True

        async def switch() -> Sender:
            """The webhook failed: once, look for it again (someone may have deleted it, and
            a new one is made), then fall back to embeds for good."""
            nonlocal webhook_again
            if webhook_again:
                webhook_again = False
                try:
                    hook = await self._webhook(target)
                except (discord.HTTPException, _NoWebhooks) as exc:
                    log.info("replay %s: no webhook any more (%s)", record.id, exc)
                else:
                    log.info("replay %s: posting through webhook %s now", record.id, hook.id)
                    return _webhook_sender(hook, target)
            return await self._embeds(record.id, target, notice=True)

        try:
            status = await run_replay(self.storage, record, sender, pacing, switch_to_embeds=switch)
            if status == "finished":
                await self.storage.end_replay(record.id, "finished")
                log.info("replay %s finished", record.id)
        except ReplayFailed as exc:
            log.warning("replay %s failed: %s", record.id, exc)
            await self.storage.end_replay(record.id, "failed", str(exc))
        except asyncio.CancelledError:
            log.info("replay %s interrupted; it resumes on the next start", record.id)
            raise
        except Exception as exc:
            log.exception("replay %s crashed", record.id)
            await self.storage.end_replay(record.id, "failed", f"internal error: {exc!r}")
        finally:
            self._handles.pop(record.id, None)

    # ---- stop, resume, shutdown

    async def stop(self, channel_id: int, *, wait: bool = False) -> ReplayRecord | None:
        """Stop the replay running in or into ``channel_id``; the stopped record, or ``None``.

        The task ends at its next pause: a message already on its way is still posted
        and recorded. ``wait`` waits for that (an interaction cannot wait long).
        """
        record = await self.storage.running_replay(channel_id)
        if record is None:
            return None
        await self.storage.end_replay(record.id, "stopped")
        handle = self._handles.get(record.id)
        if handle is not None:
            handle.pacing.stop.set()
            if wait:
                await asyncio.wait({handle.task}, timeout=30)
        return await self.storage.get_replay(record.id)

    async def resume_all(self) -> list[int]:
        """Restart every replay the database still marks running; returns their ids."""
        resumed: list[int] = []
        for record in await self.storage.running_replays():
            if record.id in self._handles or record.id in self._starting:
                continue
            try:
                target = await self._resolve_target(record)
                sender = await self._sender(record.id, target, record.mode, notice=True)
            except ReplayFailed as exc:
                log.warning("replay %s cannot resume: %s", record.id, exc)
                await self.storage.end_replay(record.id, "failed", str(exc))
                continue
            except discord.HTTPException as exc:
                log.warning("replay %s cannot resume: %s", record.id, exc)
                await self.storage.end_replay(record.id, "failed", f"cannot post: {exc.text}")
                continue
            await self._skip_if_posted(record, target, sender)
            fresh = await self.storage.get_replay(record.id) or record
            if fresh.status != "running":
                continue  # stopped while its target was being looked up
            self._spawn(fresh, target, sender)
            resumed.append(record.id)
            log.info("replay %s resumed at comment seq %s", record.id, record.next_seq)
        return resumed

    async def _skip_if_posted(self, record: ReplayRecord, target: Any, sender: Sender) -> None:
        """Close the one gap progress records leave: a crash after Discord accepted a
        message but before SQLite recorded it. If the newest replay message in the
        target already is the next planned one, record it instead of posting it again.

        Best effort: without Read Message History the message may be posted twice.
        """
        post = await planned_post(self.storage, record)
        if post is None or not hasattr(target, "history"):
            return
        me = self.client.user
        hook_id = sender.webhook.id if isinstance(sender, WebhookSender) else None
        try:
            async for message in target.history(limit=_RECENT):
                ours = (
                    message.webhook_id == hook_id
                    if hook_id is not None
                    else me is not None and message.author.id == me.id and bool(message.embeds)
                )
                if not ours:
                    continue
                if shows(message, post, sender.mode):
                    log.info("replay %s: %s/%s was already posted", record.id, post.seq, post.part)
                    await self.storage.record_replay_progress(record.id, *next_position(post))
                return  # only the newest replay message can be the unrecorded one
        except discord.HTTPException as exc:
            log.info("replay %s: cannot read recent messages (%s)", record.id, exc.status)

    async def _resolve_target(self, record: ReplayRecord) -> Any:
        if record.target_id is None:
            raise ReplayFailed("interrupted before it had a place to post")
        channel = self.client.get_channel(record.target_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(record.target_id)
            except (discord.NotFound, discord.Forbidden) as exc:
                raise ReplayFailed(f"its channel is gone or hidden ({exc.status})") from None
        if not isinstance(channel, discord.abc.Messageable):
            raise ReplayFailed("its channel cannot hold messages")
        return channel

    async def shutdown(self, grace: float = 10.0) -> None:
        """Ask every replay to pause (they stay running in the database) and wait for them."""
        handles = list(self._handles.values())
        for handle in handles:
            handle.pacing.stop.set()
        if not handles:
            return
        _, pending = await asyncio.wait({h.task for h in handles}, timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=grace)
