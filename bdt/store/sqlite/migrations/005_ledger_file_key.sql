-- 005: a file's earlier entries under its inbox key, archived or not, are
-- found by an index: the runner counts them to name the file's reports and
-- archived copy (an upload number), and ledger_file_pending (002) serves
-- only entries not yet archived. Without it the lookup read the whole
-- ledger: 200 ms a file at a million entries (RELIABILITY.md). IF NOT
-- EXISTS: a database a test put back to an earlier version keeps it.
CREATE INDEX IF NOT EXISTS ledger_file_key ON ledger_file (licence, key, id);
