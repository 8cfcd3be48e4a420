"""Imports: size before download, encodings, limits, errors with lines, nothing stored on error."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.sources.uploads import (
    ImportRefused,
    ImportReport,
    describe,
    import_bytes,
    import_upload,
    normalise_encoding,
)
from bot.storage import Storage
from bot.ui.limits import CONTENT_MAX
from tests.conftest import SEED_FILE

GUILD = 42
WXR = Path(__file__).parent / "fixtures" / "wxr_small.xml"
MAX_BYTES = 2_000_000
MAX_COMMENTS = 20_000


@dataclass
class FakeUpload:
    """An attachment: declared size, and bytes that may only be read when allowed."""

    filename: str
    data: bytes
    declared: int | None = None
    readable: bool = True
    reads: int = 0

    @property
    def size(self) -> int:
        return len(self.data) if self.declared is None else self.declared

    async def read(self) -> bytes:
        assert self.readable, "the file was downloaded although its size was refused"
        self.reads += 1
        return self.data


async def do_import(
    storage: Storage,
    data: bytes,
    filename: str = "thread.txt",
    *,
    max_bytes: int = MAX_BYTES,
    max_comments: int = MAX_COMMENTS,
) -> ImportReport:
    return await import_bytes(
        storage,
        data,
        filename,
        guild_id=GUILD,
        max_bytes=max_bytes,
        max_comments=max_comments,
    )


async def refused(storage: Storage, data: bytes, filename: str = "bad.txt", **limits: int) -> str:
    with pytest.raises(ImportRefused) as info:
        await do_import(storage, data, filename, **limits)
    assert await storage.threads.count(GUILD) == 0, "a refused import stored something"
    return info.value.message


def seed_bytes() -> bytes:
    return SEED_FILE.read_bytes()


# ---- good files ------------------------------------------------------------------------------


async def test_the_seed_imports_for_this_guild_only(storage: Storage) -> None:
    report = await do_import(storage, seed_bytes(), SEED_FILE.name)
    assert report.comments == 31
    [result] = report.results
    assert (result.status, result.comment_count, result.authors) == ("added", 31, 8)
    assert result.title == "Iraq Cease-Fire Over"
    assert [t.title for t in await storage.threads.visible(GUILD)] == ["Iraq Cease-Fire Over"]
    assert await storage.threads.visible(GUILD + 1) == []  # guild-scoped
    assert await storage.threads.visible(None) == []  # not shipped


async def test_importing_again_changes_nothing(storage: Storage) -> None:
    await do_import(storage, seed_bytes())
    again = await do_import(storage, seed_bytes())
    assert again.results[0].status == "unchanged"
    assert await storage.threads.count(GUILD) == 1


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: t.encode("cp1252"),
        lambda t: t.encode("utf-16"),  # with BOM, as Windows Notepad saves "Unicode"
        lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
        lambda t: t.replace("\n", "\r\n").encode("cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "cp1252", "utf-16-le-bom", "utf-16-be-bom", "cp1252-crlf"],
)
async def test_encodings_give_the_same_thread(storage: Storage, encode: object) -> None:
    text = SEED_FILE.read_text(encoding="utf-8")
    data = encode(text)  # type: ignore[operator]
    report = await do_import(storage, data)
    thread = report.threads[0]
    assert thread.title == "Iraq Cease-Fire Over"
    assert len(thread.comments) == 31
    assert thread.comments[1].author == "Bithead"
    assert "Mahdi Army’s" in thread.body[0]  # the curly apostrophe survived every encoding


def test_utf16_without_a_bom_is_left_to_the_decoder() -> None:
    data = "abc".encode("utf-16-le")
    assert normalise_encoding(data) == data


async def test_a_wordpress_export_imports_each_post(storage: Storage) -> None:
    report = await do_import(storage, WXR.read_bytes(), "export.xml")
    assert [r.title for r in report.results] == ["Tea & Biscuits: A “Debate”", "About"]
    assert report.comments == 6
    assert any("password-protected" in w.message for w in report.warnings)
    assert await storage.threads.count(GUILD) == 2


# ---- refusals --------------------------------------------------------------------------------


async def test_too_big_is_refused_before_downloading(storage: Storage) -> None:
    upload = FakeUpload("huge.txt", b"x", declared=MAX_BYTES + 1, readable=False)
    with pytest.raises(ImportRefused, match=r"huge\.txt is 2\.0 MB; imports are limited"):
        await import_upload(
            storage, upload, guild_id=GUILD, max_bytes=MAX_BYTES, max_comments=MAX_COMMENTS
        )
    assert upload.reads == 0


async def test_a_lying_declared_size_is_checked_again(storage: Storage) -> None:
    upload = FakeUpload("liar.txt", seed_bytes(), declared=10)
    with pytest.raises(ImportRefused, match="is 25 kB; imports are limited to 999 bytes"):
        await import_upload(storage, upload, guild_id=GUILD, max_bytes=999, max_comments=10)
    assert upload.reads == 1


async def test_an_empty_file_is_refused(storage: Storage) -> None:
    assert "empty" in await refused(storage, b"", "empty.txt")


async def test_a_bad_text_file_names_its_line(storage: Storage) -> None:
    lines = SEED_FILE.read_text(encoding="utf-8").split("\n")
    marker = lines.index("Comments")
    lines.insert(marker + 4, "Not indented and not a comment header.")
    message = await refused(storage, "\n".join(lines).encode(), "broken.txt")
    assert message.startswith(f"Could not import broken.txt, line {marker + 5}:")
    assert "comment header" in message


async def test_binary_data_is_refused_with_its_line(storage: Storage) -> None:
    message = await refused(storage, b"Title\n\nline\n\x00\x01\x02", "image.png")
    assert "image.png, line 4" in message and "NUL" in message


async def test_bad_xml_names_its_line(storage: Storage) -> None:
    text = WXR.read_text(encoding="utf-8").replace("</wp:comment_author>", "</wp:author>", 1)
    message = await refused(storage, text.encode(), "export.xml")
    assert "export.xml, line" in message and "well-formed XML" in message


async def test_too_many_comments_stores_nothing(storage: Storage) -> None:
    message = await refused(storage, seed_bytes(), "seed.txt", max_comments=30)
    assert "31 comments" in message and "limited to 30" in message


async def test_a_file_without_comments_is_refused(storage: Storage) -> None:
    message = await refused(storage, b"A title\n\nA lede.\n\nA body.\n\nAn Author\n")
    assert "no comments" in message


async def test_a_storage_failure_leaves_no_new_threads(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = storage.ingest
    calls = 0

    async def flaky(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("disk full")
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(storage, "ingest", flaky)
    with pytest.raises(RuntimeError):
        await do_import(storage, WXR.read_bytes(), "export.xml")
    assert await storage.threads.count(GUILD) == 0


# ---- the answer --------------------------------------------------------------------------------


async def test_describe_names_title_comments_people_and_warnings(storage: Storage) -> None:
    report = await do_import(storage, WXR.read_bytes(), "export.xml")
    text = describe(report)
    assert "Imported **export.xml**: 2 threads, 6 comments:" in text
    assert "**Tea & Biscuits: A “Debate”**" in text and "4 comments by 4 people" in text
    assert "warnings:" in text and "password-protected" in text
    assert len(text) <= CONTENT_MAX


async def test_describe_stays_within_discords_limit(storage: Storage) -> None:
    report = await do_import(storage, seed_bytes(), "@everyone <@123456789012345678>.txt")
    many = ImportReport(report.filename, report.threads * 40, report.results * 40)
    text = describe(many)
    assert len(text) <= CONTENT_MAX
    assert "@everyone" not in text and "<@123456789012345678>" not in text
