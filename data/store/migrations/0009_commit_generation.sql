-- Version 9 (parallel reads of one commit): a counter every write transaction bumps in the same
-- transaction (Store.Write), so read transactions that read the same value see the same commit
-- (Store.Snapshots; modernc exposes no sqlite3_snapshot API). One row, id 1.
CREATE TABLE IF NOT EXISTS store_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT OR IGNORE INTO store_generation (id, n) VALUES (1, 0);
