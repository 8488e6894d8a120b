package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"

	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
	"bdt/rules"
)

// SponsorInsert implements store.Tx. Routes are a set: a route given twice
// is stored once.
func (t *tx) SponsorInsert(ctx context.Context, s *rules.Sponsor) error {
	_, err := t.exec(ctx, `INSERT INTO sponsor (licence, name, status, nation) VALUES (?, ?, ?, ?)`,
		s.Licence, s.Name, string(s.Status), string(s.Nation))
	if isConstraint(err, sqlite3.ErrConstraintPrimaryKey) {
		return fmt.Errorf("sqlite: sponsor %s: %w", s.Licence, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("sqlite: sponsor %s: %w", s.Licence, err)
	}
	for _, r := range s.Routes {
		if _, err := t.exec(ctx, `INSERT OR IGNORE INTO sponsor_route (licence, route) VALUES (?, ?)`,
			s.Licence, string(r)); err != nil {
			return fmt.Errorf("sqlite: sponsor %s: route %s: %w", s.Licence, r, err)
		}
	}
	return nil
}

// UserInsert implements store.Tx.
func (t *tx) UserInsert(ctx context.Context, u *rules.User) error {
	if err := t.needSponsor(ctx, u.Sponsor); err != nil {
		return fmt.Errorf("sqlite: user %s: %w", u.ID, err)
	}
	_, err := t.exec(ctx, `INSERT INTO sms_user (id, sponsor, name, level, status) VALUES (?, ?, ?, ?, ?)`,
		u.ID, u.Sponsor, u.Name, int(u.Level), string(u.Status))
	// The primary key on id, or the unique (id, sponsor) the certificates'
	// references need, whichever SQLite checks first.
	if isConstraint(err, sqlite3.ErrConstraintPrimaryKey) || isConstraint(err, sqlite3.ErrConstraintUnique) {
		return fmt.Errorf("sqlite: user %s: %w", u.ID, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("sqlite: user %s: %w", u.ID, err)
	}
	return nil
}

// needSponsor returns ErrNotFound unless licence is a sponsor in the register.
func (t *tx) needSponsor(ctx context.Context, licence string) error {
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM sponsor WHERE licence = ?`, licence).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("sponsor %s: %w", licence, store.ErrNotFound)
	}
	return nil
}

// needUser returns ErrNotFound unless id is a user of sponsor licence.
func (t *tx) needUser(ctx context.Context, id, licence string) error {
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM sms_user WHERE id = ? AND sponsor = ?`, id, licence).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("user %s of sponsor %s: %w", id, licence, store.ErrNotFound)
	}
	return nil
}

// CertificateInsert implements store.Tx.
func (t *tx) CertificateInsert(ctx context.Context, c *rules.Certificate) error {
	if err := t.certificateInsert(ctx, c); err != nil {
		return fmt.Errorf("sqlite: certificate %s: %w", c.Number, err)
	}
	return nil
}

func (t *tx) certificateInsert(ctx context.Context, c *rules.Certificate) error {
	if err := t.needSponsor(ctx, c.Sponsor); err != nil {
		return err
	}
	for _, id := range []string{c.CreatedBy, c.Owner} {
		if id != "" {
			if err := t.needUser(ctx, id, c.Sponsor); err != nil {
				return err
			}
		}
	}
	_, err := t.exec(ctx, `INSERT INTO certificate (`+sqlrow.CertColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, values.CertificateArgs(c)...)
	if isConstraint(err, sqlite3.ErrConstraintPrimaryKey) {
		return store.ErrExists
	}
	if err != nil {
		return err
	}
	t.seqs.remember(c.Number, [3]int64{}) // a new certificate has no history yet
	for _, sc := range c.StatusHistory {
		if err := t.addStatus(ctx, c.Number, sc); err != nil {
			return err
		}
	}
	for _, fc := range c.FeeHistory {
		if err := t.addFees(ctx, c.Number, fc); err != nil {
			return err
		}
	}
	for _, a := range c.Activity {
		if err := t.addReport(ctx, c.Number, a); err != nil {
			return err
		}
	}
	return nil
}

