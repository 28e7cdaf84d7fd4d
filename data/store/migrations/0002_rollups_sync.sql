-- Version 2: daily rollups kept by triggers in the same transaction as the rows they summarise,
-- sync cursors, and key/value settings.
CREATE TABLE rollup_appt_service (
    local_date TEXT NOT NULL,
    status     TEXT NOT NULL,
    service_id INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    minutes    INTEGER NOT NULL,
    PRIMARY KEY (local_date, status, service_id)
) WITHOUT ROWID;

CREATE TABLE rollup_appt_resource (
    local_date  TEXT NOT NULL,
    status      TEXT NOT NULL,
    resource_id INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (local_date, status, resource_id)
) WITHOUT ROWID;

CREATE TABLE rollup_appt_hour (
    local_date TEXT NOT NULL,
    local_hour INTEGER NOT NULL,
    status     TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (local_date, local_hour, status)
) WITHOUT ROWID;

-- Succeeded payments by the local date they were paid; service 0 means "no appointment".
CREATE TABLE rollup_revenue_service (
    local_date  TEXT NOT NULL,
    service_id  INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    cents       INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (local_date, service_id, currency)
) WITHOUT ROWID;

CREATE TABLE sync_cursors (
    entity     TEXT PRIMARY KEY,
    cursor     TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
