-- @up
CREATE TABLE retell_call_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  company_id BIGINT UNSIGNED NOT NULL,
  call_session_id BIGINT UNSIGNED NOT NULL,
  sequence INT UNSIGNED NOT NULL,
  speaker VARCHAR(16) NOT NULL,
  text TEXT NOT NULL,
  occurred_at DATETIME NOT NULL,
  created_at TIMESTAMP NULL DEFAULT NULL,
  KEY retell_call_events_company_id_index (company_id),
  KEY retell_call_events_call_session_id_index (call_session_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- @down
DROP TABLE IF EXISTS retell_call_events;
