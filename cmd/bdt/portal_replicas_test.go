package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/storage/s3/s3test"
	"bdt/bdt/store"
	"bdt/bdt/store/postgres/pgtest"
)

// TestPortalReplicas (issue 13): two bdt serve processes with the portal
// on, on one PostgreSQL register and one S3 bucket (versitygw) for inbox,
// outbox and archive, and no schedule to speak of (farSchedule): every run
// comes from an upload's nudge. A session made on one replica is good on
// the other, and once ended there, on neither; each sponsor's API token
// works on both. The replica test's 50 files (10 sponsors, 5 files of 40
// records) are uploaded at once, 8 at a time, each sponsor's spread over
// both replicas, and each is followed on the replica it was not sent to:
// every file reaches ACCEPTED once, the register holds each of its
// changes once, the outbox one set of reports each (verifyReplicas).
func TestPortalReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two bdt serve processes")
	}
	dsn := pgtest.DSN(t)
	srv := s3test.Start(t)
	bin := sharedBinary(t)
	st := replicaStore(t, dsn)
	b := s3Boxes(t, srv)
	replicas := []*portalProc{
		startPortalProc(t, bin, dsn, b, nil, "--workers", "2"),
		startPortalProc(t, bin, dsn, b, nil, "--workers", "2"),
	}

	t.Run("session", func(t *testing.T) { sessionAcrossReplicas(t, bin, dsn, replicas[0], replicas[1]) })

	// Each sponsor's system, with one token, on each replica.
	clients := make([][]*apiClient, replicaSponsors)
	licences := map[string]int{}
	for s := range replicaSponsors {
		token := createToken(t, bin, dsn, replicaUser(s))
		for _, r := range replicas {
			clients[s] = append(clients[s], newAPIClient(t, r.portal, token))
		}
		licences[replicaLicence(s)] = s
	}
	type upload struct {
		sponsor, replica int
		name, body       string
		loc              string
		id               int64
		err              error
	}
	var uploads []*upload
	files := replicaInbox()
	names := make([]string, 0, len(files))
	for key := range files {
		names = append(names, key)
	}
	sort.Strings(names)
	for i, key := range names {
		licence, name, _ := strings.Cut(key, "/")
		uploads = append(uploads, &upload{sponsor: licences[licence], replica: i % 2, name: name, body: files[key]})
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, 8)
	for _, u := range uploads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			var f apiFile
			u.loc, f, u.err = clients[u.sponsor][u.replica].upload(context.Background(), u.name, strings.NewReader(u.body))
			u.id = f.ID
		}()
	}
	wg.Wait()

	entries, err := st.FileList(context.Background(), store.FileListParams{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]*ledger.File{}
	for _, e := range entries {
		byID[e.ID] = e
	}
	var keys []string
	for _, u := range uploads {
		if u.err != nil {
			t.Fatalf("upload of %s to replica %d: %v\n%s", u.name, u.replica, u.err, replicas[u.replica].log())
		}
		f := clients[u.sponsor][1-u.replica].waitFinal(t, u.loc, 5*time.Minute)
		again, err := clients[u.sponsor][u.replica].file(context.Background(), u.loc)
		if err != nil || again.Status != f.Status || f.Status != "ACCEPTED" {
			t.Errorf("%s (%s): %s on the other replica, %s %v on its own; want ACCEPTED on both", u.name, u.loc, f.Status, again.Status, err)
		}
		if e := byID[u.id]; e != nil {
			keys = append(keys, e.Key)
		}
	}
	if len(keys) != len(uploads) {
		t.Fatalf("%d of %d uploads found in the ledger by their ids", len(keys), len(uploads))
	}
	// A file's status is final once its register changes and reports are
	// committed; the run archives it after that: wait for the last moves.
	eventually(t, "every upload archived", func() bool {
		entries, err := st.FileList(context.Background(), store.FileListParams{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.Archived {
				return false
			}
		}
		return true
	})
	verifyReplicas(t, st, b, keys, false)
	// No schedule, no POST /runs: every run came from an upload's nudge.
	runs := 0
	for i, r := range replicas {
		for _, l := range runFinished(r.log()) {
			runs++
			if l["trigger"] != "upload" {
				t.Errorf("replica %d: a run of trigger %v, want upload", i, l["trigger"])
			}
		}
	}
	if runs == 0 {
		t.Error("no run finished on either replica")
	}
	t.Logf("%d uploads, spread over 2 replicas, processed by %d runs", len(uploads), runs)
}

// csrfInput is a form's CSRF token as the pages write it.
var csrfInput = regexp.MustCompile(`<input type="hidden" name="csrf" value="([^"]+)">`)

// sessionAcrossReplicas signs a user in on a (a form POST to /sign-in,
// with the password an operator set), changes the password on b as the
// first sign-in must (the session's CSRF token taken from b's form), opens
// home on both, signs out on b, and finds the session refused on a.
func sessionAcrossReplicas(t *testing.T, bin, dsn string, a, b *portalProc) {
	user := replicaUser(0)
	const first, second = "Replica#Pass2026", "Replica#Pass2027"
	if code, _, stderr := runBinaryInput(t, bin, first+"\n", "users", "set-password", user, "--db", dsn); code != exitOK {
		t.Fatalf("users set-password: exit %d: %s", code, stderr)
	}
	hc := &http.Client{
		Transport:     &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	var cookie *http.Cookie
	// send sends a request to base with the session cookie (if any) and
	// returns the status, the redirect and the body.
	send := func(base, method, path string, form url.Values) (int, string, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, base+path, body)
		if err != nil {
			t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		page, _ := io.ReadAll(resp.Body)
		for _, c := range resp.Cookies() {
			if c.Name == "bdt-session" && c.Value != "" {
				cookie = c
			}
		}
		return resp.StatusCode, resp.Header.Get("Location"), string(page)
	}
	if code, loc, _ := send(b.portal, "GET", "/", nil); code != http.StatusSeeOther || loc != "/sign-in" {
		t.Fatalf("home on b without a session: %d to %q, want 303 to /sign-in", code, loc)
	}
	if code, loc, _ := send(a.portal, "POST", "/sign-in", url.Values{"user": {user}, "password": {first}}); code != http.StatusSeeOther || loc != "/password" || cookie == nil {
		t.Fatalf("sign-in on a: %d to %q, cookie %v; want 303 to /password with a session", code, loc, cookie)
	}
	code, _, page := send(b.portal, "GET", "/password", nil)
	m := csrfInput.FindStringSubmatch(page)
	if code != http.StatusOK || m == nil {
		t.Fatalf("the password page on b with a's session: %d, CSRF token %v", code, m)
	}
	code, _, page = send(b.portal, "POST", "/password", url.Values{"csrf": {m[1]}, "current": {first}, "new": {second}, "confirm": {second}})
	if code != http.StatusOK || !strings.Contains(page, "Your password has been changed") {
		t.Fatalf("password change on b with a's session: %d\n%s", code, page)
	}
	for name, r := range map[string]*portalProc{"a": a, "b": b} {
		if code, loc, _ := send(r.portal, "GET", "/", nil); code != http.StatusOK {
			t.Errorf("home on %s with the session: %d to %q, want 200", name, code, loc)
		}
	}
	_, _, page = send(b.portal, "GET", "/", nil)
	if m = csrfInput.FindStringSubmatch(page); m == nil {
		t.Fatalf("no sign-out form on home:\n%s", page)
	}
	if code, loc, _ := send(b.portal, "POST", "/sign-out", url.Values{"csrf": {m[1]}}); code != http.StatusSeeOther || loc != "/signed-out" {
		t.Fatalf("sign-out on b: %d to %q", code, loc)
	}
	if code, loc, _ := send(a.portal, "GET", "/", nil); code != http.StatusSeeOther || loc != "/sign-in" {
		t.Errorf("home on a after signing out on b: %d to %q, want 303 to /sign-in", code, loc)
	}
	t.Logf("%s signed in on a, changed the password and signed out on b", user)
}
