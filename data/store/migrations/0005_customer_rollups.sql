-- Version 5 (customer insights): completed appointments (visits) per customer x local day, and
-- succeeded payments per customer x paid local day x currency. Kept by the same triggers as the
-- other rollups (data/store/rollups.go). Keyed by customer first, so a customer's first and last
-- visit, visit count and lifetime revenue are one index range; the indexes by date let a period's
-- visitors and payers be read without touching the other days.
CREATE TABLE rollup_customer_visit (
    customer_id INTEGER NOT NULL,
    local_date  TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (customer_id, local_date)
) WITHOUT ROWID;
CREATE INDEX rollup_customer_visit_by_date ON rollup_customer_visit (local_date, customer_id, n);

CREATE TABLE rollup_customer_revenue (
    customer_id INTEGER NOT NULL,
    local_date  TEXT NOT NULL,
    currency    TEXT NOT NULL,
    cents       INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (customer_id, local_date, currency)
) WITHOUT ROWID;
CREATE INDEX rollup_customer_revenue_by_date ON rollup_customer_revenue (local_date, currency, customer_id, cents);
