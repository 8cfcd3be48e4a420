"""A fake Reddit serving one thread the way ``www.reddit.com`` serves it to ``.json`` readers.

* ``/comments/<id>.json`` (also under ``/r/<sub>/comments/<id>/<slug>.json``): the post
  listing and the comment tree, cut like Reddit cuts it: only the first
  ``top_level_shown`` top-level comments, the rest behind one ``more`` stub listing their
  ids; replies deeper than ``depth_shown`` behind a "continue this thread" stub
  (``id "_"``, no ids);
* ``/api/morechildren.json?link_id=t3_<id>&children=a,b``: those comments and their
  descendants as a flat list of things (each with its ``parent_id``), at most 100 ids;
* ``/comments/<id>/_/<comment>.json``: the comment's own permalink, its subtree cut at
  ``depth_shown`` again.

The thread is given as a flat list of :class:`Item` (id, parent id, author, body): deleted
and removed comments are written as Reddit writes them (``[deleted]`` author and body,
``[removed]`` body).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakesites import FakeSite


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    parent: str | None
    author: str
    body: str
    created: int


@dataclass(slots=True)
class FakeReddit(FakeSite):
    post_id: str = "abc123"
    title: str = "What is the best tea?"
    selftext: str = "Asking for a friend.\n\n> a quoted line\n\nThanks."
    items: list[Item] = field(default_factory=list)
    top_level_shown: int = 1_000
    depth_shown: int = 1_000

    def link(self) -> str:
        return f"{self.url}/r/tea/comments/{self.post_id}/what_is_the_best_tea/"

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/comments/{id}.json", self._thread)
        app.router.add_get("/r/{sub}/comments/{id}/{slug}.json", self._thread)
        app.router.add_get("/comments/{id}/_/{comment}.json", self._permalink)
        app.router.add_get("/api/morechildren.json", self._more)

    # ---- building Reddit's JSON ---------------------------------------------------------

    def _post(self) -> dict[str, Any]:
        data = {
            "id": self.post_id,
            "name": f"t3_{self.post_id}",
            "title": self.title,
            "selftext": self.selftext,
            "author": "op_person",
            "created_utc": 1_700_000_000.0,
            "permalink": f"/r/tea/comments/{self.post_id}/what_is_the_best_tea/",
            "subreddit_name_prefixed": "r/tea",
        }
        return {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": data}]}}

    def children_of(self, parent: str | None) -> list[Item]:
        return sorted((i for i in self.items if i.parent == parent), key=lambda i: i.created)

    def descendants(self, item: Item) -> list[Item]:
        out = []
        stack = [item]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(self.children_of(node.id)))
        return out

    def _data(self, item: Item, replies: Any) -> dict[str, Any]:
        return {
            "id": item.id,
            "name": f"t1_{item.id}",
            "parent_id": f"t1_{item.parent}" if item.parent else f"t3_{self.post_id}",
            "author": item.author,
            "body": item.body,
            "created_utc": float(item.created),
            "replies": replies,
        }

    def _tree(self, item: Item, depth: int) -> dict[str, Any]:
        kids = self.children_of(item.id)
        if not kids:
            return {"kind": "t1", "data": self._data(item, "")}
        if depth >= self.depth_shown:
            stub = {
                "kind": "more",
                "data": {"id": "_", "name": "t1__", "count": 0, "children": [],
                         "parent_id": f"t1_{item.id}"},
            }  # fmt: skip
            children = [stub]
        else:
            children = [self._tree(kid, depth + 1) for kid in kids]
        listing = {"kind": "Listing", "data": {"children": children}}
        return {"kind": "t1", "data": self._data(item, listing)}

    def _listing(self, roots: list[Item], *, cut_top: bool) -> dict[str, Any]:
        shown = roots[: self.top_level_shown] if cut_top else roots
        children: list[dict[str, Any]] = [self._tree(item, 1) for item in shown]
        hidden = roots[len(shown) :]
        if hidden:
            count = sum(len(self.descendants(i)) for i in hidden)
            children.append(
                {
                    "kind": "more",
                    "data": {
                        "id": hidden[0].id,
                        "name": f"t1_{hidden[0].id}",
                        "count": count,
                        "children": [i.id for i in hidden],
                        "parent_id": f"t3_{self.post_id}",
                    },
                }
            )
        return {"kind": "Listing", "data": {"children": children}}

    # ---- routes -------------------------------------------------------------------------

    async def _thread(self, request: web.Request) -> web.Response:
        if request.match_info["id"] != self.post_id:
            return web.json_response({"message": "Not Found", "error": 404}, status=404)
        roots = self.children_of(None)
        return web.json_response([self._post(), self._listing(roots, cut_top=True)])

    async def _permalink(self, request: web.Request) -> web.Response:
        wanted = request.match_info["comment"]
        item = next((i for i in self.items if i.id == wanted), None)
        if item is None or request.match_info["id"] != self.post_id:
            return web.json_response({"message": "Not Found", "error": 404}, status=404)
        return web.json_response([self._post(), self._listing([item], cut_top=False)])

    async def _more(self, request: web.Request) -> web.Response:
        ids = [i for i in request.query.get("children", "").split(",") if i]
        if request.query.get("link_id") != f"t3_{self.post_id}" or not 0 < len(ids) <= 100:
            return web.json_response({"json": {"errors": [["BAD_REQUEST"]]}}, status=400)
        things = []
        for item in (i for i in self.items if i.id in ids):
            things.extend({"kind": "t1", "data": self._data(d, "")} for d in self.descendants(item))
        return web.json_response({"json": {"errors": [], "data": {"things": things}}})


def sample_items() -> list[Item]:
    """A thread of 12 comments: nesting 5 deep, a deleted and a removed comment with replies."""
    rows = [
        ("c01", None, "alice", "Green tea, always."),
        ("c02", "c01", "bob", "> Green tea, always.\n\nToo bitter for me, Alice."),
        ("c03", "c02", "alice", "Brew it cooler, Bob: 80 degrees."),
        ("c04", "c03", "[deleted]", "[deleted]"),
        ("c05", "c04", "carol", "Whoever that was, they were right about the water."),
        ("c06", None, "dave", "Builder's tea or nothing."),
        ("c07", "c06", "erin", "[removed]"),
        ("c08", "c07", "dave", "Shame that got removed, it was funny."),
        ("c09", None, "frank", "Rooibos is not tea but I like it."),
        ("c10", "c09", "gina", "Technically a tisane, Frank."),
        ("c11", None, "hank", "Oolong deserves more love."),
        ("c12", "c11", "alice", "Agreed, Hank, oolong is underrated."),
    ]
    return [
        Item(cid, parent, author, body, 1_700_000_100 + 60 * n)
        for n, (cid, parent, author, body) in enumerate(rows)
    ]
