-- @up
ALTER TABLE users ADD COLUMN role VARCHAR(32) NOT NULL DEFAULT 'staff' AFTER password;
-- @down
ALTER TABLE users DROP COLUMN role;
