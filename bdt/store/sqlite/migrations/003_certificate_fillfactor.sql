-- PostgreSQL's migration 003 leaves room on the certificate table's pages
-- so that updates in place touch no index. SQLite rewrites a row in place
-- within its b-tree page and has no such setting: nothing to do here. The
-- migration exists so that both drivers' schemas keep the same version
-- (TestSameSchemaVersionAsSQLite).
SELECT 1;
