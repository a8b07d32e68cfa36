-- @up
CREATE TABLE call_transcript_segments (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  company_id BIGINT UNSIGNED NOT NULL,
  call_id CHAR(36) NOT NULL,
  position INT UNSIGNED NOT NULL,
  speaker_role VARCHAR(16) NOT NULL,
  body TEXT NOT NULL,
  spoken_at DATETIME NOT NULL,
  created_at TIMESTAMP NULL DEFAULT NULL,
  KEY call_transcript_segments_company_id_foreign (company_id),
  KEY call_transcript_segments_call_id_foreign (call_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- @down
DROP TABLE IF EXISTS call_transcript_segments;
