package rules

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// inFile evaluates ops as records 1, 2, ... of one file through a Batch, each
// from its own source, and returns the decision on the last record.
func inFile(st State, ops ...Op) func() Decision {
	return func() Decision { ds := runFile(actor(), st, ops...); return ds[len(ds)-1] }
}

func runFile(a Actor, st State, ops ...Op) []Decision {
	b := NewBatch()
	out := make([]Decision, len(ops))
	for i, op := range ops {
		a.Source = fmt.Sprintf("file:%s/F1#%d", licA, i+1)
		out[i] = b.Evaluate(a, op, st, i+1)
	}
	return out
}

func batchCases() []ruleCase {
	noShow := activity(casUsed, StudentDidNotEnrol)
	wrongName := activity(casUsed, StudentDidNotEnrol, func(o *ReportActivity) { o.FamilyName = "Okafor" })
	withPrev := state(cert(casUsed, withReports(report(StudentDiscontinued, "2026-03-02", "BDT-EARLIER00001"))))
	return []ruleCase{
		fires(RRecordDuplicate, "on the second no-show of one CAS, naming the first record", inFile(state(), noShow, activity(casBob, StudentDidNotEnrol), noShow)).
			then(func(t *testing.T, d Decision) {
				only(t, d)
				if msg := d.Findings[0].Message; !strings.Contains(msg, "record 1 ") || !strings.Contains(msg, casUsed) {
					t.Errorf("message does not name the CAS and record 1: %s", msg)
				}
			}),
		fires(RRecordDuplicate, "after a first record rejected for another rule", inFile(state(), wrongName, noShow)),
		fires(RRecordDuplicate, "on a no-show and a did-not-enrol activity of one CAS", inFile(state(), noShow, activity(casUsed, StudentDidNotEnrol, func(o *ReportActivity) { o.Details = "Activity file" }))),
		fires(RRecordDuplicate, "on the second fee update of one CAS", inFile(state(), fees(casAssigned), fees(casAssigned))),
		fires(RRecordDuplicate, "on a CoS named by two transfers", inFile(withTarget(state(), user(bob)),
			TransferCoS{Certs: []string{cosAssigned}, ToUser: bob}, TransferCoS{Certs: []string{cosUsed, cosAssigned}, ToUser: bob})),
		passes(RRecordDuplicate, "on one record per CAS", inFile(state(), noShow, activity(casBob, StudentDidNotEnrol))),
		passes(RRecordDuplicate, "on a fee update and a note on one CAS", inFile(state(), fees(casAssigned), AddNote{Cert: casAssigned, Text: "x", Mode: NoteAppend})),
		passes(RRecordDuplicate, "on a withdrawal of an earlier report and a new report on one CAS", inFile(withPrev,
			activity(casUsed, StudentPreviousWithdrawn), activity(casUsed, StudentDiscontinued))),
	}
}

// TestBatch runs the R.RECORD.DUPLICATE tables.
func TestBatch(t *testing.T) { runCases(t, batchCases()) }

// TestBatchFirstStands checks a whole file: the first record of a CAS is
// applied, its repeat is rejected, the records around them go on.
func TestBatchFirstStands(t *testing.T) {
	ds := runFile(actor(), state(),
		activity(casUsed, StudentDidNotEnrol),
		activity(casUsed, StudentDidNotEnrol),
		activity(casAssigned, StudentDidNotEnrol),
		activity(casBob, StudentDidNotEnrol),
	)
	want := []RuleID{"", RRecordDuplicate, RActivityUsed, ""}
	for i, d := range ds {
		checkInvariants(t, d)
		var got RuleID
		if len(d.Findings) > 0 {
			got = d.Findings[0].Rule
		}
		if got != want[i] || d.Accepted() != (want[i] == "") {
			t.Errorf("record %d: findings %+v, want %q", i+1, d.Findings, want[i])
		}
	}
	if ds[0].Ref == ds[3].Ref {
		t.Error("two records got the same confirmation reference")
	}
}

// TestSuspendedLicence follows a suspended licence through the file rules
// and the engine: no bulk fee updates, but no-shows and activity go on, and
// so does a fee update of one CAS at a time.
func TestSuspendedLicence(t *testing.T) {
	s := sponsor(withStatus(LicenceSuspended))
	a := actor(ofSponsor(s))
	if fs := CheckFile(header(KindFeeUpdate), s, user(alice)); len(fs) != 1 || fs[0].Rule != FLicenceSuspended {
		t.Errorf("fee update file: %+v, want F.LICENCE.SUSPENDED", fs)
	}
	for _, k := range []FileKind{KindNoShow, KindStudentActivity, KindWorkerActivity} {
		if fs := CheckFile(header(k), s, user(alice)); len(fs) != 0 {
			t.Errorf("%s file: %+v, want none", k, fs)
		}
	}
	if d := runFile(a, state(), activity(casUsed, StudentDidNotEnrol))[0]; !d.Accepted() {
		t.Errorf("no-show record: %+v", d.Findings)
	}
	if d := EvaluateAction(a, fees(casAssigned), state()); !d.Accepted() {
		t.Errorf("one-at-a-time fee update: %+v", d.Findings)
	}
}

