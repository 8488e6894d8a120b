package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"bdt/bdt/action"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
	"bdt/rules"
	"bdt/rules/calendar"
)

// The one-at-a-time actions of the cas and cos verbs share what this file
// holds: their flags, how they act and print, and the report, note, withdraw
// and show commands both verbs have.
//
// Every action is made by an SMS user (--user); the sponsor is that user's
// own sponsor, and --sponsor, when given, only checks that the user belongs
// to that licence (F.USER otherwise, in the same words whether or not the
// licence exists). An accepted action prints one line with its confirmation
// reference, then any warnings, and exits 0; a rejected one prints each
// finding as "RULE-ID (severity) field: message", changes nothing and exits
// 1 (an amount typed wrong is R.FEE.AMOUNT, so exit 1 too). Usage errors (an
// unknown flag, a date not YYYY-MM-DD, a bad --now, an unknown --type, a
// missing required flag or argument) exit 2 before anything is read.

// actorFlags are the flags of every action: the register, who acts and when.
type actorFlags struct {
	db, user, sponsor, now string
}

func (f *actorFlags) add(cmd *cobra.Command) {
	fs := cmd.Flags()
	dbFlag(fs, &f.db, "the register `DSN` (sqlite:PATH)"+mustExist)
	fs.StringVar(&f.user, "user", "", "the acting SMS user `ID` (required); the sponsor is the user's own")
	fs.StringVar(&f.sponsor, "sponsor", "", "the `LICENCE` the user must belong to (optional check)")
	fs.StringVar(&f.now, "now", "", "the processing `TIME`, RFC 3339 (default: the clock)")
}

// who returns the actor the flags name; its errors are usage errors.
func (f *actorFlags) who() (action.Who, error) {
	if strings.TrimSpace(f.user) == "" {
		return action.Who{}, exitWith(exitUsage, "--user is required: the SMS user who acts")
	}
	now := time.Now()
	if f.now != "" {
		t, err := time.Parse(time.RFC3339Nano, f.now)
		if err != nil {
			return action.Who{}, exitWith(exitUsage, "--now %q is not an RFC 3339 time such as 2026-11-16T10:00:00Z", f.now)
		}
		now = t
	}
	if y := now.Year(); y < 1970 || y > 2200 {
		return action.Who{}, exitWith(exitUsage, "--now %s is out of range (years 1970 to 2200)", now.Format(time.RFC3339))
	}
	return action.Who{User: f.user, Sponsor: f.sponsor, Now: now}, nil
}

// open returns the actor the flags name and opens the register, which must
// exist; its errors are usage errors. The caller closes the store.
func (f *actorFlags) open(ctx context.Context) (action.Who, store.Store, error) {
	w, err := f.who()
	if err != nil {
		return w, nil, err
	}
	st, err := open.Existing(ctx, f.db)
	if errors.Is(err, open.ErrNoRegister) {
		return w, nil, noRegister(f.db, err)
	}
	if err != nil {
		return w, nil, exitWith(exitUsage, "%v", err)
	}
	return w, st, nil
}

// perform does op as the flags' actor and prints the outcome.
func perform(cmd *cobra.Command, af *actorFlags, op rules.Op) error {
	ctx := cmd.Context()
	w, st, err := af.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := action.Do(ctx, st, w, op)
	if err != nil {
		return exitWith(exitFailed, "%v; nothing was changed", err)
	}
	out := cmd.OutOrStdout()
	if !d.Accepted() {
		if err := action.WriteFindings(out, d.Findings); err != nil {
			return exitWith(exitFailed, "%v", err)
		}
		return exitWith(exitFailed, "rejected; nothing was changed")
	}
	if _, err := fmt.Fprintln(out, action.Confirmation(op, d)); err != nil {
		return exitWith(exitFailed, "%v", err)
	}
	if err := action.WriteFindings(out, d.Findings); err != nil {
		return exitWith(exitFailed, "%v", err)
	}
	return nil
}

