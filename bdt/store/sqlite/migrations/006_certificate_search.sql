-- 006: indexes for finding a sponsor's certificates by the person's details
-- (`bdt cas search`, `bdt cos search`: store.Reader.CertificateSearch). Each
-- detail has its own index after (sponsor, kind) and before number, so that
-- a page of a search on one detail (keyset paging by number) is a range of
-- one index, and a search on several details is a range of one of them
-- checked against the rest. The sponsor reference lives on activity
-- reports. None of these columns is changed by an operation, so the
-- indexes cost only inserts. The export (store.Reader.CertificateChanges)
-- needs none: it reads certificate_sponsor (sponsor, kind, number) in order
-- and each history's primary key (number, seq). IF NOT EXISTS: the suite
-- puts a database back to an older version and migrates it again
-- (storetest's OutcomesMigrated), which must not fail here.
CREATE INDEX IF NOT EXISTS certificate_family_name ON certificate (sponsor, kind, family_name, number);
CREATE INDEX IF NOT EXISTS certificate_given_names ON certificate (sponsor, kind, given_names, number);
CREATE INDEX IF NOT EXISTS certificate_date_of_birth ON certificate (sponsor, kind, date_of_birth, number);
CREATE INDEX IF NOT EXISTS certificate_nationality ON certificate (sponsor, kind, nationality, number);
CREATE INDEX IF NOT EXISTS activity_report_sponsor_reference ON activity_report (sponsor_reference, number);
