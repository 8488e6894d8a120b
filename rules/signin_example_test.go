package rules_test

import (
	"fmt"
	"time"

	"bdt/rules"
)

// A password that contains its user's id and has no special character: both
// unmet requirements are told.
func ExampleCheckPassword() {
	for _, r := range rules.CheckPassword("Jsmith01Rocks", "jsmith01") {
		fmt.Println("The password must", r)
	}
	// Output:
	// The password must include at least one of the special characters @#$!%^&*+=_
	// The password must not contain your user ID
}

// Three wrong attempts lock the account for 30 minutes; the fourth is not
// even checked.
func ExampleLockout_Attempt() {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var l rules.Lockout
	for i := 1; i <= 4; i++ {
		next, checked := l.Attempt(at)
		fmt.Printf("attempt %d: checked %v, locked %v\n", i, checked, next.Locked(at))
		l = next
	}
	fmt.Println("locked 30 minutes on:", l.Locked(at.Add(30*time.Minute)))
	// Output:
	// attempt 1: checked true, locked false
	// attempt 2: checked true, locked false
	// attempt 3: checked true, locked true
	// attempt 4: checked false, locked true
	// locked 30 minutes on: false
}