// oneCert returns the one certificate number of an action's arguments.
func oneCert(kind rules.CertKind, args []string) (string, error) {
	if len(args) != 1 {
		return "", exitWith(exitUsage, "give exactly one %s number, not %d arguments", kindNoun(kind), len(args))
	}
	return strings.TrimSpace(args[0]), nil
}

func kindNoun(k rules.CertKind) string {
	if k == rules.CoS {
		return "CoS"
	}
	return "CAS"
}

// activityTypes lists the activity types of a CAS and of a CoS (RULES.md).
var activityTypes = map[rules.CertKind][]rules.ActivityType{
	rules.CAS: {rules.StudentDidNotEnrol, rules.StudentDiscontinued, rules.StudentAbsent, rules.StudentSuspended,
		rules.StudentEarlyCompletion, rules.StudentSponsorshipWithdrawn, rules.StudentPreviousWithdrawn, rules.StudentOtherChange},
	rules.CoS: {rules.WorkerDidNotStart, rules.WorkerStopped, rules.WorkerAbsent, rules.WorkerChange,
		rules.WorkerSponsorshipWithdrawn, rules.WorkerPreviousWithdrawn},
}

// activityType parses --type for a certificate of kind k, ignoring case.
func activityType(k rules.CertKind, s string) (rules.ActivityType, error) {
	names := make([]string, len(activityTypes[k]))
	for i, t := range activityTypes[k] {
		if strings.EqualFold(strings.TrimSpace(s), string(t)) {
			return t, nil
		}
		names[i] = string(t)
	}
	if s == "" {
		return "", exitWith(exitUsage, "--type is required: one of %s", strings.Join(names, ", "))
	}
	return "", exitWith(exitUsage, "--type %q is not a %s activity type; want one of %s", s, kindNoun(k), strings.Join(names, ", "))
}

// dateValue is a flag holding a date written YYYY-MM-DD; "" is no date.
type dateValue struct{ d *rules.Date }

func (v dateValue) String() string {
	if v.d == nil {
		return ""
	}
	return v.d.String()
}

func (v dateValue) Set(s string) error {
	if s == "" {
		*v.d = rules.Date{}
		return nil
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return fmt.Errorf("%q is not a date YYYY-MM-DD", s)
	}
	*v.d = d
	return nil
}

func (v dateValue) Type() string { return "date" }

func dateFlag(fs *pflag.FlagSet, p *rules.Date, name, usage string) {
	fs.Var(dateValue{p}, name, usage)
}

// addressFlags are the address flags of an activity report.
type addressFlags struct {
	lines                        []string
	town, postcode, phone, email string
}

func (a *addressFlags) add(fs *pflag.FlagSet) {
	fs.StringArrayVar(&a.lines, "address-line", nil, "a `LINE` of the person's last residential address (repeat for up to 4 lines)")
	fs.StringVar(&a.town, "town", "", "the `TOWN` of the address")
	fs.StringVar(&a.postcode, "postcode", "", "the `POSTCODE` of the address")
	fs.StringVar(&a.phone, "phone", "", "the person's `PHONE` number")
	fs.StringVar(&a.email, "email", "", "the person's `EMAIL` address")
}

// address returns the address the flags give, or nil when none of them is given.
func (a *addressFlags) address(fs *pflag.FlagSet) *rules.Address {
	for _, n := range []string{"address-line", "town", "postcode", "phone", "email"} {
		if fs.Changed(n) {
			return &rules.Address{Lines: append([]string(nil), a.lines...), Town: a.town, Postcode: a.postcode, Phone: a.phone, Email: a.email}
		}
	}
	return nil
}

