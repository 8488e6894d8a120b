-- 008: uploads through the portal and the API (bdt/intake). A new status,
-- RECEIVED: an upload stored in the inbox, not yet claimed by a run. New
-- columns: submitter, the signed-in SMS user who uploaded the file ('' for
-- another channel), and client_name, the file name the client gave (data
-- only, never a key; '' for none). An index ledger_file_licence serves a
-- sponsor's files newest first, a page at a time (store.FileListParams:
-- Licence, Newest, After). IF [NOT] EXISTS: a database a test put back to
-- an earlier version is migrated again.
ALTER TABLE ledger_file
    ADD COLUMN IF NOT EXISTS submitter text NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS client_name text NOT NULL DEFAULT '',
    DROP CONSTRAINT IF EXISTS ledger_file_status_check,
    ADD CONSTRAINT ledger_file_status_check
        CHECK (status IN ('RECEIVED', 'PROCESSING', 'ACCEPTED', 'PARTIALLY_ACCEPTED', 'REJECTED', 'DUPLICATE'));

CREATE INDEX IF NOT EXISTS ledger_file_licence ON ledger_file (licence, id);
