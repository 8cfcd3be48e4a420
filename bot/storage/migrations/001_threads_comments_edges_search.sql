CREATE TABLE threads (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    slug TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    lede TEXT NOT NULL,
    body TEXT NOT NULL,
    tags TEXT NOT NULL,
    author TEXT NOT NULL,
    author_bio TEXT NOT NULL,
    url TEXT,
    published TEXT,
    comment_count INTEGER NOT NULL,
    ingested_at TEXT NOT NULL,
    UNIQUE (guild_id, source),
    UNIQUE (guild_id, slug)
);
CREATE INDEX threads_hash ON threads (guild_id, content_hash);
CREATE TABLE authors (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    folded TEXT NOT NULL,
    comment_count INTEGER NOT NULL,
    word_count INTEGER NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    UNIQUE (thread_id, name)
);
CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    number INTEGER NOT NULL,
    author_id INTEGER NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    posted TEXT,
    line INTEGER NOT NULL,
    UNIQUE (thread_id, seq)
);
CREATE INDEX comments_author ON comments (author_id, seq);
CREATE TABLE paragraphs (
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    text TEXT NOT NULL,
    quote_seq INTEGER,
    quote_idx INTEGER,
    PRIMARY KEY (comment_id, idx)
) WITHOUT ROWID;
CREATE TABLE edges (
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    src_seq INTEGER NOT NULL,
    dst_seq INTEGER NOT NULL,
    via TEXT NOT NULL CHECK (via IN ('quote', 'mention', 'article', 'parent')),
    snippet TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (thread_id, src_seq, dst_seq, via)
) WITHOUT ROWID;
CREATE INDEX edges_dst ON edges (thread_id, dst_seq);
CREATE VIRTUAL TABLE comment_fts USING fts5 (
    text, scope, tokenize = 'unicode61 remove_diacritics 2'
);