// newReportCommand returns "report" for a CAS (student activity) or a CoS
// (worker activity).
func newReportCommand(kind rules.CertKind) *cobra.Command {
	var (
		af                                       actorFlags
		typ, details, familyName, newEmployer    string
		sponsorRef                               string
		date, dob, early, previous, firstAbsence rules.Date
		addr                                     addressFlags
	)
	noun := kindNoun(kind)
	names := make([]string, len(activityTypes[kind]))
	for i, t := range activityTypes[kind] {
		names[i] = string(t)
	}
	cmd := &cobra.Command{
		Use: "report " + noun + " --type TYPE --date YYYY-MM-DD --user ID",
		Short: map[rules.CertKind]string{rules.CAS: "Report student activity on a USED CAS (a no-show is STUDENT_DID_NOT_ENROL)",
			rules.CoS: "Report worker activity on a USED CoS"}[kind],
		Long: "Report an event on one " + noun + " (R.ACTIVITY.* rules). Activity types:\n  " + strings.Join(names, "\n  ") + `

A report of withdrawal of sponsorship gives the person's last residential
address; withdrawing a previous notification gives --previous-date and the
reason in --details. A report later than 10 working days after the event is
applied with an R.ACTIVITY.LATE warning.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := oneCert(kind, args)
			if err != nil {
				return err
			}
			t, err := activityType(kind, typ)
			if err != nil {
				return err
			}
			if date.IsZero() {
				return exitWith(exitUsage, "--date is required: the date of the event, YYYY-MM-DD")
			}
			return perform(cmd, &af, rules.ReportActivity{
				Cert: n, Type: t, EventDate: date, Details: details, FamilyName: familyName, DateOfBirth: dob,
				Address: addr.address(cmd.Flags()), EarlyCompletion: early, PreviousDate: previous,
				FirstDayOfAbsence: firstAbsence, NewEmployer: newEmployer, SponsorReference: sponsorRef,
			})
		},
	}
	af.add(cmd)
	fs := cmd.Flags()
	fs.StringVar(&typ, "type", "", "the activity `TYPE` (required), one of those listed above")
	dateFlag(fs, &date, "date", "the `DATE` of the event, YYYY-MM-DD (required)")
	fs.StringVar(&details, "details", "", "`TEXT` giving details of the event (the reason, for a withdrawn notification)")
	fs.StringVar(&familyName, "family-name", "", "the person's family `NAME`, checked against the "+noun+" (R.IDENTITY)")
	dateFlag(fs, &dob, "dob", "the person's date of birth, a `DATE` YYYY-MM-DD, checked against the "+noun+" (R.IDENTITY)")
	fs.StringVar(&sponsorRef, "sponsor-reference", "", "the sponsor's own `REFERENCE` for the report")
	addr.add(fs)
	dateFlag(fs, &previous, "previous-date", "the event `DATE` of the earlier report that a previous-notification-withdrawn report withdraws")
	if kind == rules.CAS {
		dateFlag(fs, &early, "early-completion", "the earlier completion `DATE` of an early completion")
	} else {
		dateFlag(fs, &firstAbsence, "first-day-of-absence", "the first `DATE` of an absence without permission")
		fs.StringVar(&newEmployer, "new-employer", "", "the worker's new employer `NAME`, when known")
	}
	return cmd
}

// newNoteCommand returns "note" for a CAS or a CoS.
func newNoteCommand(kind rules.CertKind) *cobra.Command {
	var (
		af         actorFlags
		text       string
		appendMode bool
	)
	noun := kindNoun(kind)
	when := map[rules.CertKind]string{rules.CAS: "ASSIGNED or EXPIRED", rules.CoS: "ASSIGNED"}[kind]
	cmd := &cobra.Command{
		Use:   "note " + noun + " --text TEXT --user ID [--append]",
		Short: "Add a sponsor note to an " + when + " " + noun,
		Long: "Add a sponsor note to one " + noun + " whose status is " + when + ` (R.NOTE.STATUS).
The note replaces the previous text, or with --append goes on a new line after it.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := oneCert(kind, args)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("text") {
				return exitWith(exitUsage, "--text is required: the text of the note")
			}
			mode := rules.NoteReplace
			if appendMode {
				mode = rules.NoteAppend
			}
			return perform(cmd, &af, rules.AddNote{Cert: n, Kind: kind, Text: text, Mode: mode})
		},
	}
	af.add(cmd)
	cmd.Flags().StringVar(&text, "text", "", "the `TEXT` of the note (required)")
	cmd.Flags().BoolVar(&appendMode, "append", false, "append the text after the previous note instead of replacing it")
	return cmd
}

