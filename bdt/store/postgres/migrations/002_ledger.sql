-- 002: the file ledger. Every file received and what became of it, and
-- every record's outcome with its findings. A file's entry, its outcomes and
-- its register changes are written in one transaction, so a file is applied
-- exactly once; reports are rewritten from here after a crash. Also the
-- leases by which replicas share the inbox.

CREATE TABLE ledger_file (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    licence         text NOT NULL,            -- the sponsor folder it arrived in
    key             text NOT NULL,            -- inbox key LICENCE/NAME
    name            text NOT NULL,
    sha256          text NOT NULL DEFAULT '',
    size            bigint NOT NULL DEFAULT 0,
    kind            text NOT NULL DEFAULT '',
    version         text NOT NULL DEFAULT '',
    file_id         text NOT NULL DEFAULT '',
    header_licence  text NOT NULL DEFAULT '',
    user_id         text NOT NULL DEFAULT '',
    created_at      text NOT NULL DEFAULT '', -- the header's timestamp, as written
    status          text NOT NULL CHECK (status IN ('PROCESSING', 'ACCEPTED', 'PARTIALLY_ACCEPTED', 'REJECTED', 'DUPLICATE')),
    duplicate_of    bigint REFERENCES ledger_file (id),
    declared        integer NOT NULL DEFAULT -1,
    read_count      integer NOT NULL DEFAULT 0,
    accepted        integer NOT NULL DEFAULT 0,
    rejected        integer NOT NULL DEFAULT 0,
    warnings        integer NOT NULL DEFAULT 0,
    file_findings   jsonb NOT NULL DEFAULT '[]', -- array of findings
    truncated       boolean NOT NULL DEFAULT false,
    processed_at    text,                     -- instants as in 001
    received_at     text,
    started_at      text,
    finished_at     text,
    reports_written boolean NOT NULL DEFAULT false,
    archived        boolean NOT NULL DEFAULT false
);

CREATE INDEX ledger_file_pending ON ledger_file (licence, key) WHERE NOT archived;

-- A file id, and a content, is applied at most once per sponsor: the
-- database itself refuses a second applied file, whatever the code does.
CREATE UNIQUE INDEX ledger_file_applied_id ON ledger_file (licence, file_id)
    WHERE status IN ('ACCEPTED', 'PARTIALLY_ACCEPTED');
CREATE UNIQUE INDEX ledger_file_applied_sha ON ledger_file (licence, sha256)
    WHERE status IN ('ACCEPTED', 'PARTIALLY_ACCEPTED');

CREATE TABLE ledger_record (
    file      bigint NOT NULL REFERENCES ledger_file (id),
    idx       integer NOT NULL,
    line      integer NOT NULL,
    reference text NOT NULL DEFAULT '',
    cert      text NOT NULL DEFAULT '',
    status    text NOT NULL CHECK (status IN ('ACCEPTED', 'REJECTED')),
    conf_ref  text NOT NULL DEFAULT '',
    findings  jsonb,                          -- array of findings; NULL for none
    PRIMARY KEY (file, idx)
);

-- Outcomes are history: never changed, never deleted.
CREATE TRIGGER ledger_record_append_only BEFORE UPDATE OR DELETE ON ledger_record
    FOR EACH ROW EXECUTE FUNCTION bdt_append_only();

-- Leases: named, time-limited claims (a sponsor's queue) shared by every
-- replica on this database. expires_at is on the database's clock (now()),
-- so replicas' clocks need not agree.
CREATE TABLE lease (
    name       text PRIMARY KEY,
    owner      text NOT NULL,
    expires_at timestamptz NOT NULL
);
