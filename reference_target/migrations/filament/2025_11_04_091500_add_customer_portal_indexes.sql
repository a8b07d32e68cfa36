-- @up
CREATE INDEX IF NOT EXISTS calls_company_id_created_at_index ON calls (company_id, created_at);
CREATE INDEX IF NOT EXISTS appointments_company_id_scheduled_at_index ON appointments (company_id, scheduled_at);
-- @down
DROP INDEX IF EXISTS appointments_company_id_scheduled_at_index ON appointments;
DROP INDEX IF EXISTS calls_company_id_created_at_index ON calls;
