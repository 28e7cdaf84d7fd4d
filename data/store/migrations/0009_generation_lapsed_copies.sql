-- Version 9 (customer insights at 1,000,000 appointments, round 3).
-- A counter every write transaction bumps in the same transaction (Store.Write), so read
-- transactions that read the same value see the same commit (Store.Snapshots; modernc exposes no
-- sqlite3_snapshot API). One row, id 1.
CREATE TABLE IF NOT EXISTS store_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT OR IGNORE INTO store_generation (id, n) VALUES (1, 0);
-- Each customer's lifetime row carries copies of what the lapsed list shows and filters on: the
-- customer's status, name, email and phone, and the latest start of their scheduled or confirmed
-- appointments (rollup_customer_booked.last_start), so the list is one range of a covering index
-- with no lookup of the customer or the booked rollup per candidate. Kept by triggers on
-- customers, rollup_customer_lifetime and rollup_customer_booked in the same transaction as the
-- rows (data/store/rollup_copies.go), filled after every rebuild, checked by CheckRollups. The
-- columns (status, name, email, phone TEXT; booked_last_start INTEGER) are added by the
-- migration's Go step before this SQL (addCopies), only when missing: a store left in bulk mode
-- re-runs later migrations, and ALTER TABLE ADD COLUMN has no IF NOT EXISTS.
DROP INDEX IF EXISTS rollup_customer_lifetime_last;
CREATE INDEX IF NOT EXISTS rollup_customer_lifetime_lapsed ON rollup_customer_lifetime (last_visit, n, status, booked_last_start, name, email, phone);