// newWithdrawCommand returns "withdraw" for a CAS or a CoS: the "Manage
// live CAS" and "Manage live CoS" withdrawal (R.CAS.WITHDRAW, R.COS.WITHDRAW).
func newWithdrawCommand(kind rules.CertKind) *cobra.Command {
	var (
		af     actorFlags
		reason string
	)
	noun := kindNoun(kind)
	rule, person := rules.RCasWithdraw, "student"
	if kind == rules.CoS {
		rule, person = rules.RCosWithdraw, "worker"
	}
	cmd := &cobra.Command{
		Use:   "withdraw " + noun + " --user ID [--reason TEXT]",
		Short: "Withdraw a live (ASSIGNED) " + noun,
		Long: "Withdraw one live (ASSIGNED) " + noun + " (" + string(rule) + `): its status becomes WITHDRAWN,
with who, when and the reason in its status history. It is not returned to
the allocation. A Level 2 user withdraws only their own. A ` + noun + ` in any
other status cannot be withdrawn; one already used in an application stays
USED: report the ` + person + `'s activity instead.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := oneCert(kind, args)
			if err != nil {
				return err
			}
			var op rules.Op = rules.WithdrawCAS{Cert: n, Reason: reason}
			if kind == rules.CoS {
				op = rules.WithdrawCoS{Cert: n, Reason: reason}
			}
			return perform(cmd, &af, op)
		},
	}
	af.add(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "`TEXT` saying why the "+noun+" is withdrawn (kept in the status history)")
	return cmd
}

// newShowCommand returns "show" for a CAS or a CoS.
func newShowCommand(kind rules.CertKind) *cobra.Command {
	var (
		af     actorFlags
		format string
	)
	noun := kindNoun(kind)
	cmd := &cobra.Command{
		Use:   "show " + noun + " --user ID [--format text|json]",
		Short: "Show a " + noun + ": status, person, " + map[rules.CertKind]string{rules.CAS: "course, fees", rules.CoS: "job"}[kind] + ", note and histories",
		Long: "Show one " + noun + ` as the acting user may see it: its status and status history,
the person, the ` + map[rules.CertKind]string{rules.CAS: "course, the fees and fee history", rules.CoS: "job"}[kind] + `, the sponsor note, and the
activity history. A ` + noun + ` of another sponsor, or one a Level 2 user may not act
on, is reported exactly like one that does not exist. A suspended or dormant
licence cannot view a ` + noun + ` (F.LICENCE.SUSPENDED); a revoked or expired one has
no access at all (F.LICENCE.ACCESS).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := oneCert(kind, args)
			if err != nil {
				return err
			}
			if err := textOrJSON(format); err != nil {
				return err
			}
			ctx := cmd.Context()
			w, st, err := af.open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			c, fs, err := action.Show(ctx, st, w, kind, n)
			if err != nil {
				return exitWith(exitFailed, "%v", err)
			}
			out := cmd.OutOrStdout()
			if c == nil {
				return refused(out, fs, "")
			}
			v := action.NewView(c)
			if format == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				err = enc.Encode(v)
			} else {
				err = v.WriteText(out)
			}
			if err != nil {
				return exitWith(exitFailed, "%v", err)
			}
			return nil
		},
	}
	af.add(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output `FORMAT`: text (readable) or json")
	return cmd
}
