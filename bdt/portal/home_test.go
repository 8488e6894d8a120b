package portal_test

import (
	"strings"
	"testing"
)

// TestHomeMenus: seed 003's menus: the Students part only for a
// Student-route licence, the Workers part only for a Worker route, the
// licence summary only for Level 1 users.
func TestHomeMenus(t *testing.T) {
	site := newPageSite(t, nil)
	for _, c := range []struct {
		user                       string
		students, workers, licence bool
	}{
		{studentL1, true, false, true},
		{studentL2, true, false, false},
		{workerL1, false, true, true},
		{workerL2, false, true, false},
	} {
		b := site.browser()
		b.ready(c.user)
		a := b.get("/")
		if !strings.Contains(a.Body, "(user ID "+c.user+")") {
			t.Errorf("%s: home does not say who is signed in", c.user)
		}
		for part, want := range map[string]bool{`id="menu-students"`: c.students, `id="menu-workers"`: c.workers, "<h2>Licence summary</h2>": c.licence} {
			if got := strings.Contains(a.Body, part); got != want {
				t.Errorf("%s: %s shown %v, want %v", c.user, part, got, want)
			}
		}
		if n := strings.Count(a.Body, "<h1>"); n != 1 {
			t.Errorf("%s: %d h1 on home", c.user, n)
		}
	}
}