// Apply implements store.Tx.
func (t *tx) Apply(ctx context.Context, changes ...rules.Change) error {
	for i := 0; i < len(changes); {
		if n := t.runLen(changes[i:]); n > 1 {
			done, err := t.applyRun(ctx, changes[i:i+n])
			if err != nil {
				return fmt.Errorf("sqlite: apply %T: %w", changes[i], err)
			}
			if done {
				i += n
				continue
			}
			// Not done as a run: change by change below, which also says
			// precisely what is wrong.
		}
		if err := t.apply(ctx, changes[i]); err != nil {
			return fmt.Errorf("sqlite: apply %T: %w", changes[i], err)
		}
		i++
	}
	return nil
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
	return c.t.addReport(c.ctx, ch.Cert, ch.Report)
}

// MarkReportWithdrawn implements rules.Applier.
func (c changer) MarkReportWithdrawn(ch rules.MarkReportWithdrawn) error {
	return c.t.markWithdrawn(c.ctx, ch)
}

// SetFees implements rules.Applier.
func (c changer) SetFees(ch rules.SetFees) error {
	if err := c.t.update(c.ctx, ch.Cert, `UPDATE certificate SET course_fees_first_year = ?, course_fees_paid = ?,
		boarding_fees_paid = ?, includes_accommodation = ?, accommodation_fees_paid = ? WHERE number = ?`,
		append(values.FeeArgs(ch.Change.After), ch.Cert)...); err != nil {
		return err
	}
	return c.t.addFees(c.ctx, ch.Cert, ch.Change)
}

// SetNote implements rules.Applier.
func (c changer) SetNote(ch rules.SetNote) error {
	return c.t.update(c.ctx, ch.Cert, `UPDATE certificate SET note = ? WHERE number = ?`, ch.Note, ch.Cert)
}

// SetStatus implements rules.Applier.
func (c changer) SetStatus(ch rules.SetStatus) error {
	if err := c.t.update(c.ctx, ch.Cert, `UPDATE certificate SET status = ? WHERE number = ?`,
		string(ch.Change.Status), ch.Cert); err != nil {
		return err
	}
	return c.t.addStatus(c.ctx, ch.Cert, ch.Change)
}

// SetOwner implements rules.Applier.
func (c changer) SetOwner(ch rules.SetOwner) error {
	var owner any
	if ch.Owner != "" {
		var licence string
		err := c.t.tx.QueryRowContext(c.ctx, `SELECT sponsor FROM certificate WHERE number = ?`, ch.Cert).Scan(&licence)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("certificate %s: %w", ch.Cert, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if err := c.t.needUser(c.ctx, ch.Owner, licence); err != nil {
			return fmt.Errorf("certificate %s: owner: %w", ch.Cert, err)
		}
		owner = ch.Owner
	}
	return c.t.update(c.ctx, ch.Cert, `UPDATE certificate SET owner = ? WHERE number = ?`, owner, ch.Cert)
}

// update runs an UPDATE of certificate number and returns ErrNotFound when it
// changed no row.
func (t *tx) update(ctx context.Context, number, query string, args ...any) error {
	res, err := t.exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("certificate %s: %w", number, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("certificate %s: %w", number, store.ErrNotFound)
	}
	return nil
}

// exec runs a statement of the transaction. ctx is checked first; the
// statement itself runs under a context that is never cancelled, because
// these statements take microseconds and the driver would otherwise start a
// goroutine per statement to watch for cancellation. A cancelled context
// still ends the transaction: database/sql rolls it back.
func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return t.tx.ExecContext(context.WithoutCancel(ctx), query, args...)
}

// notFound turns the foreign key violation of a history row whose
// certificate is absent into ErrNotFound (history tables reference
// certificate (number); foreign keys are always on, see Open).
func notFound(err error) error {
	if isConstraint(err, sqlite3.ErrConstraintForeignKey) {
		return store.ErrNotFound
	}
	return err
}

