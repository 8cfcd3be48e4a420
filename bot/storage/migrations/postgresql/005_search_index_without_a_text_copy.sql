-- SQLite's migration 5 stops its FTS5 index from keeping a copy of the comments' text.
-- comment_search here never held one (a tsvector per comment): nothing to change; the
-- version is kept in step with SQLite's.
SELECT 1;
