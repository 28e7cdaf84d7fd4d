-- Version 1: the tenant and its entities. Instants are INTEGER Unix seconds (UTC); local dates are
-- TEXT 'YYYY-MM-DD' in the tenant's time zone, computed when the row is written; money is INTEGER
-- minor units.
CREATE TABLE tenant (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    timezone            TEXT NOT NULL,
    currency            TEXT NOT NULL CHECK (length(currency) = 3),
    can_accept_payments INTEGER NOT NULL DEFAULT 0 CHECK (can_accept_payments IN (0, 1)),
    is_demo             INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    last_sync_at        INTEGER,
    updated_at          INTEGER NOT NULL
);

CREATE TABLE resources (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('staff', 'room', 'equipment')),
    active     INTEGER NOT NULL CHECK (active IN (0, 1)),
    updated_at INTEGER NOT NULL
);

CREATE TABLE services (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    price_cents      INTEGER NOT NULL CHECK (price_cents >= 0),
    active           INTEGER NOT NULL CHECK (active IN (0, 1)),
    updated_at       INTEGER NOT NULL
);

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    phone      TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE appointments (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    service_id  INTEGER NOT NULL REFERENCES services (id),
    resource_id INTEGER NOT NULL REFERENCES resources (id),
    start_at    INTEGER NOT NULL,
    end_at      INTEGER NOT NULL CHECK (end_at >= start_at),
    status      TEXT NOT NULL CHECK (status IN ('scheduled', 'confirmed', 'completed', 'cancelled', 'no_show')),
    booked_at   INTEGER NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    local_date  TEXT NOT NULL,
    local_hour  INTEGER NOT NULL CHECK (local_hour BETWEEN 0 AND 23),
    updated_at  INTEGER NOT NULL
);
CREATE INDEX appointments_start ON appointments (start_at);
CREATE INDEX appointments_local_date ON appointments (local_date, status);
CREATE INDEX appointments_status ON appointments (status, start_at);
CREATE INDEX appointments_customer ON appointments (customer_id, start_at);
CREATE INDEX appointments_service ON appointments (service_id, local_date);
CREATE INDEX appointments_resource ON appointments (resource_id, local_date);

CREATE TABLE payments (
    id                 INTEGER PRIMARY KEY,
    customer_id        INTEGER NOT NULL REFERENCES customers (id),
    appointment_id     INTEGER REFERENCES appointments (id) ON DELETE SET NULL,
    amount_cents       INTEGER NOT NULL,
    currency           TEXT NOT NULL CHECK (length(currency) = 3),
    status             TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
    created_at         INTEGER NOT NULL,
    paid_at            INTEGER,
    created_local_date TEXT NOT NULL,
    paid_local_date    TEXT,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX payments_created ON payments (created_at);
CREATE INDEX payments_paid ON payments (paid_local_date, status);
CREATE INDEX payments_status ON payments (status, created_at);
CREATE INDEX payments_appointment ON payments (appointment_id);
CREATE INDEX payments_customer ON payments (customer_id);

CREATE TABLE subscriptions (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    plan_name    TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('active', 'trialing', 'past_due', 'canceled')),
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    interval     TEXT NOT NULL CHECK (interval IN ('month', 'year')),
    started_at   INTEGER NOT NULL,
    canceled_at  INTEGER,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX subscriptions_status ON subscriptions (status);
CREATE INDEX subscriptions_customer ON subscriptions (customer_id, status);
