"""A fake Hacker News Algolia API: ``/api/v1/items/<id>`` answers an item with nested children.

The answer has the shape of ``https://hn.algolia.com/api/v1/items/<id>``: ``id``,
``created_at``, ``type``, ``author``, ``title``, ``url``, ``text`` (HTML, paragraphs
split by ``<p>``) and ``children`` (the same shape, recursively). A deleted comment
comes back as Algolia sends it: no author and no text, but still with its children.
Unknown ids answer 404 like the real API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakesites import FakeSite


def _comment(
    cid: int, author: str | None, text: str | None, *kids: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": cid,
        "created_at": f"2024-03-01T10:{cid % 60:02d}:00.000Z",
        "type": "comment",
        "author": author,
        "text": text,
        "children": list(kids),
    }


def sample_story() -> dict[str, Any]:
    """A story with 9 comments: nesting 4 deep, a deleted comment whose reply stays."""
    return {
        "id": 8863,
        "created_at": "2024-03-01T09:00:00.000Z",
        "type": "story",
        "author": "dhouston",
        "title": "My YC app: Dropbox - Throw away your USB drive",
        "url": "http://www.getdropbox.com/u/2/screencast.html",
        "text": None,
        "children": [
            _comment(
                9001, "BrandonM",
                "<p>For a Linux user, you can already build such a system yourself quite "
                "trivially by getting an FTP account.<p>It does not seem very useful.",
                _comment(9002, "dhouston",
                         "you are correct that this is not very useful for linux users, "
                         "but <i>most</i> people are not on linux.",
                         _comment(9003, "BrandonM", "Fair enough, that is a good point.",
                                  _comment(9004, "pg", "I think it will do well."))),
            ),
            _comment(9005, None, None, _comment(9006, "jedberg", "What did they say?")),
            _comment(9007, "tptacek", "<p>&gt; Throw away your USB drive<p>Not yet.",
                     _comment(9008, "sama", "Soon, tptacek.")),
            _comment(9009, "nostrademons", "Congratulations on launching!"),
        ],
    }  # fmt: skip


@dataclass(slots=True)
class FakeHackerNews(FakeSite):
    items: dict[int, dict[str, Any]] = field(default_factory=dict)

    def item_link(self, item_id: int) -> str:
        """The news site's link: the fake serves both it (unused) and the API."""
        return f"{self.url}/item?id={item_id}"

    @property
    def api(self) -> str:
        return f"{self.url}/api/v1"

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/api/v1/items/{id:\\d+}", self._item)

    async def _item(self, request: web.Request) -> web.Response:
        item = self.items.get(int(request.match_info["id"]))
        if item is None:
            return web.json_response({"status": 404, "error": "Not Found"}, status=404)
        return web.json_response(item)
