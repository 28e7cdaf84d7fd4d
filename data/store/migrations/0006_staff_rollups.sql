-- Version 6 (staff performance; 5 is the customer rollups of issue 15): appointments and their
-- booked seconds per local day x resource x status, and succeeded revenue per paid day x
-- resource (of the payment's appointment, 0 without one) x currency, so the staff report costs
-- O(days x resources). Kept by the same
-- triggers as the other rollups (data/store/rollups.go); its after hook rebuilds them. IF NOT
-- EXISTS: a store left in bulk mode by an older build re-runs the migrations after version 3.
CREATE TABLE IF NOT EXISTS rollup_appt_resource_minutes (
    local_date  TEXT NOT NULL,
    resource_id INTEGER NOT NULL,
    status      TEXT NOT NULL,
    n           INTEGER NOT NULL,
    seconds     INTEGER NOT NULL,
    PRIMARY KEY (local_date, resource_id, status)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rollup_revenue_resource (
    local_date  TEXT NOT NULL,
    resource_id INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    cents       INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (local_date, resource_id, currency)
) WITHOUT ROWID;

-- Busy hours (day x hour) of one service or one resource, every status together; a status filter
-- with a service or resource reads raw rows through the appointments index, as the analytics do.
CREATE TABLE IF NOT EXISTS rollup_appt_hour_service (
    service_id  INTEGER NOT NULL,
    local_date  TEXT NOT NULL,
    local_hour  INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (service_id, local_date, local_hour)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rollup_appt_hour_resource (
    resource_id INTEGER NOT NULL,
    local_date  TEXT NOT NULL,
    local_hour  INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (resource_id, local_date, local_hour)
) WITHOUT ROWID;
