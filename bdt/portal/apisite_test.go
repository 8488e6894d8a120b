package portal_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"bdt/bdt/action/actiontest"
	"bdt/bdt/auth"
	"bdt/bdt/ledger"
	"bdt/bdt/portal"
	"bdt/bdt/runner"
	"bdt/bdt/storage"
	"bdt/bdt/store"
	"bdt/bdt/store/postgres"
	"bdt/bdt/store/postgres/pgtest"
)

// apiNow is the processing time of the runs of the API tests: the sample
// files' own (samples/01-accepted/scenario.json).
var apiNow = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

// quickArgon is the argon2id cost of these tests: the rules are the same
// at any cost.
var quickArgon = auth.Argon2{Time: 1, Memory: 256, Threads: 1}

// apiSite is the portal on a real listener over a real SQLite register
// (samples/register.xml) and an inbox and outbox of the given kind, with a
// runner the test runs by hand (run) where bdt serve's daemon would on
// Nudge; Nudges counts the nudges.
type apiSite struct {
	t       *testing.T
	URL     string
	Store   store.Store
	Exec    func(statement string) // runs SQL on the register under the server
	Inbox   storage.Storage
	Outbox  storage.Storage
	Archive storage.Storage
	Auth    *auth.Service
	LogFile string // the server's log
	Reg     *prometheus.Registry
	MaxSize int64

	mu     sync.Mutex
	nudges int
}

// registerOf is a new register of one driver (sqlite or postgres) and a
// way to run SQL on it.
type registerOf func(t *testing.T) (store.Store, func(statement string))

// inSQLite is the sample register in a new SQLite file.
func inSQLite(t *testing.T) (store.Store, func(string)) {
	dsn, st := actiontest.NewRegister(t)
	return st, func(statement string) { execSQL(t, "sqlite3", "file:"+strings.TrimPrefix(dsn, "sqlite:"), statement) }
}

// inPostgres is the sample register in a new schema of the test
// PostgreSQL (skipped without one, failed so in CI).
func inPostgres(t *testing.T) (store.Store, func(string)) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if err := actiontest.Sample(t).Import(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return st, func(statement string) { execSQL(t, "pgx", dsn, statement) }
}

// drivers runs test on a register of each driver.
func drivers(t *testing.T, test func(t *testing.T, reg registerOf)) {
	t.Run("sqlite", func(t *testing.T) { test(t, inSQLite) })
	t.Run("postgres", func(t *testing.T) { test(t, inPostgres) })
}

// newAPISite starts a site on a SQLite register whose storage is
// newStorage's (a new, empty location per call), with uploads limited to
// maxSize bytes.
func newAPISite(t *testing.T, newStorage func(t *testing.T) storage.Storage, maxSize int64) *apiSite {
	return newAPISiteOn(t, inSQLite, newStorage, maxSize)
}

// newAPISiteOn is newAPISite on a register of reg's driver.
func newAPISiteOn(t *testing.T, reg registerOf, newStorage func(t *testing.T) storage.Storage, maxSize int64) *apiSite {
	t.Helper()
	s := &apiSite{t: t, LogFile: filepath.Join(t.TempDir(), "portal.log"), Reg: prometheus.NewRegistry(), MaxSize: maxSize}
	logf, err := os.Create(s.LogFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	s.Store, s.Exec = reg(t)
	s.Inbox, s.Outbox, s.Archive = newStorage(t), newStorage(t), newStorage(t)
	s.Auth = auth.New(auth.Params{Store: s.Store, Argon2: quickArgon})
	srv, err := portal.New(portal.Config{
		Auth: s.Auth, Store: s.Store, Inbox: s.Inbox, Outbox: s.Outbox, MaxSize: maxSize,
		Nudge: func(string) { s.mu.Lock(); s.nudges++; s.mu.Unlock() },
		Log:   zerolog.New(logf), Metrics: s.Reg,
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// folder is a new local folder storage.
func folder(t *testing.T) storage.Storage {
	s, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// log is what the server has logged so far.
func (s *apiSite) log() string {
	b, err := os.ReadFile(s.LogFile)
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

// nudged is how many runs the server asked for.
func (s *apiSite) nudged() int { s.mu.Lock(); defer s.mu.Unlock(); return s.nudges }

// token creates an API token for user.
func (s *apiSite) token(user string) string {
	s.t.Helper()
	tok, _, err := s.Auth.CreateToken(context.Background(), user, "test")
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

// do sends a request with token (none when "") and returns the answer
// with its body read.
func (s *apiSite) do(method, path, token string, body io.Reader) (*http.Response, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp, b
}

// get is do for a GET that must answer want; it returns the body.
func (s *apiSite) get(path, token string, want int) []byte {
	s.t.Helper()
	resp, b := s.do(http.MethodGet, path, token, nil)
	if resp.StatusCode != want {
		s.t.Fatalf("GET %s: %d, want %d: %s", path, resp.StatusCode, want, b)
	}
	return b
}

// upload posts body as user's token's file named name and returns the
// new file's id, failing unless it is 202 with a Location.
func (s *apiSite) upload(token, name, body string) int64 {
	s.t.Helper()
	resp, b := s.do(http.MethodPost, "/api/v1/files?name="+name, token, strings.NewReader(body))
	if resp.StatusCode != http.StatusAccepted {
		s.t.Fatalf("upload: %d: %s", resp.StatusCode, b)
	}
	var got struct {
		ID     int64             `json:"id"`
		Status string            `json:"status"`
		Links  map[string]string `json:"links"`
	}
	decode(s.t, b, &got)
	if got.ID <= 0 || got.Status != string(ledger.Received) || resp.Header.Get("Location") != got.Links["self"] || got.Links["self"] != fileURL(got.ID) {
		s.t.Fatalf("upload answered %s, Location %q", b, resp.Header.Get("Location"))
	}
	return got.ID
}

// run processes the inbox once, as bdt serve's daemon does when nudged.
func (s *apiSite) run() {
	s.t.Helper()
	sum, err := runner.New(runner.Config{
		Store: s.Store, Inbox: s.Inbox, Outbox: s.Outbox, Archive: s.Archive,
		Now: func() time.Time { return apiNow }, Limits: runner.Limits{MaxSize: s.MaxSize},
	}).Run(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	for _, f := range sum.Files {
		if f.Err != nil {
			s.t.Fatalf("run: %s: %v", f.Key, f.Err)
		}
	}
}

// uploads is the uploads counter of channel and result.
func (s *apiSite) uploads(channel, result string) float64 {
	return counter(s.t, s.Reg, "bdt_portal_uploads_total", channel, result)
}

// counter reads the counter name{labels} of reg.
func counter(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			for i, l := range m.GetLabel() {
				if i >= len(labels) || l.GetValue() != labels[i] {
					continue metric
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

func fileURL(id int64) string { return "/api/v1/files/" + strconv.FormatInt(id, 10) }
