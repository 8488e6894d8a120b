package daemon

import (
	"mime"
	"net"
	"net/http"
	"strings"
)

// guard is what every request to the admin endpoint passes before its
// handler, against a page in a browser on this machine and a client off
// loopback (README, "Operations: bdt serve"):
//
//   - Host must be a loopback name or address, or the host of Config.Listen
//     (a page of another site whose name resolves to 127.0.0.1 — DNS
//     rebinding — is refused), unless Listen is on every interface, where
//     the token guards instead: 421;
//   - when a token is set, every path but /healthz needs it: 401;
//   - a POST without the token (none is set) must not come from another
//     site (Sec-Fetch-Site, or Origin against Host: 403) and must have no
//     body type or one a form cannot send (not text/plain, form-urlencoded
//     or multipart/form-data: 415). A browser sends the token only after a
//     preflight that this endpoint never approves, so a POST that carries
//     it is not a page's doing.
func (d *Daemon) guard(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !d.hostAllowed(r.Host) {
			http.Error(w, "misdirected request: Host is not this endpoint's", http.StatusMisdirectedRequest)
			return
		}
		if r.URL.Path == "/healthz" {
			next.ServeHTTP(w, r)
			return
		}
		if d.cfg.Token != "" {
			if !d.authorised(r) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="bdt"`)
				http.Error(w, "unauthorised", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if err := cop.Check(r); err != nil {
			http.Error(w, "forbidden: a cross-origin request", http.StatusForbidden)
			return
		}
		if formType(r.Header.Get("Content-Type")) {
			http.Error(w, "unsupported body type: send no body", http.StatusUnsupportedMediaType)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// formType reports whether a request of content type ct could be sent by a
// form or a simple fetch of a page on another site without a preflight.
func formType(ct string) bool {
	if strings.TrimSpace(ct) == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return true // unreadable: refused rather than guessed
	}
	switch mt {
	case "text/plain", "application/x-www-form-urlencoded", "multipart/form-data":
		return true
	}
	return false
}

// hostAllowed reports whether a request's Host names this endpoint: a
// loopback name or address, or Config.Listen's host. Any Host is allowed
// when Listen is on every interface (0.0.0.0, [::], or no host), which
// needs a token.
func (d *Daemon) hostAllowed(hostport string) bool {
	listenHost, _, _ := net.SplitHostPort(d.cfg.Listen)
	if ip := net.ParseIP(listenHost); d.cfg.Listen != "" && (listenHost == "" || ip != nil && ip.IsUnspecified()) {
		return true
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") || strings.EqualFold(host, listenHost) {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
