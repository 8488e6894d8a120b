-- Record outcomes in chunks (bdt/ledger: OutcomeChunk): a row per chunk of
-- up to 512 records of a file, rows a JSON array of
-- [idx, line, reference, cert, status, conf_ref, findings] in order of idx
-- (findings: the JSON array of findings as text, '' for none). A row per
-- record cost more to write and read back than all the rest of a file's
-- ledger entry. rows is json, not jsonb: kept as written, read back as
-- written. ledger_record stays, as a view, for SQL that reads it.
CREATE TABLE ledger_outcome (
    file  bigint NOT NULL REFERENCES ledger_file (id),
    first integer NOT NULL, -- the index of the chunk's first record
    rows  json NOT NULL,
    PRIMARY KEY (file, first)
);

INSERT INTO ledger_outcome (file, first, rows)
    SELECT file, min(idx),
        json_agg(json_build_array(idx, line, reference, cert, status, conf_ref, coalesce(findings::text, '')) ORDER BY idx)
    FROM ledger_record GROUP BY file, (idx - 1) / 512;

DROP TABLE ledger_record;

CREATE VIEW ledger_record (file, idx, line, reference, cert, status, conf_ref, findings) AS
    SELECT o.file, (r.value->>0)::integer, (r.value->>1)::integer, r.value->>2, r.value->>3, r.value->>4, r.value->>5,
        nullif(r.value->>6, '')::jsonb
    FROM ledger_outcome o, json_array_elements(o.rows) r;

-- Outcomes are history: never changed, never deleted.
CREATE TRIGGER ledger_outcome_append_only BEFORE UPDATE OR DELETE ON ledger_outcome
    FOR EACH ROW EXECUTE FUNCTION bdt_append_only();
