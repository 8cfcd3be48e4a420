-- A quote edge keeps no snippet when it is shorten() of the replying comment's first
-- paragraph that quotes the target (what inference makes it): the snippet is NULL and
-- the edges repository makes it again from that paragraph. `shorten` is the Python
-- function (bot.text.shorten) the migrating connection provides.
-- edges_dst goes too: the one query that looks edges up by target (what answers a
-- comment) reads one thread's edges, which the primary key finds.
-- SQLite cannot drop a NOT NULL constraint: the table is rebuilt, converting as it goes.
CREATE TABLE edges_v9 (
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    src_seq INTEGER NOT NULL,
    dst_seq INTEGER NOT NULL,
    via TEXT NOT NULL CHECK (via IN ('quote', 'parent', 'mention', 'implicit', 'article')),
    snippet TEXT DEFAULT '' CHECK (snippet IS NOT NULL OR via = 'quote'),
    confidence REAL NOT NULL DEFAULT 1.0 CHECK (confidence BETWEEN 0 AND 1),
    PRIMARY KEY (thread_id, src_seq, dst_seq, via)
) WITHOUT ROWID;
INSERT INTO edges_v9 (thread_id, src_seq, dst_seq, via, snippet, confidence)
SELECT e.thread_id, e.src_seq, e.dst_seq, e.via,
    CASE WHEN e.via = 'quote' AND e.snippet = shorten((
        SELECT pt.text FROM comments sc
        JOIN paragraph_texts pt ON pt.comment_id = sc.id
        WHERE sc.thread_id = e.thread_id AND sc.seq = e.src_seq AND pt.quote_seq = e.dst_seq
        ORDER BY pt.idx LIMIT 1
    )) THEN NULL ELSE e.snippet END,
    e.confidence
FROM edges e
ORDER BY e.thread_id, e.src_seq, e.dst_seq, e.via;
DROP TABLE edges;
ALTER TABLE edges_v9 RENAME TO edges;
