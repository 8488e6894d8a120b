package action_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"bdt/bdt/action"
	"bdt/bdt/action/actiontest"
	"bdt/rules"
)

func TestLine(t *testing.T) {
	for _, tc := range []struct {
		f    rules.Finding
		want string
	}{
		{rules.Finding{Rule: rules.RFeeAmount, Severity: rules.Error, Field: "CourseFeesPaidToDate", Message: "Bad."},
			"R.FEE.AMOUNT (error) CourseFeesPaidToDate: Bad."},
		{rules.Finding{Rule: rules.FUser, Severity: rules.Error, Message: "No user."}, "F.USER (error): No user."},
		{rules.Finding{Rule: rules.RActivityLate, Severity: rules.Warning, Field: "EventDate", Message: "Two\nlines\x1b[2J"},
			`R.ACTIVITY.LATE (warning) EventDate: Two lines\x1b[2J`},
	} {
		if got := action.Line(tc.f); got != tc.want {
			t.Errorf("Line(%+v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

func TestViewText(t *testing.T) {
	_, st := actiontest.NewRegister(t)
	ctx := context.Background()
	// A note with a terminal escape and a right-to-left override.
	evil := "Paid.\x1b[31m red\u202e"
	if d, err := action.Do(ctx, st, who("jsmith01"), rules.AddNote{Cert: casNoted, Kind: rules.CAS, Text: evil, Mode: rules.NoteAppend}); err != nil || !d.Accepted() {
		t.Fatalf("%v, %v", d.Findings, err)
	}
	for _, tc := range []struct {
		n    string
		kind rules.CertKind
		want []string
	}{
		{casNoted, rules.CAS, []string{"CAS CAS26000000107", "Status:", "ASSIGNED", "Ivanova", "MSc Global Health",
			"| Awaiting confirmation of scholarship funding.", `| Paid.\x1b[31m red\u202e`, "Fee history\n  (none)", "Activity history\n  (none)"}},
		{casReported, rules.CAS, []string{"BDT-ZFDIGWN4LO6Q", "STUDENT_SPONSORSHIP_WITHDRAWN", "event date 2026-10-05",
			"Withdrawn by:", "BDT-UQYS5ETCSUOP", "2026-10-06T16:45:00Z by intl.office03", "Room 214, Glen Eyre Hall", "£24600.00", "£12300.00"}},
		{cosNoted, rules.CoS, []string{"CoS COS26000000008", "Job", "Software Engineer (Embedded Systems)", "£47500.00", "Belfast"}},
	} {
		c, fs, err := action.Show(ctx, st, who(map[rules.CertKind]string{rules.CAS: "jsmith01", rules.CoS: "squinn"}[tc.kind]), tc.kind, tc.n)
		if err != nil || c == nil {
			t.Fatalf("%s: %v, %v", tc.n, fs, err)
		}
		var b bytes.Buffer
		if err := action.NewView(c).WriteText(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", tc.n, w, out)
			}
		}
		if strings.ContainsAny(out, "\x1b\u202e\r\t") {
			t.Errorf("%s: raw control characters in the output:\n%q", tc.n, out)
		}
		if tc.kind == rules.CoS && strings.Contains(out, "Fee") {
			t.Errorf("%s: a CoS shows fees:\n%s", tc.n, out)
		}
	}
}

func TestViewJSON(t *testing.T) {
	_, st := actiontest.NewRegister(t)
	ctx := context.Background()
	d, err := action.Do(ctx, st, who("jsmith01"), rules.UpdateFees{Cert: casAssigned, RawAmounts: map[string]string{rules.FieldCourseFeesPaid: "5000"}})
	if err != nil || !d.Accepted() {
		t.Fatalf("%v, %v", d.Findings, err)
	}
	c, _, err := action.Show(ctx, st, who("jsmith01"), rules.CAS, casAssigned)
	if err != nil || c == nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(action.NewView(c))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Number string
		Kind   string
		Status string
		Fees   map[string]*string
		Hist   []struct {
			Ref    string             `json:"confirmation_reference"`
			By     string             `json:"by"`
			Before map[string]*string `json:"before"`
			After  map[string]*string `json:"after"`
		} `json:"fee_history"`
		StatusHistory []map[string]any `json:"status_history"`
		Activity      []any            `json:"activity_history"`
		Job           any              `json:"job"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	str := func(p *string) string {
		if p == nil {
			return "null"
		}
		return *p
	}
	if got.Number != casAssigned || got.Kind != "CAS" || got.Status != "ASSIGNED" || got.Job != nil {
		t.Errorf("header = %s %s %s, job %v", got.Number, got.Kind, got.Status, got.Job)
	}
	if str(got.Fees["course_fees_paid"]) != "5000.00" || str(got.Fees["course_fees_first_year"]) != "18500.00" || got.Fees["boarding_fees_paid"] != nil {
		t.Errorf("fees = %s", b)
	}
	if len(got.Hist) != 1 || got.Hist[0].Ref != d.Ref || got.Hist[0].By != "jsmith01" ||
		got.Hist[0].Before["course_fees_paid"] != nil || str(got.Hist[0].After["course_fees_paid"]) != "5000.00" {
		t.Errorf("fee history = %s", b)
	}
	if len(got.StatusHistory) != 3 || got.Activity == nil || len(got.Activity) != 0 {
		t.Errorf("histories = %s", b)
	}
}

// TestShowLicenceStatus shows one certificate of each licence status of the
// sample register as its Level 1 user: a licensed sponsor sees it; a
// suspended or dormant one is refused under F.LICENCE.SUSPENDED, a revoked or
// expired one under F.LICENCE.ACCESS, each in words naming the status.
func TestShowLicenceStatus(t *testing.T) {
	_, st := actiontest.NewRegister(t)
	for _, tc := range []struct {
		status, user string
		kind         rules.CertKind
		n            string
		want         rules.RuleID // "" when shown
	}{
		{"a-rated", "jsmith01", rules.CAS, casUsed2, ""},
		{"a-rated", "squinn", rules.CoS, cosNoted, ""},
		{"b-rated", "rpatel", rules.CAS, "CAS26000000701", ""},
		{"suspended", "kce.director", rules.CAS, casSuspended, rules.FLicenceSuspended},
		{"suspended", "kce.admissions", rules.CAS, casSuspended, rules.FLicenceSuspended},
		{"dormant", "gwen.hughes", rules.CoS, "COS26000000601", rules.FLicenceSuspended},
		{"revoked", "hla.owner", rules.CAS, casRevoked, rules.FLicenceAccess},
		{"expired", "cairn.admin", rules.CoS, "COS26000000801", rules.FLicenceAccess},
	} {
		c, fs, err := action.Show(context.Background(), st, who(tc.user), tc.kind, tc.n)
		if err != nil {
			t.Fatal(err)
		}
		if tc.want == "" {
			if c == nil || c.Number != tc.n || len(fs) != 0 {
				t.Errorf("%s %s: got %v, %v; want it shown", tc.status, tc.n, c, fs)
			}
			continue
		}
		if c != nil || len(fs) != 1 || fs[0].Rule != tc.want || !strings.Contains(fs[0].Message, tc.status) {
			t.Errorf("%s %s: got %v, %+v; want one %s finding naming the status", tc.status, tc.n, c, fs, tc.want)
		}
	}
}
