-- Edges say how sure inference is, and may be implicit answers. SQLite cannot widen a CHECK
-- in place, so the table is rebuilt; its rows are re-derived anyway, as the inference
-- version that brings these changes is newer than any stored one.
CREATE TABLE edges_v7 (
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    src_seq INTEGER NOT NULL,
    dst_seq INTEGER NOT NULL,
    via TEXT NOT NULL CHECK (via IN ('quote', 'parent', 'mention', 'implicit', 'article')),
    snippet TEXT NOT NULL DEFAULT '',
    confidence REAL NOT NULL DEFAULT 1.0 CHECK (confidence BETWEEN 0 AND 1),
    PRIMARY KEY (thread_id, src_seq, dst_seq, via)
) WITHOUT ROWID;
INSERT INTO edges_v7 (thread_id, src_seq, dst_seq, via, snippet)
    SELECT thread_id, src_seq, dst_seq, via, snippet FROM edges;
DROP TABLE edges;
ALTER TABLE edges_v7 RENAME TO edges;
CREATE INDEX edges_dst ON edges (thread_id, dst_seq);