// inserted returns ErrNotFound when an INSERT ... SELECT ... FROM certificate
// inserted nothing because the certificate is absent.
func inserted(res sql.Result, number string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("certificate %s: %w", number, store.ErrNotFound)
	}
	return nil
}

func (t *tx) addStatus(ctx context.Context, number string, sc rules.StatusChange) error {
	if seq, ok := t.seqs.get(histStatus, number); ok {
		_, err := t.exec(ctx, `INSERT INTO status_change (number, seq, status, at, by, reason) VALUES (?, ?, ?, ?, ?, ?)`,
			number, seq+1, string(sc.Status), sqlrow.FormatTime(sc.At), sc.By, sc.Reason)
		if err != nil {
			return fmt.Errorf("certificate %s: status history: %w", number, notFound(err))
		}
		t.seqs.appended(histStatus, number, seq+1)
		return nil
	}
	res, err := t.exec(ctx, `INSERT INTO status_change (number, seq, status, at, by, reason)
		SELECT c.number, (SELECT coalesce(max(seq), 0) + 1 FROM status_change WHERE number = c.number), ?, ?, ?, ?
		FROM certificate c WHERE c.number = ?`,
		string(sc.Status), sqlrow.FormatTime(sc.At), sc.By, sc.Reason, number)
	if err != nil {
		return fmt.Errorf("certificate %s: status history: %w", number, err)
	}
	return inserted(res, number)
}

