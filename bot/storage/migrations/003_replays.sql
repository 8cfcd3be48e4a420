CREATE TABLE replays (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    target_id INTEGER,
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    next_seq INTEGER NOT NULL DEFAULT 0,
    next_part INTEGER NOT NULL DEFAULT 0,
    speed REAL NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('webhook', 'embed')),
    status TEXT NOT NULL CHECK (status IN ('running', 'stopped', 'finished', 'failed')),
    posted INTEGER NOT NULL DEFAULT 0,
    started_by INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    error TEXT
);
CREATE UNIQUE INDEX replays_one_per_channel ON replays (channel_id)
    WHERE status = 'running';
CREATE INDEX replays_target ON replays (target_id, status);
