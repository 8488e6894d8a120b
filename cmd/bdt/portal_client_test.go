package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bdt/bdt/storage/s3/s3test"
)

// The tests and the benchmark that need the whole system (two replicas,
// the upload memory test, BenchmarkUploads) share what is here: where a
// bdt serve keeps its inbox, outbox and archive (boxes), starting it with
// the portal (startPortalProc), and a sponsor's system on the API (apiClient).

// boxes are the inbox, outbox and archive of a test's bdt serve: folders
// under dir, or the prefixes inbox/, outbox/ and archive/ of bucket on an
// S3 test server (srv).
type boxes struct {
	dir    string
	srv    *s3test.Server
	bucket string
}

// folderBoxes are three folders under dir.
func folderBoxes(dir string) boxes { return boxes{dir: dir} }

// s3Boxes are three prefixes of a new bucket of srv.
func s3Boxes(tb testing.TB, srv *s3test.Server) boxes {
	return boxes{srv: srv, bucket: srv.Bucket(tb)}
}

// String names where the boxes are, for a test's or a benchmark's name.
func (b boxes) String() string {
	if b.srv != nil {
		return "s3"
	}
	return "folder"
}

// args are bdt's flags for the boxes.
func (b boxes) args() []string {
	if b.srv != nil {
		loc := "s3://" + b.bucket + "/"
		return []string{"--inbox", loc + "inbox", "--outbox", loc + "outbox", "--archive", loc + "archive", "--s3-endpoint", b.srv.Endpoint}
	}
	return []string{"--inbox", filepath.Join(b.dir, "inbox"), "--outbox", filepath.Join(b.dir, "outbox"), "--archive", filepath.Join(b.dir, "archive")}
}

// env is the environment bdt needs to reach them.
func (b boxes) env() []string {
	if b.srv != nil {
		return s3test.Env()
	}
	return nil
}

// keys returns the keys in box ("inbox", "outbox" or "archive"), relative
// to it, in order. A folder's staging area (.bdt/, where a write is made
// before its rename, and where a killed process leaves its temporaries for
// the next start to remove) is not a key.
func (b boxes) keys(tb testing.TB, box string) []string {
	tb.Helper()
	var keys []string
	if b.srv != nil {
		for _, k := range b.srv.Keys(tb, b.bucket, box+"/") {
			keys = append(keys, strings.TrimPrefix(k, box+"/"))
		}
		return keys
	}
	root := filepath.Join(b.dir, box)
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, p)
		switch {
		case err != nil:
		case d.IsDir() && rel == ".bdt":
			return filepath.SkipDir
		case !d.IsDir():
			keys = append(keys, filepath.ToSlash(rel))
		}
		return nil
	})
	return keys
}

// read returns the object key of box.
func (b boxes) read(tb testing.TB, box, key string) []byte {
	tb.Helper()
	if b.srv != nil {
		return b.srv.Get(tb, b.bucket, box+"/"+key)
	}
	data, err := os.ReadFile(filepath.Join(b.dir, box, filepath.FromSlash(key)))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// farSchedule is the schedule of a bdt serve whose runs must come from
// uploads' nudges alone: midnight on 29 February.
const farSchedule = "0 0 29 2 *"

// portalProc is a bdt serve process with the portal on.
type portalProc struct {
	*served        // the admin endpoint, the log
	portal  string // http://127.0.0.1:PORT of the portal and the API
}

// startPortalProc starts bdt serve on db and b with the portal on, no
// schedule to speak of (farSchedule) and extra flags; it stops it (SIGTERM)
// when the test ends, and returns once it answers.
func startPortalProc(tb testing.TB, bin, db string, b boxes, env []string, extra ...string) *portalProc {
	tb.Helper()
	if b.dir != "" {
		// bdt serve needs the inbox to be there.
		if err := os.MkdirAll(filepath.Join(b.dir, "inbox"), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	admin, portal := freePort(tb), freePort(tb)
	args := append([]string{"serve", "--db", db, "--listen", admin, "--portal-listen", portal,
		"--schedule", farSchedule, "--now", "2026-11-23T02:00:00Z", "--log-format", "json"}, b.args()...)
	cmd := exec.Command(bin, append(args, extra...)...)
	cmd.Env = append(append(os.Environ(), b.env()...), env...)
	// The portal listens before the admin endpoint does (bdt serve
	// starts it first): once /healthz answers, both do.
	return &portalProc{served: startServed(tb, cmd, admin), portal: "http://" + portal}
}

// createToken makes an API token for user with bdt tokens create and
// returns it.
func createToken(tb testing.TB, bin, db, user string) string {
	tb.Helper()
	out, err := exec.Command(bin, "tokens", "create", "--db", db, "--user", user).Output()
	if err != nil {
		tb.Fatalf("tokens create --user %s: %v", user, err)
	}
	return strings.TrimSpace(string(out))
}

// apiClient is a sponsor's system on the API of a portal: one user's
// bearer token, connections of its own, closed when the test ends.
type apiClient struct {
	base  string
	token string
	hc    *http.Client
}

func newAPIClient(tb testing.TB, base, token string) *apiClient {
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	tb.Cleanup(tr.CloseIdleConnections)
	return &apiClient{base: base, token: token, hc: &http.Client{Transport: tr}}
}

// apiFile is what the API answers of one file.
type apiFile struct {
	ID     int64  `json:"id"` // the ledger's id`
	Status string `json:"status"`
}

// finalStatus reports whether status is a file's last: processed.
func finalStatus(status string) bool {
	switch status {
	case "ACCEPTED", "PARTIALLY_ACCEPTED", "REJECTED", "DUPLICATE":
		return true
	}
	return false
}

// do sends a request with the client's token and decodes a JSON answer of
// status want into v (nil: the body is dropped).
func (c *apiClient) do(ctx context.Context, method, path string, body io.Reader, want int, v any) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/xml")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return resp, fmt.Errorf("%s %s: %s %s, want %d", method, path, resp.Status, b, want)
	}
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			return resp, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	io.Copy(io.Discard, resp.Body)
	return resp, nil
}

// upload sends body as a file named name: POST /api/v1/files?name=NAME,
// which must answer 202 with the file's Location. It returns the Location
// (a path) and the file as the answer says.
func (c *apiClient) upload(ctx context.Context, name string, body io.Reader) (string, apiFile, error) {
	var f apiFile
	resp, err := c.do(ctx, http.MethodPost, "/api/v1/files?name="+url.QueryEscape(name), body, http.StatusAccepted, &f)
	if err != nil {
		return "", f, err
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, "/api/v1/files/") || f.Status == "" {
		return "", f, fmt.Errorf("upload of %s: Location %q, status %q", name, loc, f.Status)
	}
	return loc, f, nil
}

// file is GET of a file's Location.
func (c *apiClient) file(ctx context.Context, loc string) (apiFile, error) {
	var f apiFile
	_, err := c.do(ctx, http.MethodGet, loc, nil, http.StatusOK, &f)
	return f, err
}

// waitFinal polls the file at loc until its status is final and returns
// it; it fails the test past bound (a guard against hanging).
func (c *apiClient) waitFinal(tb testing.TB, loc string, bound time.Duration) apiFile {
	tb.Helper()
	var f apiFile
	eventuallyWithin(tb, bound, loc+" to be processed", func() bool {
		var err error
		if f, err = c.file(context.Background(), loc); err != nil {
			tb.Fatal(err)
		}
		return finalStatus(f.Status)
	})
	return f
}
