package postgres

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bdt/bdt/store/internal/sqlrow"
	"bdt/rules"
)

// statusHistory, feeHistory and activity read a history query's rows (the
// certificate's number first) into the certificates of certs that the
// rows name.
func statusHistory(rows pgx.Rows, certs map[string]*rules.Certificate) error {
	for rows.Next() {
		var number, at, status string
		var sc rules.StatusChange
		if err := rows.Scan(&number, &status, &at, &sc.By, &sc.Reason); err != nil {
			return fmt.Errorf("postgres: read status history: %w", err)
		}
		sc.Status = rules.CertStatus(status)
		var err error
		if sc.At, err = sqlrow.ParseTime(at); err != nil {
			return fmt.Errorf("postgres: read status history of %s: %w", number, err)
		}
		if c := certs[number]; c != nil {
			c.StatusHistory = append(c.StatusHistory, sc)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: read status history: %w", err)
	}
	return nil
}

func feeHistory(rows pgx.Rows, certs map[string]*rules.Certificate) error {
	for rows.Next() {
		var number, at string
		var fc rules.FeeChange
		var before, after sqlrow.Fees
		if err := rows.Scan(&number, &at, &fc.By, &fc.Ref,
			&before.FirstYear, &before.Paid, &before.Boarding, &before.Includes, &before.Accommodation,
			&after.FirstYear, &after.Paid, &after.Boarding, &after.Includes, &after.Accommodation); err != nil {
			return fmt.Errorf("postgres: read fee history: %w", err)
		}
		var err error
		if fc.At, err = sqlrow.ParseTime(at); err != nil {
			return fmt.Errorf("postgres: read fee history of %s: %w", number, err)
		}
		fc.Before, fc.After = before.Model(), after.Model()
		if c := certs[number]; c != nil {
			c.FeeHistory = append(c.FeeHistory, fc)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: read fee history: %w", err)
	}
	return nil
}

func activity(rows pgx.Rows, certs map[string]*rules.Certificate) error {
	for rows.Next() {
		var (
			number, reportedAt, typ              string
			a                                    rules.ActivityReport
			eventDate, early, previous, firstDay *time.Time
			lines                                []byte
			town, postcode, phone, email         *string
			withdrawnBy                          *string
		)
		if err := rows.Scan(&number, &a.Ref, &typ, &eventDate, &a.Details,
			&lines, &town, &postcode, &phone, &email,
			&early, &previous, &firstDay, &a.NewEmployer,
			&reportedAt, &a.ReportedBy, &a.Source, &a.SponsorReference, &withdrawnBy, &a.Late); err != nil {
			return fmt.Errorf("postgres: read activity: %w", err)
		}
		a.Type = rules.ActivityType(typ)
		a.EventDate, a.EarlyCompletion = dateOf(eventDate), dateOf(early)
		a.PreviousDate, a.FirstDayOfAbsence = dateOf(previous), dateOf(firstDay)
		a.WithdrawnBy = str(withdrawnBy)
		var err error
		a.ReportedAt, err = sqlrow.ParseTime(reportedAt)
		if err == nil && lines != nil {
			a.Address = &rules.Address{Town: str(town), Postcode: str(postcode), Phone: str(phone), Email: str(email)}
			err = json.Unmarshal(lines, &a.Address.Lines)
		}
		if err != nil {
			return fmt.Errorf("postgres: read activity report %s of %s: %w", a.Ref, number, err)
		}
		if c := certs[number]; c != nil {
			c.Activity = append(c.Activity, a)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: read activity: %w", err)
	}
	return nil
}
