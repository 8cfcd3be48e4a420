-- As SQLite's migration 9: a quoted paragraph that copies words of the paragraph it
-- quotes keeps no copy of them (text NULL; `quote_at`, `quote_len`: where they are in
-- the quoted paragraph's text, 0-based, in characters), and paragraph_texts rebuilds
-- them. Ingest is shared by both backends, so both store paragraphs the same way.
ALTER TABLE paragraphs
    ALTER COLUMN text DROP NOT NULL,
    ADD COLUMN quote_at INTEGER,
    ADD COLUMN quote_len INTEGER;
UPDATE paragraphs p
SET text = NULL, quote_at = strpos(q.text, p.text) - 1, quote_len = length(p.text)
FROM comments c, comments qc, paragraphs q
WHERE c.id = p.comment_id
    AND qc.thread_id = c.thread_id AND qc.seq = p.quote_seq
    AND q.comment_id = qc.id AND q.idx = p.quote_idx AND q.quote_seq IS NULL
    AND strpos(q.text, p.text) > 0;
ALTER TABLE paragraphs ADD CONSTRAINT paragraphs_text_or_reference
    CHECK ((text IS NULL) = (quote_at IS NOT NULL AND quote_len IS NOT NULL));
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
