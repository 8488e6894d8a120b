package rules

// CheckView decides whether actor a may see certificate number n, of kind k
// ("" for either), as a one-at-a-time "show" action. Seeing a certificate is
// an action like any other: CheckActor first, with the routes k needs (the
// Student route for a CAS, a Worker or Temporary Worker route for a CoS),
// then R.CERT.FOUND and R.CERT.OWNER exactly as an operation on the
// certificate applies them, so that another sponsor's certificate, one of the
// other kind, and (for a Level 2 user) one the user does not own all read
// like a missing one. It returns the certificate from st when a may see it,
// and otherwise the findings and nil.
func CheckView(a Actor, k CertKind, n string, st State) (*Certificate, []Finding) {
	var routes []Route
	switch k {
	case CAS:
		routes = []Route{RouteStudent}
	case CoS:
		routes = []Route{RouteWorker, RouteTemporaryWorker}
	}
	if fs := CheckActor(a, routes...); len(fs) > 0 {
		return nil, fs
	}
	c, f := findCert(a, st, n, refFor(k))
	if f != nil {
		return nil, []Finding{*f}
	}
	return c, nil
}
