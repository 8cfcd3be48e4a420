"""A fake WordPress site whose posts, pages, people and comments come from a WXR export.

It serves what a real WordPress 6 site serves to an anonymous visitor:

* ``/<slug>/`` — the post's HTML page, announcing the REST API the way WordPress
  does: a ``Link: <…/wp-json/>; rel="https://api.w.org/"`` header (``discovery="header"``),
  a ``<link rel="https://api.w.org/">`` in the head (``"html"``), or neither
  (``"none"``: the importer must fall back to ``/wp-json/``);
* ``/wp-json/wp/v2/posts?slug=…``, ``/pages?slug=…``, ``/posts/<id>``, ``/pages/<id>``:
  published items only, password-protected content hidden as WordPress hides it;
* ``/wp-json/wp/v2/comments?post=…&per_page=…&page=…``: approved comments of type
  ``comment`` only (what the public API returns), ``per_page`` capped at
  ``max_per_page``, ``_fields`` honoured, ``X-WP-Total`` and ``X-WP-TotalPages`` headers,
  400 past the last page;
* ``/wp-json/wp/v2/users/<id>``: name and description, or 401 with ``hide_users``.

The export is read here with the standard library, independently of ``bot.sources.wxr``,
so the importer is checked against the file itself, not against our own WXR reader.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aiohttp import web

from tests.fakesites import FakeSite

WP = "{https://wordpress.org/export/1.2/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC = "{http://purl.org/dc/elements/1.1/}creator"


@dataclass(slots=True)
class Post:
    id: int
    slug: str
    type: str
    status: str
    title: str
    content: str
    password: str
    author: int
    date: str
    date_gmt: str
    comments: list[dict[str, Any]] = field(default_factory=list)


def _wp_namespace(root: ET.Element) -> str:
    for element in root.iter():
        if element.tag.startswith("{") and "wordpress.org/export/" in element.tag:
            uri = element.tag[1:].split("}")[0]
            if not uri.endswith("/excerpt/"):
                return "{" + uri + "}"
    return WP


def read_export(path: Path) -> tuple[dict[str, int], dict[int, str], list[Post]]:
    """Author logins → ids, ids → display names, and every item with its raw comments."""
    root = ET.parse(path).getroot()
    wp = _wp_namespace(root)
    channel = root.find("channel")
    assert channel is not None
    logins: dict[str, int] = {}
    names: dict[int, str] = {}
    for number, author in enumerate(channel.findall(f"{wp}author"), start=1):
        login = author.findtext(f"{wp}author_login") or ""
        logins[login] = number
        names[number] = author.findtext(f"{wp}author_display_name") or login
    posts = []
    for item in channel.findall("item"):
        post = Post(
            id=int(item.findtext(f"{wp}post_id") or 0),
            slug=item.findtext(f"{wp}post_name") or "",
            type=item.findtext(f"{wp}post_type") or "post",
            status=item.findtext(f"{wp}status") or "publish",
            title=item.findtext("title") or "",
            content=item.findtext(CONTENT) or "",
            password=item.findtext(f"{wp}post_password") or "",
            author=logins.get(item.findtext(DC) or "", 0),
            date=(item.findtext(f"{wp}post_date") or "").replace(" ", "T"),
            date_gmt=(item.findtext(f"{wp}post_date_gmt") or "").replace(" ", "T"),
        )
        for comment in item.findall(f"{wp}comment"):
            post.comments.append(
                {
                    "id": int(comment.findtext(f"{wp}comment_id") or 0),
                    "parent": int(comment.findtext(f"{wp}comment_parent") or 0),
                    "author_name": comment.findtext(f"{wp}comment_author") or "",
                    "date": (comment.findtext(f"{wp}comment_date") or "").replace(" ", "T"),
                    "date_gmt": (comment.findtext(f"{wp}comment_date_gmt") or "").replace(" ", "T"),
                    "content": comment.findtext(f"{wp}comment_content") or "",
                    "approved": comment.findtext(f"{wp}comment_approved") or "",
                    "type": comment.findtext(f"{wp}comment_type") or "comment",
                }
            )
        posts.append(post)
    return logins, names, posts


@dataclass(slots=True)
class FakeWordPress(FakeSite):
    """The site of one WXR export; see the module docstring for what it serves."""

    export: Path = Path()
    discovery: Literal["header", "html", "none"] = "header"
    max_per_page: int = 100
    hide_users: bool = False
    page_padding: int = 0
    """Bytes of body after the head of each HTML page (a page larger than any limit)."""
    names: dict[int, str] = field(default_factory=dict)
    posts: list[Post] = field(default_factory=list)

    def __post_init__(self) -> None:
        _, self.names, self.posts = read_export(self.export)

    def post(self, slug: str) -> Post:
        return next(p for p in self.posts if p.slug == slug)

    def page_url(self, slug: str) -> str:
        return f"{self.url}/{slug}/"

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/wp-json/", self._index)
        app.router.add_get("/wp-json/wp/v2/{kind:posts|pages}", self._find)
        app.router.add_get("/wp-json/wp/v2/{kind:posts|pages}/{id:\\d+}", self._one)
        app.router.add_get("/wp-json/wp/v2/comments", self._comments)
        app.router.add_get("/wp-json/wp/v2/users/{id:\\d+}", self._user)
        app.router.add_get("/{slug}/", self._page)

    def _published(self, kind: str) -> list[Post]:
        wanted = "post" if kind == "posts" else "page"
        return [p for p in self.posts if p.type == wanted and p.status == "publish"]

    def _json(self, post: Post) -> dict[str, Any]:
        protected = bool(post.password)
        return {
            "id": post.id,
            "slug": post.slug,
            "type": post.type,
            "link": self.page_url(post.slug),
            "date": post.date,
            "date_gmt": post.date_gmt,
            "title": {"rendered": post.title},
            "content": {"rendered": "" if protected else post.content, "protected": protected},
            "author": post.author,
        }

    async def _page(self, request: web.Request) -> web.Response:
        slug = request.match_info["slug"]
        if not any(p.slug == slug for p in self.posts):
            return web.Response(status=404, text="<html>Page not found</html>")
        api = f"{self.url}/wp-json/"
        head = ""
        headers = {}
        if self.discovery == "header":
            headers["Link"] = f'<{api}>; rel="https://api.w.org/"'
        elif self.discovery == "html":
            head = f"<link rel='https://api.w.org/' href='{api}' />"
        body = "<p>" + "x" * self.page_padding + "</p>"
        html = f"<html><head><title>{slug}</title>{head}</head><body>{body}</body></html>"
        return web.Response(text=html, content_type="text/html", headers=headers)

    async def _index(self, request: web.Request) -> web.Response:
        return web.json_response({"name": "Fake WordPress", "namespaces": ["wp/v2"]})

    async def _find(self, request: web.Request) -> web.Response:
        slug = request.query.get("slug", "")
        found = [self._json(p) for p in self._published(request.match_info["kind"])]
        return web.json_response([p for p in found if p["slug"] == slug])

    async def _one(self, request: web.Request) -> web.Response:
        wanted = int(request.match_info["id"])
        for post in self._published(request.match_info["kind"]):
            if post.id == wanted:
                return web.json_response(self._json(post))
        return web.json_response({"code": "rest_post_invalid_id"}, status=404)

    async def _comments(self, request: web.Request) -> web.Response:
        post_id = int(request.query.get("post", "0"))
        per_page = min(int(request.query.get("per_page", "10")), self.max_per_page)
        page = int(request.query.get("page", "1"))
        post = next((p for p in self.posts if p.id == post_id), None)
        visible = [
            c
            for c in (post.comments if post else [])
            if c["approved"] == "1" and c["type"] in ("comment", "")
        ]
        visible.sort(key=lambda c: (c["date_gmt"], c["id"]))
        if request.query.get("order", "desc") == "desc":
            visible.reverse()
        pages = max(1, math.ceil(len(visible) / per_page))
        if page > pages:
            return web.json_response({"code": "rest_comment_invalid_page_number"}, status=400)
        chunk = visible[(page - 1) * per_page : page * per_page]
        body = [
            {
                "id": c["id"],
                "post": post_id,
                "parent": c["parent"],
                "author_name": c["author_name"],
                "date": c["date"],
                "date_gmt": c["date_gmt"],
                "content": {"rendered": c["content"]},
                "status": "approved",
                "type": "comment",
                "author_avatar_urls": {"48": "https://secure.gravatar.com/avatar/x?s=48"},
                "_links": {"self": [{"href": f"{self.url}/wp-json/wp/v2/comments/{c['id']}"}]},
            }
            for c in chunk
        ]
        fields = [f for f in request.query.get("_fields", "").split(",") if f]
        if fields:  # WordPress's _fields: only the keys asked for
            body = [{k: v for k, v in c.items() if k in fields} for c in body]
        headers = {"X-WP-Total": str(len(visible)), "X-WP-TotalPages": str(pages)}
        return web.json_response(body, headers=headers)

    async def _user(self, request: web.Request) -> web.Response:
        user = int(request.match_info["id"])
        if self.hide_users or user not in self.names:
            return web.json_response({"code": "rest_user_cannot_view"}, status=401)
        return web.json_response(
            {"id": user, "name": self.names[user], "description": f"{self.names[user]} writes."}
        )
