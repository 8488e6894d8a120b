package rules_test

import (
	"fmt"
	"testing"

	"bdt/rules"
)

func TestFileVisible(t *testing.T) {
	l1 := rules.User{ID: "U1", Level: rules.Level1}
	l2 := rules.User{ID: "U2", Level: rules.Level2}
	odd := rules.User{ID: "U3", Level: 3}
	for _, c := range []struct {
		u                     rules.User
		submitter, headerUser string
		want                  bool
	}{
		{l1, "", "", true},
		{l1, "OTHER", "OTHER", true},
		{l1, "", "OTHER", true},
		{l2, "U2", "U2", true},
		{l2, "U2", "OTHER", true},  // uploaded by U2, whatever its header says
		{l2, "OTHER", "U2", false}, // uploaded by a colleague naming U2
		{l2, "", "U2", true},       // another channel, header names U2
		{l2, "", "OTHER", false},
		{l2, "", "", false},
		{l2, "u2", "", false}, // ids are case sensitive
		{odd, "U3", "", true},
		{odd, "", "OTHER", false},
	} {
		if got := rules.FileVisible(c.u, c.submitter, c.headerUser); got != c.want {
			t.Errorf("FileVisible(level %d %s, submitter %q, header %q) = %v, want %v", c.u.Level, c.u.ID, c.submitter, c.headerUser, got, c.want)
		}
	}
	if rules.FileScope(l1) != "" || rules.FileScope(l2) != "U2" || rules.FileScope(odd) != "U3" {
		t.Errorf("FileScope: %q %q %q", rules.FileScope(l1), rules.FileScope(l2), rules.FileScope(odd))
	}
}

func ExampleFileVisible() {
	u := rules.User{ID: "JSMITH", Level: rules.Level2}
	fmt.Println(rules.FileVisible(u, "JSMITH", ""))
	fmt.Println(rules.FileVisible(u, "ADOE", "JSMITH"))
	fmt.Println(rules.FileVisible(u, "", "JSMITH"))
	// Output:
	// true
	// false
	// true
}
