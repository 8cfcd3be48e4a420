CREATE TABLE summaries (
    thread_id BIGINT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    engine TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (thread_id, subject, engine)
);
CREATE TABLE guild_settings (
    guild_id BIGINT PRIMARY KEY,
    settings TEXT NOT NULL,
    left_at TEXT
);
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
