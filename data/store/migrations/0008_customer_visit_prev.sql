-- Version 8 (customer insights at 1,000,000 appointments, round 2): each of a customer's visit
-- days keeps the customer's visit day before it (prev, NULL for their first), so in a period P
-- the visiting customers are its rows whose prev is before P (or NULL), the new ones those whose
-- prev is NULL, and those retained from the period Q just before P those whose prev is in Q: one
-- range of the (local_date, prev, n) index counted inside SQLite, instead of every customer row
-- of P and Q read into Go. Kept by the same triggers as the other rollups (data/store/rollups.go,
-- previousOf: adding or taking out a visit day recomputes prev of that day and of the customer's
-- next one); the after hook rebuilds it. The index by (local_date, customer_id, n) is no longer
-- read (a period's per-customer visits are read by customer, through the primary key).
ALTER TABLE rollup_customer_visit ADD COLUMN prev TEXT;
DROP INDEX IF EXISTS rollup_customer_visit_by_date;
CREATE INDEX IF NOT EXISTS rollup_customer_visit_by_date_prev ON rollup_customer_visit (local_date, prev, n);
