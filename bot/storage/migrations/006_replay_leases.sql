-- Work that must happen once across bot processes sharing one database.
-- A running replay is run by the process named in `owner` until `lease_until` (seconds
-- since the epoch); the owner renews it while it runs, another process takes it over
-- after it lapses. `leases` holds the same for named jobs (housekeeping).
ALTER TABLE replays ADD COLUMN owner TEXT;
ALTER TABLE replays ADD COLUMN lease_until REAL;
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until REAL NOT NULL
);
