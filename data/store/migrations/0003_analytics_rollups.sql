-- Version 3 (analytics): appointments per local day x service x resource, every status together
-- (with status too it would be nearly as large as the rows), so one service's report can list its
-- resources and one resource's report its services in O(days). Kept by the same triggers as the
-- other rollups (data/store_rollups.go). The indexes let a report filtered to one service or one
-- resource read only that service's or resource's rollup rows.
CREATE TABLE rollup_appt_service_resource (
    service_id  INTEGER NOT NULL,
    local_date  TEXT NOT NULL,
    resource_id INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (service_id, local_date, resource_id)
) WITHOUT ROWID;
CREATE INDEX rollup_appt_service_resource_by_resource ON rollup_appt_service_resource (resource_id, local_date, service_id, n);
CREATE INDEX rollup_appt_service_by_service ON rollup_appt_service (service_id, local_date, status, n);
CREATE INDEX rollup_appt_resource_by_resource ON rollup_appt_resource (resource_id, local_date, status, n);
