-- @up
CREATE INDEX idx_calls_company_created ON retell_call_sessions (company_id, created_at);
CREATE INDEX idx_appointments_company_starts ON appointments (company_id, starts_at);
-- @down
DROP INDEX idx_appointments_company_starts ON appointments;
DROP INDEX idx_calls_company_created ON retell_call_sessions;
