"""Progress of ``/replay`` runs, written after every posted message so that a restart
resumes where it stopped. At most one running replay per channel: the partial unique
index makes that atomic."""

from __future__ import annotations

from typing import get_args

from bot.models import ReplayMode, ReplayRecord, ReplayStatus
from bot.storage.database import Row, now
from bot.storage.repository import Repository

_STATUSES: tuple[str, ...] = get_args(ReplayStatus)


def _replay(row: Row) -> ReplayRecord:
    mode: ReplayMode = "embed" if row["mode"] == "embed" else "webhook"
    status: ReplayStatus = row["status"]
    return ReplayRecord(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        channel_id=int(row["channel_id"]),
        target_id=None if row["target_id"] is None else int(row["target_id"]),
        thread_id=int(row["thread_id"]),
        first_seq=int(row["first_seq"]),
        last_seq=int(row["last_seq"]),
        next_seq=int(row["next_seq"]),
        next_part=int(row["next_part"]),
        speed=float(row["speed"]),
        mode=mode,
        status=status,
        posted=int(row["posted"]),
        started_by=int(row["started_by"]),
        started_at=str(row["started_at"]),
        updated_at=str(row["updated_at"]),
        error=row["error"],
    )


class ReplayRepository(Repository):
    async def start(
        self,
        *,
        guild_id: int,
        channel_id: int,
        thread_id: int,
        first_seq: int,
        last_seq: int,
        speed: float,
        mode: ReplayMode,
        started_by: int,
        target_id: int | None = None,
        guild_limit: int | None = None,
        owner: str | None = None,
        lease_until: float | None = None,
    ) -> ReplayRecord | None:
        """Record a new running replay; ``None`` when one already runs in or into that channel,
        or ``guild_limit`` replays already run in the guild (tell them apart with
        :meth:`running`). Checked and inserted in one transaction: no race."""
        async with self._db.write() as tx:
            places = (channel_id,) if target_id is None else (channel_id, target_id)
            marks = ",".join("?" * len(places))
            busy = (
                await tx.one(
                    "SELECT 1 FROM replays WHERE status = 'running' AND "
                    f"(channel_id IN ({marks}) OR target_id IN ({marks})) LIMIT 1",
                    (*places, *places),
                )
                is not None
            )
            if not busy and guild_limit is not None:
                running = await tx.scalar(
                    "SELECT count(*) FROM replays WHERE status = 'running' AND guild_id = ?",
                    (guild_id,),
                )
                busy = int(running or 0) >= guild_limit
            replay_id = None
            if not busy:
                stamp = now()
                replay_id = await tx.scalar(
                    "INSERT INTO replays (guild_id, channel_id, target_id, thread_id, "
                    "first_seq, last_seq, speed, mode, status, started_by, started_at, "
                    "updated_at, owner, lease_until) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?) RETURNING id",
                    (
                        guild_id,
                        channel_id,
                        target_id,
                        thread_id,
                        first_seq,
                        last_seq,
                        speed,
                        mode,
                        started_by,
                        stamp,
                        stamp,
                        owner,
                        lease_until,
                    ),
                )
        return None if replay_id is None else await self.get(replay_id)

    async def get(self, replay_id: int) -> ReplayRecord | None:
        row = await self._db.read.one("SELECT * FROM replays WHERE id = ?", (replay_id,))
        return None if row is None else _replay(row)

    async def running(self, channel_id: int) -> ReplayRecord | None:
        """The running replay started in ``channel_id`` or posting into it, if any."""
        row = await self._db.read.one(
            "SELECT * FROM replays WHERE status = 'running' AND (channel_id = ? OR target_id = ?) "
            "ORDER BY id LIMIT 1",
            (channel_id, channel_id),
        )
        return None if row is None else _replay(row)

    async def latest(self, channel_id: int) -> ReplayRecord | None:
        """The most recent replay started in or posting into ``channel_id``, whatever its state."""
        row = await self._db.read.one(
            "SELECT * FROM replays WHERE channel_id = ? OR target_id = ? ORDER BY id DESC LIMIT 1",
            (channel_id, channel_id),
        )
        return None if row is None else _replay(row)

    async def all_running(self) -> list[ReplayRecord]:
        """Every replay still marked running (to resume after a restart), oldest first."""
        rows = await self._db.read.all("SELECT * FROM replays WHERE status = 'running' ORDER BY id")
        return [_replay(r) for r in rows]

    async def count_running(
        self, guild_id: int | None = None, *, thread_id: int | None = None
    ) -> int:
        """Replays running in one server, or of one thread (per-server limit, deletes)."""
        where, params = ["status = 'running'"], []
        if guild_id is not None:
            where.append("guild_id = ?")
            params.append(guild_id)
        if thread_id is not None:
            where.append("thread_id = ?")
            params.append(thread_id)
        n = await self._db.read.scalar(
            f"SELECT count(*) FROM replays WHERE {' AND '.join(where)}", params
        )
        return int(n or 0)

    async def set_target(self, replay_id: int, target_id: int) -> None:
        await self._db.execute_write(
            "UPDATE replays SET target_id = ?, updated_at = ? WHERE id = ?",
            (target_id, now(), replay_id),
        )

    async def set_mode(self, replay_id: int, mode: ReplayMode) -> None:
        await self._db.execute_write(
            "UPDATE replays SET mode = ?, updated_at = ? WHERE id = ?", (mode, now(), replay_id)
        )

    async def record_progress(
        self, replay_id: int, next_seq: int, next_part: int, *, posted: int = 1
    ) -> None:
        """Where to continue after the message just posted (``posted`` messages more)."""
        await self._db.execute_write(
            "UPDATE replays SET next_seq = ?, next_part = ?, posted = posted + ?, updated_at = ? "
            "WHERE id = ?",
            (next_seq, next_part, posted, now(), replay_id),
        )

    async def end(self, replay_id: int, status: ReplayStatus, error: str | None = None) -> bool:
        """Mark a running replay stopped, finished or failed; ``False`` if it was not running."""
        if status not in _STATUSES or status == "running":
            raise ValueError(f"not an end state: {status!r}")
        changed = await self._db.execute_write(
            "UPDATE replays SET status = ?, error = ?, updated_at = ? "
            "WHERE id = ? AND status = 'running'",
            (status, error, now(), replay_id),
        )
        return changed > 0

    # ---- who runs it: a lease, so that one process of several runs each replay ----------

    async def claim(
        self, replay_id: int, owner: str, until: float, now: float, *, force: bool = False
    ) -> bool:
        """Make ``owner`` the one process that runs this running replay, until ``until``
        (epoch seconds): ``False`` while another owner's lease lasts past ``now``.
        ``force`` takes it whatever the lease (one process on the database: SQLite)."""
        taken = await self._db.execute_write(
            "UPDATE replays SET owner = ?, lease_until = ? WHERE id = ? AND status = 'running' "
            "AND (? OR owner IS NULL OR owner = ? OR lease_until IS NULL OR lease_until < ?)",
            (owner, until, replay_id, force, owner, now),
        )
        return taken > 0

    async def renew(self, replay_id: int, owner: str, until: float) -> bool:
        """Extend the lease; ``False`` when ``owner`` lost it (taken over after it lapsed)
        or the replay no longer runs (stopped from another process): stop posting."""
        kept = await self._db.execute_write(
            "UPDATE replays SET lease_until = ? WHERE id = ? AND owner = ? AND status = 'running'",
            (until, replay_id, owner),
        )
        return kept > 0

    async def release(self, replay_id: int, owner: str) -> None:
        """Let another process take the replay over at once (a clean shutdown)."""
        await self._db.execute_write(
            "UPDATE replays SET owner = NULL, lease_until = NULL WHERE id = ? AND owner = ?",
            (replay_id, owner),
        )
