-- @up
CREATE TABLE calls (
  id CHAR(36) NOT NULL PRIMARY KEY,
  company_id BIGINT UNSIGNED NOT NULL,
  customer_id BIGINT UNSIGNED NULL,
  retell_call_id VARCHAR(64) NOT NULL,
  from_number VARCHAR(32) NOT NULL,
  direction VARCHAR(16) NOT NULL DEFAULT 'inbound',
  status VARCHAR(20) NOT NULL,
  duration_sec INT UNSIGNED NOT NULL DEFAULT 0,
  summary TEXT NULL,
  started_at DATETIME NULL,
  ended_at DATETIME NULL,
  created_at TIMESTAMP NULL DEFAULT NULL,
  updated_at TIMESTAMP NULL DEFAULT NULL,
  UNIQUE KEY calls_retell_call_id_unique (retell_call_id),
  KEY calls_company_id_foreign (company_id),
  KEY calls_customer_id_foreign (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- @down
DROP TABLE IF EXISTS calls;
