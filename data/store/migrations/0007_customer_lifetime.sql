-- Version 7 (customer insights at 1,000,000 appointments): one row per customer, so the lapsed
-- list and the new customers of a period are an index range instead of a seek per customer.
-- Kept by the same triggers as the other rollups (data/store/rollups.go: first_visit, last_visit
-- and last_start are least/greatest values; when the row holding one goes, first/last visit are
-- recomputed from rollup_customer_visit and last_start from appointments_customer); the after
-- hook rebuilds them.
-- rollup_customer_lifetime: completed appointments (visits) per customer, first and last visit
-- local date. rollup_customer_booked: scheduled or confirmed appointments per customer and the
-- latest start among them (Unix seconds). rollup_customer_revenue_total: succeeded payments per
-- customer and currency. IF NOT EXISTS: a store left in bulk mode re-runs later migrations.
CREATE TABLE IF NOT EXISTS rollup_customer_lifetime (
    customer_id INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    first_visit TEXT,
    last_visit  TEXT,
    PRIMARY KEY (customer_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rollup_customer_lifetime_first ON rollup_customer_lifetime (first_visit);
CREATE INDEX IF NOT EXISTS rollup_customer_lifetime_last ON rollup_customer_lifetime (last_visit, n);

CREATE TABLE IF NOT EXISTS rollup_customer_booked (
    customer_id INTEGER PRIMARY KEY, -- the rowid: the lapsed list looks up one per candidate
    n           INTEGER NOT NULL,
    last_start  INTEGER
);

CREATE TABLE IF NOT EXISTS rollup_customer_revenue_total (
    customer_id INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    cents       INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (customer_id, currency)
) WITHOUT ROWID;

-- The period reads of rollup_customer_revenue take n from the date index too (no lookup per row).
DROP INDEX IF EXISTS rollup_customer_revenue_by_date;
CREATE INDEX IF NOT EXISTS rollup_customer_revenue_by_date_n ON rollup_customer_revenue (local_date, currency, customer_id, cents, n);
