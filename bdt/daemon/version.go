package daemon

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"bdt/bdt/buildinfo"
)

// versionHeader is the header every response of the admin endpoint carries:
// the version of the bdt that answered.
const versionHeader = "BDT-Version"

// withVersion sets versionHeader on every response of h.
func withVersion(h http.Handler) http.Handler {
	v := buildinfo.Read().Version
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(versionHeader, v)
		h.ServeHTTP(w, r)
	})
}

// buildInfoGauge is bdt_build_info: 1, labelled with which bdt is running.
func buildInfoGauge() prometheus.Collector {
	i := buildinfo.Read()
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "bdt_build_info",
		Help: "Always 1; the labels say which bdt is running: version, VCS revision, Go and libxml2 versions."},
		[]string{"version", "revision", "goversion", "libxml2"})
	g.WithLabelValues(i.Version, i.Revision, i.GoVersion, i.Libxml2).Set(1)
	return g
}
