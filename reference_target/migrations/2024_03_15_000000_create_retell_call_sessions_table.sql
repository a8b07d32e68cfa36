-- @up
CREATE TABLE retell_call_sessions (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  company_id BIGINT UNSIGNED NOT NULL,
  customer_id BIGINT UNSIGNED NULL,
  call_id VARCHAR(64) NOT NULL,
  caller_number VARCHAR(32) NOT NULL,
  direction VARCHAR(16) NOT NULL DEFAULT 'inbound',
  status VARCHAR(20) NOT NULL,
  duration_seconds INT UNSIGNED NOT NULL DEFAULT 0,
  summary TEXT NULL,
  started_at DATETIME NULL,
  ended_at DATETIME NULL,
  created_at TIMESTAMP NULL DEFAULT NULL,
  updated_at TIMESTAMP NULL DEFAULT NULL,
  UNIQUE KEY retell_call_sessions_call_id_unique (call_id),
  KEY retell_call_sessions_company_id_index (company_id),
  KEY retell_call_sessions_customer_id_index (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- @down
DROP TABLE IF EXISTS retell_call_sessions;
