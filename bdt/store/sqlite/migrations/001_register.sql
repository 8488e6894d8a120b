-- 001: the sponsor register. Sponsors and their routes, SMS users, and
-- certificates (CAS and CoS) with append-only histories: status changes, fee
-- changes (values before and after) and activity reports.
--
-- Conventions: money in pence as INTEGER; civil dates as TEXT YYYY-MM-DD;
-- instants as TEXT RFC 3339 in UTC with nine fraction digits (so that they
-- sort as text); NULL for "not given"; booleans as INTEGER 0/1.

CREATE TABLE sponsor (
    licence TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    status  TEXT NOT NULL CHECK (status IN ('A_RATED', 'B_RATED', 'SUSPENDED', 'DORMANT', 'REVOKED', 'EXPIRED')),
    nation  TEXT NOT NULL CHECK (nation IN ('ENGLAND_AND_WALES', 'SCOTLAND', 'NORTHERN_IRELAND'))
) STRICT;

CREATE TABLE sponsor_route (
    licence TEXT NOT NULL REFERENCES sponsor (licence),
    route   TEXT NOT NULL CHECK (route IN ('STUDENT', 'WORKER', 'TEMPORARY_WORKER')),
    PRIMARY KEY (licence, route)
) STRICT;

CREATE TABLE sms_user (
    id      TEXT PRIMARY KEY,
    sponsor TEXT NOT NULL REFERENCES sponsor (licence),
    name    TEXT NOT NULL,
    level   INTEGER NOT NULL CHECK (level IN (1, 2)),
    status  TEXT NOT NULL CHECK (status IN ('REQUESTED', 'ACTIVE', 'REFUSED', 'DEACTIVATED_BY_SPONSOR', 'DEACTIVATED_BY_UKVI')),
    UNIQUE (id, sponsor) -- target of the certificate's (user, sponsor) references
) STRICT;

CREATE INDEX sms_user_sponsor ON sms_user (sponsor, id);

-- certificate is a CAS or a CoS. course_* columns are set on a CAS with a
-- course (course_title NULL: no course), job_* on a CoS with a job
-- (job_title NULL: no job). created_by and owner are users of the
-- certificate's own sponsor.
CREATE TABLE certificate (
    number                  TEXT PRIMARY KEY,
    kind                    TEXT NOT NULL CHECK (kind IN ('CAS', 'COS')),
    sponsor                 TEXT NOT NULL REFERENCES sponsor (licence),
    status                  TEXT NOT NULL CHECK (status IN ('WORK_IN_PROGRESS', 'READY_TO_GO', 'ASSIGNED', 'WITHDRAWN', 'OBSOLETE', 'USED', 'EXPIRED', 'CANCELLED')
                                                 AND (kind = 'CAS' OR status <> 'OBSOLETE')),
    created_by              TEXT,
    owner                   TEXT,
    assigned_on             TEXT,
    family_name             TEXT NOT NULL,
    given_names             TEXT NOT NULL,
    date_of_birth           TEXT,
    nationality             TEXT NOT NULL,
    course_title            TEXT,
    course_start            TEXT,
    course_end              TEXT,
    job_title               TEXT,
    job_soc_code            TEXT,
    job_start               TEXT,
    job_end                 TEXT,
    job_salary              INTEGER,
    job_location            TEXT,
    course_fees_first_year  INTEGER,
    course_fees_paid        INTEGER,
    boarding_fees_paid      INTEGER,
    includes_accommodation  INTEGER CHECK (includes_accommodation IN (0, 1)),
    accommodation_fees_paid INTEGER,
    note                    TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (created_by, sponsor) REFERENCES sms_user (id, sponsor),
    FOREIGN KEY (owner, sponsor) REFERENCES sms_user (id, sponsor)
) STRICT;

CREATE INDEX certificate_sponsor ON certificate (sponsor, kind, number);
CREATE INDEX certificate_owner ON certificate (owner);
CREATE INDEX certificate_created_by ON certificate (created_by);

-- status_change is the append-only status history of a certificate, in
-- order of seq (1, 2, ...).
CREATE TABLE status_change (
    number TEXT NOT NULL REFERENCES certificate (number),
    seq    INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('WORK_IN_PROGRESS', 'READY_TO_GO', 'ASSIGNED', 'WITHDRAWN', 'OBSOLETE', 'USED', 'EXPIRED', 'CANCELLED')),
    at     TEXT NOT NULL,
    by     TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (number, seq)
) STRICT;

