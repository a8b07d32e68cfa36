-- @up
CREATE TABLE appointments (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  company_id BIGINT UNSIGNED NOT NULL,
  customer_id BIGINT UNSIGNED NOT NULL,
  staff_id BIGINT UNSIGNED NULL,
  service_id BIGINT UNSIGNED NULL,
  branch_id BIGINT UNSIGNED NULL,
  scheduled_at DATETIME NOT NULL,
  scheduled_until DATETIME NOT NULL,
  status VARCHAR(20) NOT NULL DEFAULT 'scheduled',
  notes TEXT NULL,
  created_at TIMESTAMP NULL DEFAULT NULL,
  updated_at TIMESTAMP NULL DEFAULT NULL,
  KEY appointments_company_id_foreign (company_id),
  KEY appointments_customer_id_foreign (customer_id),
  KEY appointments_staff_id_foreign (staff_id),
  KEY appointments_service_id_foreign (service_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- @down
DROP TABLE IF EXISTS appointments;
