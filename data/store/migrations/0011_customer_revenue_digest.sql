-- Version 11 (customer insights at 1,000,000 appointments, round 5).
-- A period's revenue per customer read one row per day: each day's (customer_id, cents) pairs of
-- rollup_customer_revenue with n > 0, packed as one digest (revenue_digest.go). The triggers on
-- rollup_customer_revenue log each changed key in digest_customer_revenue_stale; a day with a
-- logged change is read from the rows until the next commit applies it. The migration's Go step
-- installs the triggers and computes every digest (installDigests).
CREATE TABLE IF NOT EXISTS digest_customer_revenue_day (
    local_date TEXT NOT NULL,
    currency   TEXT NOT NULL,
    pairs      BLOB NOT NULL,
    PRIMARY KEY (local_date, currency)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS digest_customer_revenue_stale (
    local_date  TEXT NOT NULL,
    currency    TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    PRIMARY KEY (local_date, currency, customer_id)
) WITHOUT ROWID;
