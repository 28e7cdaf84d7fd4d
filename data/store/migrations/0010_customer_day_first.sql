-- Version 10 (customer insights at 1,000,000 appointments, round 4).
-- rollup_customer_revenue is read only by date (a period's revenue per customer; lifetime
-- revenue is rollup_customer_revenue_total), so it is keyed by date first and its by-date index
-- goes: one B-tree of the table's size instead of two, written by every payment and by the
-- rebuild after a bulk load. The table is made again (the rows are rebuilt from the payments:
-- a CREATE TABLE of a rollup reinstalls the triggers and rebuilds every rollup, loadMigrations).
DROP INDEX IF EXISTS rollup_customer_revenue_by_date_n;
DROP TABLE IF EXISTS rollup_customer_revenue;
CREATE TABLE IF NOT EXISTS rollup_customer_revenue (
    local_date  TEXT NOT NULL,
    currency    TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    cents       INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (local_date, currency, customer_id)
) WITHOUT ROWID;
-- Each lifetime row also copies the customer's lifetime succeeded revenue in the tenant's
-- currency (revenue_cents, NULL when none; added by the migration's Go step before this SQL,
-- addCopies, kept by triggers on rollup_customer_revenue_total and tenant, rollup_copies.go), so
-- the lapsed list looks up no revenue row per customer; and the index holds customer_id
-- descending after last_visit, so read backwards it is in the list's order (newest last visit
-- first, ties by id) with no sort.
DROP INDEX IF EXISTS rollup_customer_lifetime_lapsed;
CREATE INDEX IF NOT EXISTS rollup_customer_lifetime_lapsed ON rollup_customer_lifetime (last_visit, customer_id DESC, n, status, booked_last_start, name, email, phone, revenue_cents);
