package action

import (
	"fmt"
	"io"
	"strings"

	"bdt/rules"
)

// Line returns finding f as one line of text:
//
//	RULE-ID (severity) field: message
//
// or "RULE-ID (severity): message" when the finding is about no field.
func Line(f rules.Finding) string {
	field := ""
	if f.Field != "" {
		field = " " + f.Field
	}
	return fmt.Sprintf("%s (%s)%s: %s", f.Rule, f.Severity, field, oneLine(f.Message))
}

// WriteFindings writes every finding of fs to w, one Line each.
func WriteFindings(w io.Writer, fs []rules.Finding) error {
	for _, f := range fs {
		if _, err := fmt.Fprintln(w, Line(f)); err != nil {
			return err
		}
	}
	return nil
}

// Confirmation returns the one-line confirmation of an accepted decision d
// on op: what was done, and the confirmation reference. Warnings are not in
// it; write them with WriteFindings.
func Confirmation(op rules.Op, d rules.Decision) string {
	var what string
	switch o := value(op).(type) {
	case rules.ReportActivity:
		kind, _ := rules.ActivityKind(o.Type)
		what = fmt.Sprintf("%s reported on %s %s (event date %s)", o.Type, noun(kind), o.Cert, o.EventDate)
		for _, c := range d.Changes {
			if m, ok := c.(rules.MarkReportWithdrawn); ok {
				what += fmt.Sprintf("; earlier report %s marked withdrawn", m.Ref)
			}
		}
	case rules.UpdateFees:
		what = fmt.Sprintf("fees of CAS %s updated", o.Cert)
	case rules.AddNote:
		verb := "replaced"
		if o.Mode == rules.NoteAppend {
			verb = "appended to"
		}
		what = fmt.Sprintf("sponsor note of %s %s %s", noun(o.Kind), o.Cert, verb)
	case rules.WithdrawCoS:
		what = fmt.Sprintf("CoS %s withdrawn", o.Cert)
	case rules.TransferCoS:
		var certs []string
		for _, c := range d.Changes {
			if s, ok := c.(rules.SetOwner); ok {
				certs = append(certs, s.Cert)
			}
		}
		what = fmt.Sprintf("%d CoS transferred to user %s (%s)", len(certs), o.ToUser, strings.Join(certs, ", "))
	default:
		what = "action applied"
	}
	return fmt.Sprintf("Accepted: %s. Confirmation reference %s.", what, d.Ref)
}

// value turns a pointer to an operation into the operation.
func value(op rules.Op) rules.Op {
	switch o := op.(type) {
	case *rules.ReportActivity:
		if o != nil {
			return *o
		}
	case *rules.UpdateFees:
		if o != nil {
			return *o
		}
	case *rules.AddNote:
		if o != nil {
			return *o
		}
	case *rules.WithdrawCoS:
		if o != nil {
			return *o
		}
	case *rules.TransferCoS:
		if o != nil {
			return *o
		}
	}
	return op
}

// noun names a kind of certificate as SMS writes it.
func noun(k rules.CertKind) string {
	switch k {
	case rules.CAS:
		return "CAS"
	case rules.CoS:
		return "CoS"
	}
	return "certificate"
}

// oneLine keeps text on one line: line breaks become spaces, and other
// control characters are written as Go escapes.
func oneLine(s string) string {
	return clean(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s))
}
