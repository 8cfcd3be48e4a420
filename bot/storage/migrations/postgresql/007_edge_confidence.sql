-- Edges say how sure inference is, and may be implicit answers (see the SQLite twin).
ALTER TABLE edges DROP CONSTRAINT edges_via_check;
ALTER TABLE edges ADD CONSTRAINT edges_via_check
    CHECK (via IN ('quote', 'parent', 'mention', 'implicit', 'article'));
ALTER TABLE edges ADD COLUMN confidence DOUBLE PRECISION NOT NULL DEFAULT 1.0
    CHECK (confidence BETWEEN 0 AND 1);