func (t *tx) addFees(ctx context.Context, number string, fc rules.FeeChange) error {
	if seq, ok := t.seqs.get(histFees, number); ok {
		b, a := fc.Before, fc.After
		_, err := t.exec(ctx, `INSERT INTO fee_change (number, seq, at, by, ref,
			before_course_fees_first_year, before_course_fees_paid, before_boarding_fees_paid, before_includes_accommodation, before_accommodation_fees_paid,
			after_course_fees_first_year, after_course_fees_paid, after_boarding_fees_paid, after_includes_accommodation, after_accommodation_fees_paid)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			number, seq+1, sqlrow.FormatTime(fc.At), fc.By, fc.Ref,
			sqlrow.MoneyArg(b.CourseFeesFirstYear), sqlrow.MoneyArg(b.CourseFeesPaid), sqlrow.MoneyArg(b.BoardingFeesPaid), values.BoolArg(b.IncludesAccommodation), sqlrow.MoneyArg(b.AccommodationFeesPaid),
			sqlrow.MoneyArg(a.CourseFeesFirstYear), sqlrow.MoneyArg(a.CourseFeesPaid), sqlrow.MoneyArg(a.BoardingFeesPaid), values.BoolArg(a.IncludesAccommodation), sqlrow.MoneyArg(a.AccommodationFeesPaid))
		if err != nil {
			return fmt.Errorf("certificate %s: fee history: %w", number, notFound(err))
		}
		t.seqs.appended(histFees, number, seq+1)
		return nil
	}
	args := []any{sqlrow.FormatTime(fc.At), fc.By, fc.Ref}
	args = append(args, values.FeeArgs(fc.Before)...)
	args = append(args, values.FeeArgs(fc.After)...)
	args = append(args, number)
	res, err := t.exec(ctx, `INSERT INTO fee_change (number, seq, at, by, ref,
		before_course_fees_first_year, before_course_fees_paid, before_boarding_fees_paid, before_includes_accommodation, before_accommodation_fees_paid,
		after_course_fees_first_year, after_course_fees_paid, after_boarding_fees_paid, after_includes_accommodation, after_accommodation_fees_paid)
		SELECT c.number, (SELECT coalesce(max(seq), 0) + 1 FROM fee_change WHERE number = c.number),
			?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		FROM certificate c WHERE c.number = ?`, args...)
	if err != nil {
		return fmt.Errorf("certificate %s: fee history: %w", number, err)
	}
	return inserted(res, number)
}

func (t *tx) addReport(ctx context.Context, number string, a rules.ActivityReport) error {
	var lines, town, postcode, phone, email any
	if ad := a.Address; ad != nil {
		b, err := json.Marshal(ad.Lines)
		if err != nil {
			return err
		}
		lines, town, postcode, phone, email = string(b), ad.Town, ad.Postcode, ad.Phone, ad.Email
	}
	if seq, ok := t.seqs.get(histActivity, number); ok {
		_, err := t.exec(ctx, `INSERT INTO activity_report (number, seq, ref, type, event_date, details,
			address_lines, address_town, address_postcode, address_phone, address_email,
			early_completion, previous_date, first_day_of_absence, new_employer,
			reported_at, reported_by, source, sponsor_reference, withdrawn_by, late)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			number, seq+1, a.Ref, string(a.Type), values.DateArg(a.EventDate), a.Details,
			lines, town, postcode, phone, email,
			values.DateArg(a.EarlyCompletion), values.DateArg(a.PreviousDate), values.DateArg(a.FirstDayOfAbsence), a.NewEmployer,
			sqlrow.FormatTime(a.ReportedAt), a.ReportedBy, a.Source, a.SponsorReference, sqlrow.NullString(a.WithdrawnBy), a.Late)
		if isConstraint(err, sqlite3.ErrConstraintUnique) {
			return fmt.Errorf("certificate %s: activity report %s: %w", number, a.Ref, store.ErrExists)
		}
		if err != nil {
			return fmt.Errorf("certificate %s: activity report %s: %w", number, a.Ref, notFound(err))
		}
		t.seqs.appended(histActivity, number, seq+1)
		return nil
	}
	res, err := t.exec(ctx, `INSERT INTO activity_report (number, seq, ref, type, event_date, details,
		address_lines, address_town, address_postcode, address_phone, address_email,
		early_completion, previous_date, first_day_of_absence, new_employer,
		reported_at, reported_by, source, sponsor_reference, withdrawn_by, late)
		SELECT c.number, (SELECT coalesce(max(seq), 0) + 1 FROM activity_report WHERE number = c.number),
			?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		FROM certificate c WHERE c.number = ?`,
		a.Ref, string(a.Type), values.DateArg(a.EventDate), a.Details,
		lines, town, postcode, phone, email,
		values.DateArg(a.EarlyCompletion), values.DateArg(a.PreviousDate), values.DateArg(a.FirstDayOfAbsence), a.NewEmployer,
		sqlrow.FormatTime(a.ReportedAt), a.ReportedBy, a.Source, a.SponsorReference, sqlrow.NullString(a.WithdrawnBy), a.Late,
		number)
	if isConstraint(err, sqlite3.ErrConstraintUnique) {
		return fmt.Errorf("certificate %s: activity report %s: %w", number, a.Ref, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("certificate %s: activity report %s: %w", number, a.Ref, err)
	}
	return inserted(res, number)
}

func (t *tx) markWithdrawn(ctx context.Context, m rules.MarkReportWithdrawn) error {
	if m.WithdrawnBy == "" {
		return fmt.Errorf("certificate %s: activity report %s: no withdrawing report given", m.Cert, m.Ref)
	}
	res, err := t.exec(ctx, `UPDATE activity_report SET withdrawn_by = ?
		WHERE number = ? AND ref = ? AND withdrawn_by IS NULL`, m.WithdrawnBy, m.Cert, m.Ref)
	if err != nil {
		return fmt.Errorf("certificate %s: activity report %s: %w", m.Cert, m.Ref, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var by sql.NullString
	err = t.tx.QueryRowContext(ctx, `SELECT withdrawn_by FROM activity_report WHERE number = ? AND ref = ?`, m.Cert, m.Ref).Scan(&by)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("certificate %s: activity report %s: %w", m.Cert, m.Ref, store.ErrNotFound)
	case err != nil:
		return err
	}
	return fmt.Errorf("certificate %s: activity report %s: already withdrawn by %s: %w", m.Cert, m.Ref, by.String, store.ErrConflict)
}
