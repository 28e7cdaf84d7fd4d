-- Version 4: drop the secondary indexes no query uses. Reports read the rollups; exports range
-- over start_at / created_at; cascades and the analytics cross counts use the customer,
-- service, resource and appointment indexes. Each index dropped makes every sync write and
-- every bulk load cheaper.
DROP INDEX IF EXISTS appointments_local_date;
DROP INDEX IF EXISTS appointments_status;
DROP INDEX IF EXISTS payments_paid;
DROP INDEX IF EXISTS payments_status;
