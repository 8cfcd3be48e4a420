-- The search index stops keeping its own copy of every comment's text (more than a
-- third of the file): FTS5 reads the text, when it needs it, from a view over the
-- paragraphs that are stored anyway. Only the index itself is kept. The view gives
-- exactly what ingest indexes: a comment's own paragraphs (quote_seq IS NULL) in order,
-- joined by a blank line, and its "t<thread> a<author>" scope; FTS5 reads it back to
-- remove a comment from the index, so the two must never differ.
-- columnsize=0: no per-row token counts (used only for ranking, which search does not do).
DROP TABLE comment_fts;
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
CREATE VIRTUAL TABLE comment_fts USING fts5 (
    text, scope,
    content = 'comment_own_text', content_rowid = 'id', columnsize = 0,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO comment_fts (comment_fts) VALUES ('rebuild');
