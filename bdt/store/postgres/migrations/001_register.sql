-- 001: the sponsor register. Sponsors and their routes, SMS users, and
-- certificates (CAS and CoS) with append-only histories: status changes, fee
-- changes (values before and after) and activity reports.
--
-- Conventions: money in pence as bigint; civil dates as date; instants as
-- text, RFC 3339 in UTC with nine fraction digits (so that they sort as text
-- and keep the nanoseconds timestamptz would round away, exactly as the
-- SQLite driver stores them); NULL for "not given".
--
-- Every name is unqualified: the tables live in the schema the connection's
-- search_path puts first (public unless the DSN says otherwise).

CREATE TABLE sponsor (
    licence text PRIMARY KEY,
    name    text NOT NULL,
    status  text NOT NULL CHECK (status IN ('A_RATED', 'B_RATED', 'SUSPENDED', 'DORMANT', 'REVOKED', 'EXPIRED')),
    nation  text NOT NULL CHECK (nation IN ('ENGLAND_AND_WALES', 'SCOTLAND', 'NORTHERN_IRELAND'))
);

CREATE TABLE sponsor_route (
    licence text NOT NULL REFERENCES sponsor (licence),
    route   text NOT NULL CHECK (route IN ('STUDENT', 'WORKER', 'TEMPORARY_WORKER')),
    PRIMARY KEY (licence, route)
);

CREATE TABLE sms_user (
    id      text PRIMARY KEY,
    sponsor text NOT NULL REFERENCES sponsor (licence),
    name    text NOT NULL,
    level   smallint NOT NULL CHECK (level IN (1, 2)),
    status  text NOT NULL CHECK (status IN ('REQUESTED', 'ACTIVE', 'REFUSED', 'DEACTIVATED_BY_SPONSOR', 'DEACTIVATED_BY_UKVI')),
    UNIQUE (id, sponsor) -- target of the certificate's (user, sponsor) references
);

CREATE INDEX sms_user_sponsor ON sms_user (sponsor, id);

-- certificate is a CAS or a CoS. course_* columns are set on a CAS with a
-- course (course_title NULL: no course), job_* on a CoS with a job
-- (job_title NULL: no job). created_by and owner are users of the
-- certificate's own sponsor.
CREATE TABLE certificate (
    number                  text PRIMARY KEY,
    kind                    text NOT NULL CHECK (kind IN ('CAS', 'COS')),
    sponsor                 text NOT NULL REFERENCES sponsor (licence),
    status                  text NOT NULL CHECK (status IN ('WORK_IN_PROGRESS', 'READY_TO_GO', 'ASSIGNED', 'WITHDRAWN', 'OBSOLETE', 'USED', 'EXPIRED', 'CANCELLED')
                                                 AND (kind = 'CAS' OR status <> 'OBSOLETE')),
    created_by              text,
    owner                   text,
    assigned_on             date,
    family_name             text NOT NULL,
    given_names             text NOT NULL,
    date_of_birth           date,
    nationality             text NOT NULL,
    course_title            text,
    course_start            date,
    course_end              date,
    job_title               text,
    job_soc_code            text,
    job_start               date,
    job_end                 date,
    job_salary              bigint,
    job_location            text,
    course_fees_first_year  bigint,
    course_fees_paid        bigint,
    boarding_fees_paid      bigint,
    includes_accommodation  boolean,
    accommodation_fees_paid bigint,
    note                    text NOT NULL DEFAULT '',
    FOREIGN KEY (created_by, sponsor) REFERENCES sms_user (id, sponsor),
    FOREIGN KEY (owner, sponsor) REFERENCES sms_user (id, sponsor)
);

CREATE INDEX certificate_sponsor ON certificate (sponsor, kind, number);
CREATE INDEX certificate_owner ON certificate (owner);
CREATE INDEX certificate_created_by ON certificate (created_by);

-- status_change is the append-only status history of a certificate, in
-- order of seq (1, 2, ...).
CREATE TABLE status_change (
    number text NOT NULL REFERENCES certificate (number),
    seq    integer NOT NULL,
    status text NOT NULL CHECK (status IN ('WORK_IN_PROGRESS', 'READY_TO_GO', 'ASSIGNED', 'WITHDRAWN', 'OBSOLETE', 'USED', 'EXPIRED', 'CANCELLED')),
    at     text NOT NULL,
    by     text NOT NULL,
    reason text NOT NULL,
    PRIMARY KEY (number, seq)
);

-- fee_change is the append-only fee history of a CAS: the values before and
-- after each accepted fee update.
CREATE TABLE fee_change (
    number                         text NOT NULL REFERENCES certificate (number),
    seq                            integer NOT NULL,
    at                             text NOT NULL,
    by                             text NOT NULL,
    ref                            text NOT NULL,
    before_course_fees_first_year  bigint,
    before_course_fees_paid        bigint,
    before_boarding_fees_paid      bigint,
    before_includes_accommodation  boolean,
    before_accommodation_fees_paid bigint,
    after_course_fees_first_year   bigint,
    after_course_fees_paid         bigint,
    after_boarding_fees_paid       bigint,
    after_includes_accommodation   boolean,
    after_accommodation_fees_paid  bigint,
    PRIMARY KEY (number, seq)
);

-- activity_report holds the activity reports of a certificate, in order of
-- seq. Reports are never deleted: a withdrawn report has withdrawn_by set to
-- the reference of the report that withdrew it. address_lines is a JSON array
-- of strings (NULL: no address).
CREATE TABLE activity_report (
    number               text NOT NULL REFERENCES certificate (number),
    seq                  integer NOT NULL,
    ref                  text NOT NULL,
    type                 text NOT NULL,
    event_date           date,
    details              text NOT NULL,
    address_lines        jsonb,
    address_town         text,
    address_postcode     text,
    address_phone        text,
    address_email        text,
    early_completion     date,
    previous_date        date,
    first_day_of_absence date,
    new_employer         text NOT NULL,
    reported_at          text NOT NULL,
    reported_by          text NOT NULL,
    source               text NOT NULL,
    sponsor_reference    text NOT NULL,
    withdrawn_by         text,
    late                 boolean NOT NULL,
    PRIMARY KEY (number, seq),
    UNIQUE (number, ref)
);

-- Histories are append-only, whatever writes to the database.
CREATE FUNCTION bdt_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER status_change_append_only BEFORE UPDATE OR DELETE ON status_change
    FOR EACH ROW EXECUTE FUNCTION bdt_append_only();
CREATE TRIGGER fee_change_append_only BEFORE UPDATE OR DELETE ON fee_change
    FOR EACH ROW EXECUTE FUNCTION bdt_append_only();
CREATE TRIGGER activity_report_no_delete BEFORE DELETE ON activity_report
    FOR EACH ROW EXECUTE FUNCTION bdt_append_only();

-- The one update a report allows: marking it withdrawn, once.
CREATE FUNCTION bdt_report_only_withdraw() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.withdrawn_by IS NOT NULL OR NEW.withdrawn_by IS NULL
       OR (to_jsonb(NEW) - 'withdrawn_by') IS DISTINCT FROM (to_jsonb(OLD) - 'withdrawn_by') THEN
        RAISE EXCEPTION 'activity_report is append-only: only an unwithdrawn report may be marked withdrawn'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER activity_report_only_withdraw BEFORE UPDATE ON activity_report
    FOR EACH ROW EXECUTE FUNCTION bdt_report_only_withdraw();
