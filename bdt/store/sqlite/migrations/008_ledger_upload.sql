-- 008: uploads through the portal and the API (bdt/intake). A new status,
-- RECEIVED: an upload stored in the inbox, not yet claimed by a run. New
-- columns: submitter, the signed-in SMS user who uploaded the file ('' for
-- another channel), and client_name, the file name the client gave (data
-- only, never a key; '' for none). An index ledger_file_licence serves a
-- sponsor's files newest first, a page at a time (store.FileListParams:
-- Licence, Newest, After).
--
-- SQLite cannot change a CHECK constraint in place, so the table is built
-- again and the rows copied, ids kept (the procedure of SQLite's "ALTER
-- TABLE": migrate runs migrations with foreign keys off, and checks them
-- with foreign_key_check before it commits). It is safe to run again on a
-- database a test put back to an earlier version; only a test does that,
-- and a submitter and client name stored before are then not kept.
CREATE TABLE ledger_file_008 (
    id             INTEGER PRIMARY KEY,
    licence        TEXT NOT NULL,            -- the sponsor folder it arrived in
    key            TEXT NOT NULL,            -- inbox key LICENCE/NAME
    name           TEXT NOT NULL,
    sha256         TEXT NOT NULL DEFAULT '',
    size           INTEGER NOT NULL DEFAULT 0,
    kind           TEXT NOT NULL DEFAULT '',
    version        TEXT NOT NULL DEFAULT '',
    file_id        TEXT NOT NULL DEFAULT '',
    header_licence TEXT NOT NULL DEFAULT '',
    user_id        TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL DEFAULT '', -- the header's timestamp, as written
    status         TEXT NOT NULL CHECK (status IN ('RECEIVED', 'PROCESSING', 'ACCEPTED', 'PARTIALLY_ACCEPTED', 'REJECTED', 'DUPLICATE')),
    duplicate_of   INTEGER REFERENCES ledger_file (id),
    declared       INTEGER NOT NULL DEFAULT -1,
    read_count     INTEGER NOT NULL DEFAULT 0,
    accepted       INTEGER NOT NULL DEFAULT 0,
    rejected       INTEGER NOT NULL DEFAULT 0,
    warnings       INTEGER NOT NULL DEFAULT 0,
    file_findings  TEXT NOT NULL DEFAULT '[]', -- JSON array of findings
    truncated      INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1)),
    processed_at   TEXT,
    received_at    TEXT,
    started_at     TEXT,
    finished_at    TEXT,
    reports_written INTEGER NOT NULL DEFAULT 0 CHECK (reports_written IN (0, 1)),
    archived       INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    submitter      TEXT NOT NULL DEFAULT '', -- the SMS user who uploaded it; '' for another channel
    client_name    TEXT NOT NULL DEFAULT ''  -- the client's file name, data only
) STRICT;

INSERT INTO ledger_file_008 (id, licence, key, name, sha256, size, kind, version, file_id, header_licence, user_id,
        created_at, status, duplicate_of, declared, read_count, accepted, rejected, warnings, file_findings, truncated,
        processed_at, received_at, started_at, finished_at, reports_written, archived)
    SELECT id, licence, key, name, sha256, size, kind, version, file_id, header_licence, user_id,
        created_at, status, duplicate_of, declared, read_count, accepted, rejected, warnings, file_findings, truncated,
        processed_at, received_at, started_at, finished_at, reports_written, archived
    FROM ledger_file;

DROP TABLE ledger_file;
ALTER TABLE ledger_file_008 RENAME TO ledger_file;

-- The indexes of 002 and 005, dropped with the table.
CREATE INDEX ledger_file_pending ON ledger_file (licence, key) WHERE archived = 0;
CREATE UNIQUE INDEX ledger_file_applied_id ON ledger_file (licence, file_id)
    WHERE status IN ('ACCEPTED', 'PARTIALLY_ACCEPTED');
CREATE UNIQUE INDEX ledger_file_applied_sha ON ledger_file (licence, sha256)
    WHERE status IN ('ACCEPTED', 'PARTIALLY_ACCEPTED');
CREATE INDEX ledger_file_key ON ledger_file (licence, key, id);

CREATE INDEX ledger_file_licence ON ledger_file (licence, id);
