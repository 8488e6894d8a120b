-- Record outcomes in chunks (bdt/ledger: OutcomeChunk): a row per chunk of
-- up to 512 records of a file, rows a JSON array of
-- [idx, line, reference, cert, status, conf_ref, findings] in order of idx
-- (findings: the JSON array of findings as text, '' for none). A row per
-- record cost more to write and read back than all the rest of a file's
-- ledger entry. ledger_record stays, as a view, for SQL that reads it.
CREATE TABLE ledger_outcome (
    file  INTEGER NOT NULL REFERENCES ledger_file (id),
    first INTEGER NOT NULL, -- the index of the chunk's first record
    rows  TEXT NOT NULL,
    PRIMARY KEY (file, first)
) STRICT, WITHOUT ROWID;

INSERT INTO ledger_outcome (file, first, rows)
    SELECT file, min(idx),
        json_group_array(json_array(idx, line, reference, cert, status, conf_ref, findings) ORDER BY idx)
    FROM ledger_record GROUP BY file, (idx - 1) / 512;

DROP TRIGGER ledger_record_no_update;
DROP TRIGGER ledger_record_no_delete;
DROP TABLE ledger_record;

CREATE VIEW ledger_record (file, idx, line, reference, cert, status, conf_ref, findings) AS
    SELECT o.file, r.value->>0, r.value->>1, r.value->>2, r.value->>3, r.value->>4, r.value->>5, r.value->>6
    FROM ledger_outcome o, json_each(o.rows) r;

-- Outcomes are history: never changed, never deleted.
CREATE TRIGGER ledger_outcome_no_update BEFORE UPDATE ON ledger_outcome
BEGIN SELECT RAISE(ABORT, 'ledger records are append-only'); END;
CREATE TRIGGER ledger_outcome_no_delete BEFORE DELETE ON ledger_outcome
BEGIN SELECT RAISE(ABORT, 'ledger records are append-only'); END;
