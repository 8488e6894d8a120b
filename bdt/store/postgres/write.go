package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
	"bdt/rules"
)

// codeForeignKeyViolation: an insert or update names a sponsor or user that
// is not there (or a user of another sponsor).
const codeForeignKeyViolation = "23503"

// SponsorInsert implements store.Tx. Routes are a set: a route given twice
// is stored once.
func (t *tx) SponsorInsert(ctx context.Context, s *rules.Sponsor) error {
	routes := make([]string, len(s.Routes))
	for i, r := range s.Routes {
		routes[i] = string(r)
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO sponsor (licence, name, status, nation) VALUES ($1, $2, $3, $4)`,
		s.Licence, s.Name, string(s.Status), string(s.Nation))
	b.Queue(`INSERT INTO sponsor_route (licence, route) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
		s.Licence, routes)
	err := execBatch(ctx, t.tx, b)
	if isCode(err, codeUniqueViolation, "sponsor_pkey") {
		return fmt.Errorf("postgres: sponsor %s: %w", s.Licence, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("postgres: sponsor %s: %w", s.Licence, err)
	}
	return nil
}

// execBatch sends b and returns the first statement's error, if any.
func execBatch(ctx context.Context, q querier, b *pgx.Batch) error {
	br := q.SendBatch(ctx, b)
	for range b.Len() {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return err
		}
	}
	return br.Close()
}

