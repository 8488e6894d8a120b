package rules

// CheckListing decides whether actor a may list certificates of kind k in
// bulk: search them by the person's details ("Report activity by CAS
// search", seed 002) or export them (Manual 6's "exporting CAS"). It is
// CheckActor with the routes k needs (the Student route for a CAS, a Worker
// or Temporary Worker route for a CoS), then F.LICENCE.SUSPENDED in its
// wider reading (seed 003, "Access to SMS"): a suspended or dormant licence
// cannot view or export single or batches of CAS/CoS. A revoked or expired
// licence has no access at all (F.LICENCE.ACCESS, from CheckActor). An
// empty result means a may list; ListingOwner then says whose certificates.
func CheckListing(a Actor, k CertKind) []Finding {
	routes := []Route{RouteStudent}
	if k == CoS {
		routes = []Route{RouteWorker, RouteTemporaryWorker}
	}
	if fs := CheckActor(a, routes...); len(fs) > 0 {
		return fs
	}
	if s := a.Sponsor; s.Status == LicenceSuspended || s.Status == LicenceDormant {
		return []Finding{NewFinding(FLicenceSuspended, "",
			"Licence %s is %s: a suspended or dormant licence cannot view or export CAS or CoS.",
			Show(s.Licence), statusWord(s.Status))}
	}
	return nil
}

// ListingOwner returns the owner a listing by actor a (one CheckListing
// lets list) is limited to: "" (every certificate of the sponsor) for a
// Level 1 user, and the user's own id for a Level 2 user, as R.CERT.OWNER
// limits a Level 2 user to the certificates they created and assigned or
// that were transferred to them.
func ListingOwner(a Actor) string {
	if a.User.Level == Level1 {
		return ""
	}
	return a.User.ID
}
