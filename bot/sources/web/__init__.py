"""Import a thread from a link: which site reads it, and the import around it.

A link under ``REDDIT_BASE_URL`` (any Reddit host while that is the default) goes to
the Reddit reader, one under ``HN_BASE_URL`` to the Hacker News reader, anything else
is tried as a WordPress site. Every request goes through :class:`~.fetch.Fetcher`
(public addresses only, size cap, one deadline for the whole import).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from bot.inference import infer_replies
from bot.models import ReplyStructure, Thread
from bot.settings import Settings
from bot.sources.tree import Reading
from bot.sources.uploads import ImportReport, run_reader, store_read
from bot.sources.web.fetch import Fetcher, FetchLimits, LinkRefused, check_url
from bot.sources.web.hackernews import read_hackernews
from bot.sources.web.reddit import read_reddit
from bot.sources.web.wordpress import read_wordpress
from bot.storage import Storage
from bot.text import truncate

Site = Literal["reddit", "hackernews", "wordpress"]
DEFAULT_REDDIT = "https://www.reddit.com"


@dataclass(frozen=True, slots=True)
class LinkOptions:
    """Everything an import from a link needs from the settings."""

    limits: FetchLimits
    max_comments: int
    reddit_base_url: str = DEFAULT_REDDIT
    hn_base_url: str = "https://news.ycombinator.com"
    hn_api_base_url: str = "https://hn.algolia.com/api/v1"

    @classmethod
    def from_settings(cls, settings: Settings) -> LinkOptions:
        return cls(
            limits=FetchLimits(
                max_bytes=settings.import_max_bytes,
                timeout=settings.import_url_timeout,
                allow_private=settings.allow_private_urls,
            ),
            max_comments=settings.import_max_comments,
            reddit_base_url=settings.reddit_base_url,
            hn_base_url=settings.hn_base_url,
            hn_api_base_url=settings.hn_api_base_url,
        )


def is_link(text: str) -> bool:
    """Whether a command-line argument is a link rather than a path."""
    return text.strip().lower().startswith(("http://", "https://"))


def _under(url: str, base: str) -> bool:
    link, root = urlsplit(url), urlsplit(base)
    if (link.scheme, link.hostname, link.port) != (root.scheme, root.hostname, root.port):
        return False
    prefix = root.path.rstrip("/")
    return link.path == prefix or link.path.startswith(prefix + "/")


def site_for(url: str, options: LinkOptions) -> Site:
    """Which reader a link goes to (pure: no request is made)."""
    host = (urlsplit(url).hostname or "").lower()
    if options.reddit_base_url == DEFAULT_REDDIT:
        if host == "reddit.com" or host.endswith(".reddit.com") or host == "redd.it":
            return "reddit"
    elif _under(url, options.reddit_base_url):
        return "reddit"
    if _under(url, options.hn_base_url):
        return "hackernews"
    return "wordpress"


async def read_link(
    url: str, options: LinkOptions, *, key: Hashable = ("link", 0)
) -> list[tuple[Thread, ReplyStructure]]:
    """The thread behind ``url`` and its replies, or :class:`LinkRefused` saying why not.

    Requests happen here; turning what they gave into a thread (HTML, markdown, the
    comment tree) and reply inference run in the parsing worker, within its limits,
    one at a time per ``key`` (a guild)."""
    url = url.strip()
    check_url(url)
    site = site_for(url, options)
    async with Fetcher(options.limits) as fetcher:
        if site == "reddit":
            reading = await read_reddit(
                fetcher, url, base_url=options.reddit_base_url, max_comments=options.max_comments
            )
        elif site == "hackernews":
            reading = await read_hackernews(
                fetcher,
                url,
                base_url=options.hn_base_url,
                api_base_url=options.hn_api_base_url,
                max_comments=options.max_comments,
            )
        else:
            reading = await read_wordpress(fetcher, url, max_comments=options.max_comments)
    return await run_reader(url, convert_and_infer, reading, key=key)


def convert_and_infer(reading: Reading) -> list[tuple[Thread, ReplyStructure]]:
    """What the worker runs for a link: the pure conversion, a check, reply inference."""
    thread = reading()
    if not thread.comments:
        raise LinkRefused(f"“{truncate(thread.title, 100)}” has no comments to import.")
    return [(thread, infer_replies(thread))]


async def import_link(
    storage: Storage, url: str, *, guild_id: int, options: LinkOptions
) -> ImportReport:
    """Read the thread behind ``url`` and store it for ``guild_id`` (nothing on failure)."""
    read = await read_link(url, options, key=("link", guild_id))
    return await store_read(storage, read, url.strip(), guild_id=guild_id)


__all__ = ["LinkOptions", "LinkRefused", "import_link", "is_link", "read_link", "site_for"]
