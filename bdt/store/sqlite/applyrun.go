package sqlite

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"bdt/bdt/store/internal/sqlrow"
	"bdt/rules"
)

// Changes of many records are applied in multi-row statements: a run of
// consecutive fee changes, or of consecutive activity reports, on distinct
// certificates whose history seqs the transaction knows, takes one UPDATE
// and one INSERT (fees) or one INSERT (reports) instead of one or two
// statements per change. The result is the same as applying them one by
// one: each certificate is changed once in the run, so the order within it
// does not matter. A run that does not go through as a whole (a certificate
// missing, a report reference taken) is applied again change by change,
// which repeats what was done (the same values) and reports the error
// exactly as for a single change.

// runSizes are the run lengths used, so that few statement texts are made
// (and cached); a longer run is cut into these, a shorter one is applied
// change by change.
var runSizes = []int{64, 16, 4}

// runLen returns how many of changes, from the first, may be applied as one
// run: the largest of runSizes that fits, or 1.
func (t *tx) runLen(changes []rules.Change) int {
	if len(changes) < runSizes[len(runSizes)-1] || t.seqs == nil {
		return 1
	}
	kind, ok := runKind(changes[0])
	if !ok {
		return 1
	}
	seen := make(map[string]bool, runSizes[0])
	n := 0
	for _, ch := range changes[:min(len(changes), runSizes[0])] {
		cert := ch.CertNumber()
		if k, ok := runKind(ch); !ok || k != kind {
			break
		}
		if _, known := t.seqs.get(kind, cert); cert == "" || seen[cert] || !known {
			break
		}
		seen[cert] = true
		n++
	}
	for _, size := range runSizes {
		if n >= size {
			return size
		}
	}
	return 1
}

// runKind returns the history a change appends to when it may be part of
// a run: only fee changes and activity reports are (ok false for the
// others, applied change by change).
func runKind(ch rules.Change) (kind histTable, ok bool) {
	switch ch.(type) {
	case rules.SetFees:
		return histFees, true
	case rules.AddReport:
		return histActivity, true
	}
	return 0, false
}

// applyRun applies a run runLen allowed. done is false when the run could
// not be applied as a whole; the caller applies it change by change.
func (t *tx) applyRun(ctx context.Context, run []rules.Change) (done bool, err error) {
	switch kind, _ := runKind(run[0]); kind {
	case histFees:
		return t.feesRun(ctx, run)
	case histActivity:
		return t.reportRun(ctx, run)
	}
	return false, nil
}

// runSQL caches the statement texts of runs by kind and length.
var runSQL sync.Map // string → string

func runStatement(key string, rows int, head, row string) string {
	k := key + ":" + strconv.Itoa(rows)
	if q, ok := runSQL.Load(k); ok {
		return q.(string)
	}
	q := head + strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
	runSQL.Store(k, q)
	return q
}

func (t *tx) feesRun(ctx context.Context, run []rules.Change) (bool, error) {
	upd := make([]any, 0, 6*len(run))
	ins := make([]any, 0, 15*len(run))
	seqs := make([]int64, len(run))
	var at time.Time // a run's changes are a file's: one time, formatted once
	var atArg any
	for i, ch := range run {
		c := ch.(rules.SetFees)
		a, b := c.Change.After, c.Change.Before
		if atArg == nil || c.Change.At != at {
			at, atArg = c.Change.At, sqlrow.FormatTime(c.Change.At)
		}
		// Each value boxed once, for both statements.
		cert := any(c.Cert)
		after := [5]any{sqlrow.MoneyArg(a.CourseFeesFirstYear), sqlrow.MoneyArg(a.CourseFeesPaid), sqlrow.MoneyArg(a.BoardingFeesPaid),
			values.BoolArg(a.IncludesAccommodation), sqlrow.MoneyArg(a.AccommodationFeesPaid)}
		upd = append(upd, cert)
		upd = append(upd, after[:]...)
		seq, _ := t.seqs.get(histFees, c.Cert)
		seqs[i] = seq + 1
		ins = append(ins, cert, seq+1, atArg, c.Change.By, c.Change.Ref,
			sqlrow.MoneyArg(b.CourseFeesFirstYear), sqlrow.MoneyArg(b.CourseFeesPaid), sqlrow.MoneyArg(b.BoardingFeesPaid), values.BoolArg(b.IncludesAccommodation), sqlrow.MoneyArg(b.AccommodationFeesPaid))
		ins = append(ins, after[:]...)
	}
	res, err := t.exec(ctx, runStatement("fees-update", len(run), `UPDATE certificate SET course_fees_first_year = v.column2,
		course_fees_paid = v.column3, boarding_fees_paid = v.column4, includes_accommodation = v.column5,
		accommodation_fees_paid = v.column6 FROM (VALUES `, "(?, ?, ?, ?, ?, ?)")+`) AS v WHERE certificate.number = v.column1`, upd...)
	if err != nil {
		return false, ctx.Err()
	}
	if n, err := res.RowsAffected(); err != nil || n != int64(len(run)) {
		return false, nil
	}
	if _, err := t.exec(ctx, runStatement("fees-insert", len(run), `INSERT INTO fee_change (number, seq, at, by, ref,
		before_course_fees_first_year, before_course_fees_paid, before_boarding_fees_paid, before_includes_accommodation, before_accommodation_fees_paid,
		after_course_fees_first_year, after_course_fees_paid, after_boarding_fees_paid, after_includes_accommodation, after_accommodation_fees_paid)
		VALUES `, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"), ins...); err != nil {
		return false, ctx.Err()
	}
	for i, ch := range run {
		t.seqs.appended(histFees, ch.(rules.SetFees).Cert, seqs[i])
	}
	return true, nil
}

func (t *tx) reportRun(ctx context.Context, run []rules.Change) (bool, error) {
	args := make([]any, 0, 21*len(run))
	seqs := make([]int64, len(run))
	for i, ch := range run {
		c := ch.(rules.AddReport)
		a := c.Report
		var lines, town, postcode, phone, email any
		if ad := a.Address; ad != nil {
			b, err := json.Marshal(ad.Lines)
			if err != nil {
				return false, nil
			}
			lines, town, postcode, phone, email = string(b), ad.Town, ad.Postcode, ad.Phone, ad.Email
		}
		seq, _ := t.seqs.get(histActivity, c.Cert)
		seqs[i] = seq + 1
		args = append(args, c.Cert, seq+1, a.Ref, string(a.Type), values.DateArg(a.EventDate), a.Details,
			lines, town, postcode, phone, email,
			values.DateArg(a.EarlyCompletion), values.DateArg(a.PreviousDate), values.DateArg(a.FirstDayOfAbsence), a.NewEmployer,
			sqlrow.FormatTime(a.ReportedAt), a.ReportedBy, a.Source, a.SponsorReference, sqlrow.NullString(a.WithdrawnBy), a.Late)
	}
	if _, err := t.exec(ctx, runStatement("reports", len(run), `INSERT INTO activity_report (number, seq, ref, type, event_date, details,
		address_lines, address_town, address_postcode, address_phone, address_email,
		early_completion, previous_date, first_day_of_absence, new_employer,
		reported_at, reported_by, source, sponsor_reference, withdrawn_by, late)
		VALUES `, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"), args...); err != nil {
		return false, ctx.Err()
	}
	for i, ch := range run {
		t.seqs.appended(histActivity, ch.(rules.AddReport).Cert, seqs[i])
	}
	return true, nil
}
