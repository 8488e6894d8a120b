-- 002: the file ledger. Every file received and what became of it, and
-- every record's outcome with its findings. A file's entry, its outcomes and
-- its register changes are written in one transaction, so a file is applied
-- exactly once; reports are rewritten from here after a crash.

CREATE TABLE ledger_file (
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
    status         TEXT NOT NULL CHECK (status IN ('PROCESSING', 'ACCEPTED', 'PARTIALLY_ACCEPTED', 'REJECTED', 'DUPLICATE')),
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
    archived       INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1))
) STRICT;

CREATE INDEX ledger_file_pending ON ledger_file (licence, key) WHERE archived = 0;

-- A file id, and a content, is applied at most once per sponsor: the
-- database itself refuses a second applied file, whatever the code does.
CREATE UNIQUE INDEX ledger_file_applied_id ON ledger_file (licence, file_id)
    WHERE status IN ('ACCEPTED', 'PARTIALLY_ACCEPTED');
CREATE UNIQUE INDEX ledger_file_applied_sha ON ledger_file (licence, sha256)
    WHERE status IN ('ACCEPTED', 'PARTIALLY_ACCEPTED');

CREATE TABLE ledger_record (
    file      INTEGER NOT NULL REFERENCES ledger_file (id),
    idx       INTEGER NOT NULL,
    line      INTEGER NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    cert      TEXT NOT NULL DEFAULT '',
    status    TEXT NOT NULL CHECK (status IN ('ACCEPTED', 'REJECTED')),
    conf_ref  TEXT NOT NULL DEFAULT '',
    findings  TEXT NOT NULL DEFAULT '', -- JSON array of findings, '' for none
    PRIMARY KEY (file, idx)
) STRICT, WITHOUT ROWID;

-- Outcomes are history: never changed, never deleted.
CREATE TRIGGER ledger_record_no_update BEFORE UPDATE ON ledger_record
BEGIN SELECT RAISE(ABORT, 'ledger records are append-only'); END;
CREATE TRIGGER ledger_record_no_delete BEFORE DELETE ON ledger_record
BEGIN SELECT RAISE(ABORT, 'ledger records are append-only'); END;

-- Leases: named, time-limited claims (a sponsor's queue) shared by every
-- process on this database file.
CREATE TABLE lease (
    name       TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
