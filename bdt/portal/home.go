package portal

import (
	"net/http"
	"strings"

	"bdt/rules"
)

// homeData is the home page's own: which parts of the menu seed 003 lets
// the user see ("Each menu will only be visible if applicable to your
// licence").
type homeData struct {
	// Students: the Students part, only for a Student-route licence.
	Students bool
	// Workers: the Workers part, only for a Worker or Temporary Worker
	// route.
	Workers bool
	// Licence: the licence summary, for Level 1 users of every licence
	// but a dormant one, never for Level 2 users.
	Licence bool
	Status  string   // the licence's status in words
	Routes  []string // its routes in words
}

// homePage is GET /: who is signed in, and the menu.
func (s *Server) homePage(w http.ResponseWriter, r *http.Request) {
	sp, u := principalOf(r).Sponsor, principalOf(r).User
	d := homeData{
		Students: sp.HasRoute(rules.RouteStudent),
		Workers:  sp.HasRoute(rules.RouteWorker) || sp.HasRoute(rules.RouteTemporaryWorker),
		Licence:  u.Level == rules.Level1 && sp.Status != rules.LicenceDormant,
		Status:   words(sp.Status),
	}
	for _, rt := range sp.Routes {
		d.Routes = append(d.Routes, words(rt))
	}
	s.render(w, r, http.StatusOK, "home", view{Title: "Bulk data transfer", Data: d})
}

// words is a status or a route code in words: "TEMPORARY_WORKER" is
// "Temporary worker".
func words[T ~string](code T) string {
	s := strings.ToLower(strings.ReplaceAll(string(code), "_", " "))
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
