-- See migrations/006_replay_leases.sql (the same for SQLite).
ALTER TABLE replays ADD COLUMN owner TEXT;
ALTER TABLE replays ADD COLUMN lease_until DOUBLE PRECISION;
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until DOUBLE PRECISION NOT NULL
);
