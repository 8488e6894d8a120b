package rules

import (
	"fmt"
	"strings"
)

// FileRoutes returns the routes a file of kind k needs: the sponsor's licence
// must cover at least one of them (F.ROUTE). It returns nil for an unknown kind.
func FileRoutes(k FileKind) []Route {
	switch k {
	case KindNoShow, KindFeeUpdate, KindStudentActivity:
		return []Route{RouteStudent}
	case KindWorkerActivity:
		return []Route{RouteWorker, RouteTemporaryWorker}
	}
	return nil
}

// SizeFinding returns the F.SIZE finding of a file over the size limit of
// limit bytes: size is the file's size in bytes, or negative when it is not
// known (the reading stopped at the limit).
func SizeFinding(size, limit int64) Finding {
	is := "is"
	if size >= 0 {
		is = fmt.Sprintf("is %d bytes,", size)
	}
	return NewFinding(FSize, "", "The file %s over the limit of %d bytes; it was not read. Split it into smaller files.", is, limit)
}

// CheckFile applies the file rules that depend on the register to a file
// that parsed: h is its header, sponsor the licence h names (nil when the
// register has none) and user the SMS user h names (nil when there is none).
// An empty result means the file may be applied.
//
// The checks run in this order, and the first four stop at the first
// failure so that nothing is said to someone who may not hear it:
//
//  1. F.KIND: the kind is one CheckFile knows (the pipeline has normally
//     refused an unknown kind already);
//  2. F.CHANNEL: a file that arrived in a sponsor's inbox names that licence.
//     It comes before F.SPONSOR so that the answer never tells whether some
//     other licence number exists;
//  3. F.SPONSOR: the licence is in the register;
//  4. F.USER: a file uploaded through the portal or the API (h.Submitter
//     set) names the user who uploaded it, and the user is an Active Level 1
//     or Level 2 user of the licence. A user of another sponsor is reported
//     exactly like a missing one; nothing about the licence is said to a
//     submitter who is not its user;
//  5. F.LICENCE.ACCESS: the licence is not revoked or expired (and has a
//     status this package knows: an unknown status is refused);
//  6. F.ROUTE and F.LICENCE.SUSPENDED, both reported when both fail.
//
// The pipeline itself decides F.SIZE, F.WELLFORMED, F.KIND (from the root
// element and namespace), F.SCHEMA, F.COUNT and F.DUPLICATE and builds their
// findings with NewFinding (F.SIZE's with SizeFinding).
func CheckFile(h FileHeader, sponsor *Sponsor, user *User) []Finding {
	routes := FileRoutes(h.Kind)
	if routes == nil {
		return []Finding{NewFinding(FKind, "",
			"The file is not of a kind this processor knows (%s).", Show(string(h.Kind)))}
	}
	if h.FolderLicence != "" && h.FolderLicence != h.Licence {
		return []Finding{NewFinding(FChannel, "SponsorLicenceNumber",
			"The file names sponsor licence %s but was uploaded to the inbox of licence %s. A file may only name the licence of the inbox it is uploaded to.",
			Show(h.Licence), Show(h.FolderLicence))}
	}
	if sponsor == nil || sponsor.Licence != h.Licence {
		return []Finding{NewFinding(FSponsor, "SponsorLicenceNumber",
			"Sponsor licence %s is not in the register.", Show(h.Licence))}
	}
	if h.Submitter != "" && h.Submitter != h.UserID {
		return []Finding{NewFinding(FUser, "SMSUserId",
			"The file names SMS user %s, but it was uploaded by %s. A file uploaded through the portal or the API must name the user who uploads it.",
			Show(h.UserID), Show(h.Submitter))}
	}
	if user != nil && user.ID != h.UserID {
		user = nil
	}
	if f, ok := checkUser(sponsor, user, h.UserID, "submit files"); !ok {
		f.Field = "SMSUserId"
		return []Finding{f}
	}
	if f, ok := checkAccess(sponsor); !ok {
		return []Finding{f}
	}
	var out []Finding
	if f, ok := checkRoute(sponsor, routes, kindNoun(h.Kind)); !ok {
		out = append(out, f)
	}
	if h.Kind == KindFeeUpdate && (sponsor.Status == LicenceSuspended || sponsor.Status == LicenceDormant) {
		out = append(out, NewFinding(FLicenceSuspended, "",
			"Licence %s is %s: a suspended or dormant licence cannot provide bulk fee updates. No-show and activity files are still processed.",
			Show(sponsor.Licence), statusWord(sponsor.Status)))
	}
	return out
}

