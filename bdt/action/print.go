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
	what := "action applied"
	if o, ok := rules.Value(op); ok {
		what = o.Summary(d)
	}
	return fmt.Sprintf("Accepted: %s. Confirmation reference %s.", what, d.Ref)
}

// oneLine keeps text on one line: line breaks become spaces, and other
// control characters are written as Go escapes.
func oneLine(s string) string {
	return clean(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s))
}