// TestBatchDuplicateForetells checks that Duplicate says, before each
// record, exactly whether Evaluate then refuses it under R.RECORD.DUPLICATE
// alone, and that asking changes no decision.
func TestBatchDuplicateForetells(t *testing.T) {
	odd := "CAS-NOT-PACKED" // not 14 letters and digits: kept apart from the packed keys
	ops := []Op{
		fees(casAssigned), fees(casUsed), fees(casAssigned), fees(odd), fees(odd),
		activity(casUsed, StudentDidNotEnrol), activity(casUsed, StudentAbsent), activity(casUsed, StudentDidNotEnrol),
		AddNote{Cert: casAssigned, Text: "x", Mode: NoteAppend}, AddNote{Cert: casAssigned, Text: "y", Mode: NoteAppend},
		TransferCoS{Certs: []string{cosAssigned}, ToUser: bob}, TransferCoS{Certs: []string{cosUsed, cosAssigned}, ToUser: bob},
		&WithdrawCoS{Cert: cosUsed}, WithdrawCoS{Cert: cosUsed}, fees(casUsed),
	}
	for name, newBatch := range map[string]func() *Batch{"in memory": NewBatch, "a SeenSet": func() *Batch { return NewBatchWith(mapSet{}) }} {
		t.Run(name, func(t *testing.T) { foretells(t, ops, newBatch) })
	}
}

// mapSet is a SeenSet in a map.
type mapSet map[[2]string]int

func (m mapSet) Seen(op, cert string, index int) (int, bool) {
	if i, ok := m[[2]string{op, cert}]; ok {
		return i, true
	}
	m[[2]string{op, cert}] = index
	return index, false
}

func (m mapSet) Lookup(op, cert string) (int, bool) {
	i, ok := m[[2]string{op, cert}]
	return i, ok
}

func foretells(t *testing.T, ops []Op, newBatch func() *Batch) {
	st := withTarget(state(), user(bob))
	asked, plain := newBatch(), NewBatch()
	a := actor()
	dups := 0
	for i, op := range ops {
		idx := i + 1
		a.Source = fmt.Sprintf("file:%s/F1#%d", licA, idx)
		dup := asked.Duplicate(op, idx)
		if again := asked.Duplicate(op, idx); again != dup {
			t.Fatalf("record %d: Duplicate changed its answer", idx)
		}
		d := asked.Evaluate(a, op, st, idx)
		onlyDup := len(d.Findings) > 0 && !d.Accepted()
		for _, f := range d.Findings {
			onlyDup = onlyDup && f.Rule == RRecordDuplicate
		}
		if dup != onlyDup {
			t.Errorf("record %d (%T): Duplicate = %v, but Evaluate gave %+v", idx, op, dup, d.Findings)
		}
		if dup {
			dups++
		}
		if p := plain.Evaluate(a, op, st, idx); !reflect.DeepEqual(p, d) {
			t.Errorf("record %d: asking Duplicate changed the decision:\n%+v\n%+v", idx, d, p)
		}
	}
	if dups != 7 {
		t.Errorf("%d duplicates foretold, want 7", dups)
	}
}

// TestForCerts checks that forCerts yields what CertNumbers returns for
// every kind of operation, in order, and stops when told.
func TestForCerts(t *testing.T) {
	for _, op := range []Op{
		ReportActivity{Cert: "C1"}, UpdateFees{Cert: "C2"}, AddNote{Cert: "C3"},
		WithdrawCoS{Cert: "C4"}, WithdrawCAS{Cert: "C5"}, TransferCoS{Certs: []string{"C6", "C7", "C8"}},
	} {
		var got []string
		forCerts(op, func(n string) bool { got = append(got, n); return true })
		if want := op.CertNumbers(); !reflect.DeepEqual(got, want) {
			t.Errorf("%T: forCerts gave %q, CertNumbers %q", op, got, want)
		}
		got = nil
		forCerts(op, func(n string) bool { got = append(got, n); return false })
		if len(got) != 1 || got[0] != op.CertNumbers()[0] {
			t.Errorf("%T: forCerts told to stop gave %q", op, got)
		}
	}
}
