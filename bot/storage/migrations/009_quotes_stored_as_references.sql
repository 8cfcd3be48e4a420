-- A quoted paragraph that copies words of the paragraph it quotes (all of it, or a
-- sentence or clause of it) keeps no copy of them: its text is NULL and `quote_at`,
-- `quote_len` say where in the quoted paragraph's text (0-based, in characters) the
-- words are. The paragraph_texts view gives every paragraph with its text rebuilt, for
-- the few places that read paragraphs. Only a paragraph whose own text is stored (one
-- that quotes nobody) is referred to, so one lookup always finds the words.
-- SQLite cannot drop a NOT NULL constraint: the table is rebuilt, converting as it goes
-- (the search index reads own paragraphs only, which do not change).
DROP VIEW comment_own_text;
CREATE TABLE paragraphs_new (
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    text TEXT,
    quote_seq INTEGER,
    quote_idx INTEGER,
    quote_at INTEGER,
    quote_len INTEGER,
    PRIMARY KEY (comment_id, idx),
    CHECK ((text IS NULL) = (quote_at IS NOT NULL AND quote_len IS NOT NULL))
) WITHOUT ROWID;
INSERT INTO paragraphs_new (comment_id, idx, text, quote_seq, quote_idx, quote_at, quote_len)
SELECT comment_id, idx,
    CASE WHEN at IS NULL THEN text END,
    quote_seq, quote_idx,
    at, CASE WHEN at IS NOT NULL THEN length(text) END
FROM (
    SELECT p.*, (
        SELECT instr(q.text, p.text) - 1
        FROM comments c
        JOIN comments qc ON qc.thread_id = c.thread_id AND qc.seq = p.quote_seq
        JOIN paragraphs q ON q.comment_id = qc.id AND q.idx = p.quote_idx
        WHERE c.id = p.comment_id AND q.quote_seq IS NULL
            AND instr(q.text, p.text) > 0
            AND substr(q.text, instr(q.text, p.text), length(p.text)) = p.text
    ) AS at
    FROM paragraphs p
)
ORDER BY comment_id, idx;
DROP TABLE paragraphs;
ALTER TABLE paragraphs_new RENAME TO paragraphs;
CREATE VIEW paragraph_texts AS
SELECT
    p.comment_id AS comment_id,
    p.idx AS idx,
    coalesce(
        p.text,
        (
            SELECT substr(q.text, p.quote_at + 1, p.quote_len)
            FROM comments c
            JOIN comments qc ON qc.thread_id = c.thread_id AND qc.seq = p.quote_seq
            JOIN paragraphs q ON q.comment_id = qc.id AND q.idx = p.quote_idx
            WHERE c.id = p.comment_id
        )
    ) AS text,
    p.quote_seq AS quote_seq,
    p.quote_idx AS quote_idx
FROM paragraphs p;
CREATE VIEW comment_own_text AS
SELECT
    c.id AS id,
    coalesce(
        (
            SELECT group_concat(own.text, char(10) || char(10))
            FROM (
                SELECT p.text FROM paragraphs p
                WHERE p.comment_id = c.id AND p.quote_seq IS NULL
                ORDER BY p.idx
            ) AS own
        ),
        ''
    ) AS text,
    't' || c.thread_id || ' a' || c.author_id AS scope
FROM comments c;
