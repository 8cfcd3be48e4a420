-- As SQLite's migration 10, a quote edge may keep no snippet (NULL: the edges repository
-- makes it again from the paragraph it shortens); ingest, shared by both backends, stores
-- new edges so. Existing snippets stay as they are (shorten() is Python, and reading a
-- stored snippet gives the same answer); edges_dst stays (disk is not the concern here).
ALTER TABLE edges ALTER COLUMN snippet DROP NOT NULL;
ALTER TABLE edges ADD CONSTRAINT edges_snippet_or_quote CHECK (snippet IS NOT NULL OR via = 'quote');