// UserInsert implements store.Tx.
func (t *tx) UserInsert(ctx context.Context, u *rules.User) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO sms_user (id, sponsor, name, level, status) VALUES ($1, $2, $3, $4, $5)`,
		u.ID, u.Sponsor, u.Name, int16(u.Level), string(u.Status))
	switch {
	case isCode(err, codeForeignKeyViolation, ""):
		return fmt.Errorf("postgres: user %s: sponsor %s: %w", u.ID, u.Sponsor, store.ErrNotFound)
	case isCode(err, codeUniqueViolation, ""):
		return fmt.Errorf("postgres: user %s: %w", u.ID, store.ErrExists)
	case err != nil:
		return fmt.Errorf("postgres: user %s: %w", u.ID, err)
	}
	return nil
}

// CertificateInsert implements store.Tx: the certificate and its histories
// in one round trip. The foreign keys check that its sponsor exists and
// that its creator and owner are users of that sponsor.
func (t *tx) CertificateInsert(ctx context.Context, c *rules.Certificate) error {
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO certificate (`+sqlrow.CertColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)`, values.CertificateArgs(c)...)
	for i, sc := range c.StatusHistory {
		queueStatus(b, c.Number, i+1, sc)
	}
	for i, fc := range c.FeeHistory {
		queueFees(b, c.Number, i+1, fc)
	}
	for i, a := range c.Activity {
		if err := queueReport(b, c.Number, i+1, a); err != nil {
			return fmt.Errorf("postgres: certificate %s: %w", c.Number, err)
		}
	}
	err := execBatch(ctx, t.tx, b)
	var pe *pgconn.PgError
	switch {
	case isCode(err, codeUniqueViolation, "certificate_pkey"):
		return fmt.Errorf("postgres: certificate %s: %w", c.Number, store.ErrExists)
	case isCode(err, codeUniqueViolation, "activity_report_number_ref_key"):
		return fmt.Errorf("postgres: certificate %s: a report reference given twice: %w", c.Number, store.ErrExists)
	case isCode(err, codeForeignKeyViolation, "") && errors.As(err, &pe):
		what := "its sponsor"
		switch pe.ConstraintName {
		case "certificate_created_by_sponsor_fkey":
			what = "its creator, a user of its sponsor,"
		case "certificate_owner_sponsor_fkey":
			what = "its owner, a user of its sponsor,"
		}
		return fmt.Errorf("postgres: certificate %s: %s: %w", c.Number, what, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("postgres: certificate %s: %w", c.Number, err)
	}
	t.locked[c.Number] = true // inserted by this transaction: no one else sees it
	return nil
}

// Apply implements store.Tx.
//
// A run of fee changes and reports (on certificates this transaction has
// locked) is pipelined: all its statements go to the server in one batch,
// one round trip instead of one or two a change, and their results are read
// back in order with the errors a change by change apply gives. A failed
// statement aborts the transaction either way.
func (t *tx) Apply(ctx context.Context, changes ...rules.Change) error {
	for i := 0; i < len(changes); {
		if n := feesRunLen(changes[i:]); n >= feesRunMin {
			done, err := t.feesRun(ctx, changes[i:i+n])
			if err != nil {
				return fmt.Errorf("postgres: apply %T: %w", changes[i], err)
			}
			if done {
				i += n
				continue
			}
			// Not done as a whole: change by change below, which says
			// precisely what is wrong.
		}
		if n := t.pipelineLen(changes[i:]); n > 1 {
			if err := t.applyPipelined(ctx, changes[i:i+n]); err != nil {
				return fmt.Errorf("postgres: apply %T: %w", changes[i], err)
			}
			i += n
			continue
		}
		if err := t.apply(ctx, changes[i]); err != nil {
			return fmt.Errorf("postgres: apply %T: %w", changes[i], err)
		}
		i++
	}
	return nil
}

// feesRunMin and pipelineMax bound a run of fee changes applied in two
// statements: a shorter one is pipelined change by change.
const feesRunMin = 4

// feesRunLen returns how many of changes, from the first, are fee changes
// of distinct certificates (at most pipelineMax).
func feesRunLen(changes []rules.Change) int {
	seen := make(map[string]bool)
	n := 0
	for _, ch := range changes[:min(len(changes), pipelineMax)] {
		c, ok := ch.(rules.SetFees)
		if !ok || seen[c.Cert] {
			break
		}
		seen[c.Cert] = true
		n++
	}
	return n
}

// feesRun applies a run of fee changes of distinct certificates in two
// statements over arrays, one of each column: an UPDATE of the
// certificates and an INSERT of their history rows, each row's seq the next
// of its certificate's. A statement a change cost the server more than the
// change itself (executor start-up, a snapshot, a round of the protocol).
// done is false, with nothing changed, when a certificate is not in the
// register: the caller applies the run change by change, which says which.
func (t *tx) feesRun(ctx context.Context, run []rules.Change) (done bool, err error) {
	n := len(run)
	var (
		numbers, ats, bys, refs []string
		before, after           [5][]any
	)
	for _, ch := range run {
		c := ch.(rules.SetFees)
		numbers = append(numbers, c.Cert)
		ats = append(ats, sqlrow.FormatTime(c.Change.At))
		bys = append(bys, c.Change.By)
		refs = append(refs, c.Change.Ref)
		for i, v := range values.FeeArgs(c.Change.Before) {
			before[i] = append(before[i], v)
		}
		for i, v := range values.FeeArgs(c.Change.After) {
			after[i] = append(after[i], v)
		}
	}
	// The rows to change must all be there first: a run that finds fewer
	// changes nothing, and leaves the transaction usable. Rows this
	// transaction has locked (the runner reads a batch's certificates
	// FOR UPDATE before it changes them) are there: certificates are never
	// deleted.
	unlocked := false
	for _, num := range numbers {
		unlocked = unlocked || !t.locked[num]
	}
	if unlocked {
		var found int
		if err := t.tx.QueryRow(ctx, `SELECT count(*) FROM certificate WHERE number = ANY($1)`, numbers).Scan(&found); err != nil {
			return false, err
		}
		if found != n {
			return false, nil
		}
	}
	b := &pgx.Batch{}
	b.Queue(`UPDATE certificate c SET course_fees_first_year = v.a, course_fees_paid = v.b, boarding_fees_paid = v.c,
		includes_accommodation = v.d, accommodation_fees_paid = v.e
		FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::boolean[], $6::bigint[]) AS v(number, a, b, c, d, e)
		WHERE c.number = v.number`, numbers, after[0], after[1], after[2], after[3], after[4])
	b.Queue(`INSERT INTO fee_change (number, seq, at, by, ref,
		before_course_fees_first_year, before_course_fees_paid, before_boarding_fees_paid, before_includes_accommodation, before_accommodation_fees_paid,
		after_course_fees_first_year, after_course_fees_paid, after_boarding_fees_paid, after_includes_accommodation, after_accommodation_fees_paid)
		SELECT v.number, coalesce((SELECT max(f.seq) FROM fee_change f WHERE f.number = v.number), 0) + 1, v.at, v.by, v.ref,
			v.b1, v.b2, v.b3, v.b4, v.b5, v.a1, v.a2, v.a3, v.a4, v.a5
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::boolean[], $9::bigint[],
			$10::bigint[], $11::bigint[], $12::bigint[], $13::boolean[], $14::bigint[])
			WITH ORDINALITY AS v(number, at, by, ref, b1, b2, b3, b4, b5, a1, a2, a3, a4, a5, i)
		ORDER BY v.i`,
		numbers, ats, bys, refs, before[0], before[1], before[2], before[3], before[4],
		after[0], after[1], after[2], after[3], after[4])
	br := t.tx.SendBatch(ctx, b)
	defer br.Close()
	tag, err := br.Exec()
	if err != nil {
		return false, fmt.Errorf("certificates %s to %s: %w", numbers[0], numbers[n-1], err)
	}
	if tag.RowsAffected() != int64(n) {
		return false, fmt.Errorf("certificates %s to %s: %d of %d updated", numbers[0], numbers[n-1], tag.RowsAffected(), n)
	}
	if _, err := br.Exec(); err != nil {
		return false, fmt.Errorf("certificates %s to %s: fee history: %w", numbers[0], numbers[n-1], err)
	}
	for _, num := range numbers {
		t.locked[num] = true
	}
	return true, br.Close()
}

// pipelineMax bounds the changes pipelined in one batch.
const pipelineMax = 256

// pipelineLen returns how many of changes, from the first, applyPipelined
// may apply: fee changes (whose UPDATE locks the row) and reports on
// certificates already locked, in a row.
func (t *tx) pipelineLen(changes []rules.Change) int {
	n := 0
	for _, ch := range changes[:min(len(changes), pipelineMax)] {
		switch c := ch.(type) {
		case rules.SetFees:
		case rules.AddReport:
			if !t.locked[c.Cert] {
				return n
			}
		default:
			return n
		}
		n++
	}
	return n
}

// applyPipelined applies a run pipelineLen allowed, in one batch.
func (t *tx) applyPipelined(ctx context.Context, run []rules.Change) error {
	b := &pgx.Batch{}
	for _, ch := range run {
		switch c := ch.(type) {
		case rules.SetFees:
			b.Queue(`UPDATE certificate SET course_fees_first_year = $1, course_fees_paid = $2,
				boarding_fees_paid = $3, includes_accommodation = $4, accommodation_fees_paid = $5 WHERE number = $6`,
				append(values.FeeArgs(c.Change.After), c.Cert)...)
			queueFees(b, c.Cert, 0, c.Change)
		case rules.AddReport:
			if err := queueReport(b, c.Cert, 0, c.Report); err != nil {
				return err
			}
		}
	}
	br := t.tx.SendBatch(ctx, b)
	defer br.Close()
	for _, ch := range run {
		switch c := ch.(type) {
		case rules.SetFees:
			tag, err := br.Exec()
			if err != nil {
				return fmt.Errorf("certificate %s: %w", c.Cert, err)
			}
			if tag.RowsAffected() == 0 {
				return fmt.Errorf("certificate %s: %w", c.Cert, store.ErrNotFound)
			}
			t.locked[c.Cert] = true
			if _, err := br.Exec(); err != nil {
				return fmt.Errorf("certificate %s: fee history: %w", c.Cert, err)
			}
		case rules.AddReport:
			_, err := br.Exec()
			if isCode(err, codeUniqueViolation, "activity_report_number_ref_key") {
				return fmt.Errorf("certificate %s: activity report %s: %w", c.Cert, c.Report.Ref, store.ErrExists)
			}
			if err != nil {
				return fmt.Errorf("certificate %s: activity report %s: %w", c.Cert, c.Report.Ref, err)
			}
		}
	}
	return br.Close()
}

// apply makes one change in the transaction.
func (t *tx) apply(ctx context.Context, ch rules.Change) error {
	if ch == nil {
		return errors.New("nil change")
	}
	return ch.ApplyTo(changer{ctx: ctx, t: t})
}

// changer makes each kind of change in a transaction (rules.Applier).
type changer struct {
	ctx context.Context
	t   *tx
}

// AddReport implements rules.Applier.
func (c changer) AddReport(ch rules.AddReport) error {
	if err := c.t.lock(c.ctx, ch.Cert); err != nil {
		return err
	}
	b := &pgx.Batch{}
	if err := queueReport(b, ch.Cert, 0, ch.Report); err != nil {
		return err
	}
	err := execBatch(c.ctx, c.t.tx, b)
	if isCode(err, codeUniqueViolation, "activity_report_number_ref_key") {
		return fmt.Errorf("certificate %s: activity report %s: %w", ch.Cert, ch.Report.Ref, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("certificate %s: activity report %s: %w", ch.Cert, ch.Report.Ref, err)
	}
	return nil
}

// MarkReportWithdrawn implements rules.Applier.
func (c changer) MarkReportWithdrawn(ch rules.MarkReportWithdrawn) error {
	return c.t.markWithdrawn(c.ctx, ch)
}

// SetFees implements rules.Applier.
func (c changer) SetFees(ch rules.SetFees) error {
	if err := c.t.update(c.ctx, ch.Cert, `UPDATE certificate SET course_fees_first_year = $1, course_fees_paid = $2,
		boarding_fees_paid = $3, includes_accommodation = $4, accommodation_fees_paid = $5 WHERE number = $6`,
		append(values.FeeArgs(ch.Change.After), ch.Cert)...); err != nil {
		return err
	}
	b := &pgx.Batch{}
	queueFees(b, ch.Cert, 0, ch.Change)
	if err := execBatch(c.ctx, c.t.tx, b); err != nil {
		return fmt.Errorf("certificate %s: fee history: %w", ch.Cert, err)
	}
	return nil
}

// SetNote implements rules.Applier.
func (c changer) SetNote(ch rules.SetNote) error {
	return c.t.update(c.ctx, ch.Cert, `UPDATE certificate SET note = $1 WHERE number = $2`, ch.Note, ch.Cert)
}

// SetStatus implements rules.Applier.
func (c changer) SetStatus(ch rules.SetStatus) error {
	if err := c.t.update(c.ctx, ch.Cert, `UPDATE certificate SET status = $1 WHERE number = $2`,
		string(ch.Change.Status), ch.Cert); err != nil {
		return err
	}
	b := &pgx.Batch{}
	queueStatus(b, ch.Cert, 0, ch.Change)
	if err := execBatch(c.ctx, c.t.tx, b); err != nil {
		return fmt.Errorf("certificate %s: status history: %w", ch.Cert, err)
	}
	return nil
}

// SetOwner implements rules.Applier.
func (c changer) SetOwner(ch rules.SetOwner) error {
	// The foreign key (owner, sponsor) refuses a user of another sponsor.
	err := c.t.update(c.ctx, ch.Cert, `UPDATE certificate SET owner = $1 WHERE number = $2`, sqlrow.NullString(ch.Owner), ch.Cert)
	if isCode(err, codeForeignKeyViolation, "") {
		return fmt.Errorf("certificate %s: owner %s is not a user of its sponsor: %w", ch.Cert, ch.Owner, store.ErrNotFound)
	}
	return err
}

// lock locks the row of certificate number for the rest of the transaction
// (unless this transaction has already), so that the next entry of its
// histories is computed from what the last holder committed. It returns
// ErrNotFound for a certificate not in the register.
func (t *tx) lock(ctx context.Context, number string) error {
	if t.locked[number] {
		return nil
	}
	var one int
	err := t.tx.QueryRow(ctx, `SELECT 1 FROM certificate WHERE number = $1 FOR UPDATE`, number).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("certificate %s: %w", number, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("certificate %s: %w", number, err)
	}
	t.locked[number] = true
	return nil
}

// update runs an UPDATE of certificate number, which locks its row, and
// returns ErrNotFound when it changed no row.
func (t *tx) update(ctx context.Context, number, query string, args ...any) error {
	tag, err := t.tx.Exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("certificate %s: %w", number, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("certificate %s: %w", number, store.ErrNotFound)
	}
	t.locked[number] = true
	return nil
}

// seqArg is the seq of a new history entry: seq when it is known (a new
// certificate's histories, numbered 1, 2, ...), else the next after the
// entries committed so far (the caller holds the certificate's row lock).
func seqArg(seq int) any {
	if seq > 0 {
		return seq
	}
	return nil
}

func queueStatus(b *pgx.Batch, number string, seq int, sc rules.StatusChange) {
	b.Queue(`INSERT INTO status_change (number, seq, status, at, by, reason)
		VALUES ($1, coalesce($2, (SELECT coalesce(max(seq), 0) + 1 FROM status_change WHERE number = $1)), $3, $4, $5, $6)`,
		number, seqArg(seq), string(sc.Status), sqlrow.FormatTime(sc.At), sc.By, sc.Reason)
}

func queueFees(b *pgx.Batch, number string, seq int, fc rules.FeeChange) {
	args := []any{number, seqArg(seq), sqlrow.FormatTime(fc.At), fc.By, fc.Ref}
	args = append(args, values.FeeArgs(fc.Before)...)
	args = append(args, values.FeeArgs(fc.After)...)
	b.Queue(`INSERT INTO fee_change (number, seq, at, by, ref,
		before_course_fees_first_year, before_course_fees_paid, before_boarding_fees_paid, before_includes_accommodation, before_accommodation_fees_paid,
		after_course_fees_first_year, after_course_fees_paid, after_boarding_fees_paid, after_includes_accommodation, after_accommodation_fees_paid)
		VALUES ($1, coalesce($2, (SELECT coalesce(max(seq), 0) + 1 FROM fee_change WHERE number = $1)),
			$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, args...)
}

