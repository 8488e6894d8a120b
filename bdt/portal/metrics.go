package portal

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the portal's counters in /metrics (the admin endpoint's).
type metrics struct {
	signIns     *prometheus.CounterVec // by outcome
	uploads     *prometheus.CounterVec // by channel (portal, api) and result
	tokenUse    *prometheus.CounterVec // by result (ok, refused)
	csrfRefused prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bdt_portal_sign_ins_total",
			Help: "Sign-in attempts by outcome: rules.SignInOutcome (OK, MUST_CHANGE_PASSWORD, WRONG_PASSWORD, LOCKED, …) or RATE_LIMITED.",
		}, []string{"outcome"}),
		uploads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bdt_portal_uploads_total",
			Help: "Uploads by channel (portal, api) and result (received, too_large, failed).",
		}, []string{"channel", "result"}),
		tokenUse: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bdt_portal_api_requests_total",
			Help: "API requests by token result: ok, refused.",
		}, []string{"result"}),
		csrfRefused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bdt_portal_forms_refused_total",
			Help: "Form posts refused for a missing or wrong CSRF token, or from another site.",
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.signIns, m.uploads, m.tokenUse, m.csrfRefused} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
