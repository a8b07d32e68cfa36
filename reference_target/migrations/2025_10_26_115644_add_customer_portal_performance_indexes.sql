-- @up
CREATE INDEX IF NOT EXISTS idx_calls_company_created ON retell_call_sessions (company_id, created_at);
CREATE INDEX IF NOT EXISTS idx_appointments_company_starts ON appointments (company_id, starts_at);
-- @down
DROP INDEX IF EXISTS idx_appointments_company_starts ON appointments;
DROP INDEX IF EXISTS idx_calls_company_created ON retell_call_sessions;