-- fee_change is the append-only fee history of a CAS: the values before and
-- after each accepted fee update.
CREATE TABLE fee_change (
    number                         TEXT NOT NULL REFERENCES certificate (number),
    seq                            INTEGER NOT NULL,
    at                             TEXT NOT NULL,
    by                             TEXT NOT NULL,
    ref                            TEXT NOT NULL,
    before_course_fees_first_year  INTEGER,
    before_course_fees_paid        INTEGER,
    before_boarding_fees_paid      INTEGER,
    before_includes_accommodation  INTEGER CHECK (before_includes_accommodation IN (0, 1)),
    before_accommodation_fees_paid INTEGER,
    after_course_fees_first_year   INTEGER,
    after_course_fees_paid         INTEGER,
    after_boarding_fees_paid       INTEGER,
    after_includes_accommodation   INTEGER CHECK (after_includes_accommodation IN (0, 1)),
    after_accommodation_fees_paid  INTEGER,
    PRIMARY KEY (number, seq)
) STRICT;

-- activity_report holds the activity reports of a certificate, in order of
-- seq. Reports are never deleted: a withdrawn report has withdrawn_by set to
-- the reference of the report that withdrew it. address_lines is a JSON array
-- of strings (NULL: no address).
CREATE TABLE activity_report (
    number               TEXT NOT NULL REFERENCES certificate (number),
    seq                  INTEGER NOT NULL,
    ref                  TEXT NOT NULL,
    type                 TEXT NOT NULL,
    event_date           TEXT,
    details              TEXT NOT NULL,
    address_lines        TEXT,
    address_town         TEXT,
    address_postcode     TEXT,
    address_phone        TEXT,
    address_email        TEXT,
    early_completion     TEXT,
    previous_date        TEXT,
    first_day_of_absence TEXT,
    new_employer         TEXT NOT NULL,
    reported_at          TEXT NOT NULL,
    reported_by          TEXT NOT NULL,
    source               TEXT NOT NULL,
    sponsor_reference    TEXT NOT NULL,
    withdrawn_by         TEXT,
    late                 INTEGER NOT NULL CHECK (late IN (0, 1)),
    PRIMARY KEY (number, seq),
    UNIQUE (number, ref)
) STRICT;

-- Histories are append-only, whatever writes to the database.
CREATE TRIGGER status_change_no_update BEFORE UPDATE ON status_change
BEGIN SELECT RAISE(ABORT, 'status_change is append-only'); END;
CREATE TRIGGER status_change_no_delete BEFORE DELETE ON status_change
BEGIN SELECT RAISE(ABORT, 'status_change is append-only'); END;
CREATE TRIGGER fee_change_no_update BEFORE UPDATE ON fee_change
BEGIN SELECT RAISE(ABORT, 'fee_change is append-only'); END;
CREATE TRIGGER fee_change_no_delete BEFORE DELETE ON fee_change
BEGIN SELECT RAISE(ABORT, 'fee_change is append-only'); END;
CREATE TRIGGER activity_report_no_delete BEFORE DELETE ON activity_report
BEGIN SELECT RAISE(ABORT, 'activity_report is append-only'); END;
-- The one update a report allows: marking it withdrawn, once.
CREATE TRIGGER activity_report_only_withdraw BEFORE UPDATE ON activity_report
WHEN OLD.withdrawn_by IS NOT NULL
  OR NEW.withdrawn_by IS NULL
  OR NEW.number IS NOT OLD.number OR NEW.seq IS NOT OLD.seq OR NEW.ref IS NOT OLD.ref
  OR NEW.type IS NOT OLD.type OR NEW.event_date IS NOT OLD.event_date OR NEW.details IS NOT OLD.details
  OR NEW.address_lines IS NOT OLD.address_lines OR NEW.address_town IS NOT OLD.address_town
  OR NEW.address_postcode IS NOT OLD.address_postcode OR NEW.address_phone IS NOT OLD.address_phone
  OR NEW.address_email IS NOT OLD.address_email OR NEW.early_completion IS NOT OLD.early_completion
  OR NEW.previous_date IS NOT OLD.previous_date OR NEW.first_day_of_absence IS NOT OLD.first_day_of_absence
  OR NEW.new_employer IS NOT OLD.new_employer OR NEW.reported_at IS NOT OLD.reported_at
  OR NEW.reported_by IS NOT OLD.reported_by OR NEW.source IS NOT OLD.source
  OR NEW.sponsor_reference IS NOT OLD.sponsor_reference OR NEW.late IS NOT OLD.late
BEGIN SELECT RAISE(ABORT, 'activity_report is append-only: only an unwithdrawn report may be marked withdrawn'); END;