// CheckActor applies the same checks as CheckFile to who performs a
// one-at-a-time action: F.SPONSOR (a.Sponsor is nil), F.USER, F.LICENCE.ACCESS
// and, when routes are given, F.ROUTE (the licence must cover at least one of
// them). It stops at the first of these that fails. An empty result means the
// actor may act.
//
// F.LICENCE.SUSPENDED is not applied: it speaks of bulk fee updates only, and
// seed 003 lists "providing bulk fee updates" among what a suspended or
// dormant licence cannot do, not individual fee updates; reporting duties
// continue while suspended. So a suspended licence may still update the fees
// of one CAS at a time. EvaluateAction calls CheckActor with the routes the
// operation needs.
func CheckActor(a Actor, routes ...Route) []Finding {
	if a.Sponsor == nil {
		return []Finding{NewFinding(FSponsor, "", "The sponsor licence is not in the register.")}
	}
	id := ""
	if a.User != nil {
		id = a.User.ID
	}
	if f, ok := checkUser(a.Sponsor, a.User, id, "act"); !ok {
		return []Finding{f}
	}
	if f, ok := checkAccess(a.Sponsor); !ok {
		return []Finding{f}
	}
	if len(routes) > 0 {
		if f, ok := checkRoute(a.Sponsor, routes, "this action"); !ok {
			return []Finding{f}
		}
	}
	return nil
}

// checkUser is F.USER: u (named id) is an Active Level 1 or Level 2 user of
// s. A missing user and another sponsor's user get the same message.
func checkUser(s *Sponsor, u *User, id, doing string) (Finding, bool) {
	who := "The user"
	if id != "" {
		who = "User " + Show(id)
	}
	switch {
	case u == nil || u.Sponsor != s.Licence:
		return NewFinding(FUser, "", "%s is not a user of licence %s.", who, Show(s.Licence)), false
	case u.Status != UserActive:
		return NewFinding(FUser, "", "%s cannot %s: the account is %s, and only Active users can.",
			who, doing, userStatusWord(u.Status)), false
	case u.Level != Level1 && u.Level != Level2:
		return NewFinding(FUser, "", "%s cannot %s: only Level 1 and Level 2 users can.", who, doing), false
	}
	return Finding{}, true
}

// checkAccess is F.LICENCE.ACCESS. A status this package does not know is
// refused too: access is granted only to the statuses seed 003 says have it.
func checkAccess(s *Sponsor) (Finding, bool) {
	switch s.Status {
	case LicenceARated, LicenceBRated, LicenceSuspended, LicenceDormant:
		return Finding{}, true
	case LicenceRevoked, LicenceExpired:
		return NewFinding(FLicenceAccess, "",
			"Licence %s is %s: a revoked or expired licence has no access, so nothing is applied.",
			Show(s.Licence), statusWord(s.Status)), false
	}
	return NewFinding(FLicenceAccess, "",
		"Licence %s has no status that gives access to the register, so nothing is applied.", Show(s.Licence)), false
}

// checkRoute is F.ROUTE: s covers at least one of routes.
func checkRoute(s *Sponsor, routes []Route, what string) (Finding, bool) {
	for _, r := range routes {
		if s.HasRoute(r) {
			return Finding{}, true
		}
	}
	names := make([]string, len(routes))
	for i, r := range routes {
		names[i] = routeName(r)
	}
	return NewFinding(FRoute, "", "Licence %s is not licensed for the %s route, which %s needs.",
		Show(s.Licence), strings.Join(names, " or "), what), false
}

func kindNoun(k FileKind) string {
	switch k {
	case KindNoShow:
		return "a no-show file"
	case KindFeeUpdate:
		return "a fee update file"
	case KindStudentActivity:
		return "a student activity file"
	case KindWorkerActivity:
		return "a worker activity file"
	}
	return "this file"
}

func routeName(r Route) string {
	switch r {
	case RouteStudent:
		return "Student"
	case RouteWorker:
		return "Worker"
	case RouteTemporaryWorker:
		return "Temporary Worker"
	}
	return Show(string(r))
}

// statusWord turns a code such as DEACTIVATED_BY_SPONSOR into words.
func statusWord[T ~string](s T) string {
	return strings.ToLower(strings.ReplaceAll(string(s), "_", " "))
}

// userStatusWord names a user status in words; a status this package does
// not know is "not active".
func userStatusWord(s UserStatus) string {
	switch s {
	case UserRequested:
		return "requested but not yet approved"
	case UserRefused:
		return "refused"
	case UserDeactivatedBySponsor:
		return "deactivated by the sponsor"
	case UserDeactivatedByUKVI:
		return "deactivated by UKVI"
	}
	return "not active"
}
