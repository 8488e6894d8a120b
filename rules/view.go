package rules

// CheckViewAccess decides whether actor a may view or export certificates
// of kind k (CAS, CoS, or "" for either), one at a time or in batches,
// before any certificate is read: CheckActor with the routes k needs (the
// Student route for a CAS, a Worker or Temporary Worker route for a CoS),
// then F.LICENCE.SUSPENDED: seed 003 ("Access to SMS") says a suspended or
// dormant licence cannot view or export single or batches of CAS/CoS. A
// revoked or expired licence has no access at all (F.LICENCE.ACCESS, from
// CheckActor). An empty result means a may view and export; whatever shows
// or exports a certificate (bdt cas show, bdt cos show, an export) asks it.
func CheckViewAccess(a Actor, k CertKind) []Finding {
	if fs := CheckActor(a, kindRoutes(k)...); len(fs) > 0 {
		return fs
	}
	if s := a.Sponsor; s.Status == LicenceSuspended || s.Status == LicenceDormant {
		return []Finding{NewFinding(FLicenceSuspended, "",
			"Licence %s is %s: a suspended or dormant licence cannot view or export CAS or CoS, one at a time or in batches. Reporting activity and the other sponsor duties are still possible.",
			Show(s.Licence), statusWord(s.Status))}
	}
	return nil
}

// CheckView decides whether actor a may see certificate number n, of kind k
// ("" for either), as a one-at-a-time "show" action: CheckViewAccess first,
// then R.CERT.FOUND and R.CERT.OWNER exactly as an operation on the
// certificate applies them, so that another sponsor's certificate, one of the
// other kind, and (for a Level 2 user) one the user does not own all read
// like a missing one. It returns the certificate from st when a may see it,
// and otherwise the findings and nil.
func CheckView(a Actor, k CertKind, n string, st State) (*Certificate, []Finding) {
	if fs := CheckViewAccess(a, k); len(fs) > 0 {
		return nil, fs
	}
	c, f := findCert(a, st, n, refFor(k))
	if f != nil {
		return nil, []Finding{*f}
	}
	return c, nil
}