func queueReport(b *pgx.Batch, number string, seq int, a rules.ActivityReport) error {
	var lines, town, postcode, phone, email any
	if ad := a.Address; ad != nil {
		j, err := json.Marshal(ad.Lines)
		if err != nil {
			return err
		}
		lines, town, postcode, phone, email = string(j), ad.Town, ad.Postcode, ad.Phone, ad.Email
	}
	b.Queue(`INSERT INTO activity_report (number, seq, ref, type, event_date, details,
		address_lines, address_town, address_postcode, address_phone, address_email,
		early_completion, previous_date, first_day_of_absence, new_employer,
		reported_at, reported_by, source, sponsor_reference, withdrawn_by, late)
		VALUES ($1, coalesce($2, (SELECT coalesce(max(seq), 0) + 1 FROM activity_report WHERE number = $1)),
			$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
		number, seqArg(seq), a.Ref, string(a.Type), values.DateArg(a.EventDate), a.Details,
		lines, town, postcode, phone, email,
		values.DateArg(a.EarlyCompletion), values.DateArg(a.PreviousDate), values.DateArg(a.FirstDayOfAbsence), a.NewEmployer,
		sqlrow.FormatTime(a.ReportedAt), a.ReportedBy, a.Source, a.SponsorReference, sqlrow.NullString(a.WithdrawnBy), a.Late)
	return nil
}

func (t *tx) markWithdrawn(ctx context.Context, m rules.MarkReportWithdrawn) error {
	if m.WithdrawnBy == "" {
		return fmt.Errorf("certificate %s: activity report %s: no withdrawing report given", m.Cert, m.Ref)
	}
	// The update locks the report's row: of two transactions withdrawing
	// it, the second finds it withdrawn.
	tag, err := t.tx.Exec(ctx, `UPDATE activity_report SET withdrawn_by = $1
		WHERE number = $2 AND ref = $3 AND withdrawn_by IS NULL`, m.WithdrawnBy, m.Cert, m.Ref)
	if err != nil {
		return fmt.Errorf("certificate %s: activity report %s: %w", m.Cert, m.Ref, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var by *string
	err = t.tx.QueryRow(ctx, `SELECT withdrawn_by FROM activity_report WHERE number = $1 AND ref = $2`, m.Cert, m.Ref).Scan(&by)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("certificate %s: activity report %s: %w", m.Cert, m.Ref, store.ErrNotFound)
	case err != nil:
		return err
	}
	return fmt.Errorf("certificate %s: activity report %s: already withdrawn by %s: %w", m.Cert, m.Ref, str(by), store.ErrConflict)
}
