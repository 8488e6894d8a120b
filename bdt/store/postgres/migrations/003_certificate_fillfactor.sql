-- Certificates are updated in place by every accepted fee update, note,
-- status change and transfer. With free room on each page PostgreSQL can
-- make those updates heap-only (HOT): the new row version goes on the same
-- page and none of the table's four indexes is touched, as none of the
-- updated columns is indexed. At the default fillfactor (100) pages are
-- full after an import and every update writes four index entries too.
-- The setting applies to pages written from now on (a register imported
-- after this migration, or after VACUUM FULL).
ALTER TABLE certificate SET (fillfactor = 80);
