package portal_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/storage"
	bdts3 "bdt/bdt/storage/s3"
	"bdt/bdt/storage/s3/s3test"
	"bdt/bdt/store"
)

// The users of samples/register.xml the API tests act as.
const (
	wessexL1  = "jsmith01"      // Level 1 of 4NUV7KB58 (Student route)
	wessexL2  = "intl.office02" // Level 2 of 4NUV7KB58, owns CAS26000000001
	wessexL2b = "intl.office03" // Level 2 of 4NUV7KB58
	strathL1  = "fmacleod"      // Level 1 of S7KQ2LMX4, another sponsor
	kceL1     = "kce.director"  // Level 1 of B3RT9XK21, a suspended licence
	wessex    = "4NUV7KB58"
)

// sample returns a file of samples/01-accepted's inbox.
func sample(t *testing.T, key string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "samples", "01-accepted", "inbox", filepath.FromSlash(key)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// jsmithFile is a clean file whose header names jsmith01: five student
// activity reports, every one accepted at apiNow.
const jsmithFile = "4NUV7KB58/activity-2026-11-20.xml"

// storages are the inbox and outbox kinds the upload is tested on: a
// folder, and an S3 bucket (versitygw; skipped where it is not installed,
// unless CI).
var storages = []struct {
	name  string
	start func(t *testing.T) func(t *testing.T) storage.Storage
}{
	{"folder", func(*testing.T) func(t *testing.T) storage.Storage { return folder }},
	{"s3", func(t *testing.T) func(t *testing.T) storage.Storage {
		srv := s3test.Start(t)
		bucket := srv.Bucket(t)
		n := 0
		return func(t *testing.T) storage.Storage {
			n++
			s, err := bdts3.New(context.Background(), bdts3.Params{
				Bucket: bucket, Prefix: strings.ReplaceAll(t.Name(), "/", "-") + "-" + string(rune('a'+n)), Endpoint: srv.Endpoint, PathStyle: true,
				Region: s3test.Region, Credentials: s3test.Credentials(), MaxBackoff: 10 * time.Millisecond,
				SpoolDir: t.TempDir(),
			})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}},
}

// fileAnswer is GET /api/v1/files/{id}, as far as the tests read it.
type fileAnswer struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Status      string `json:"status"`
	Channel     string `json:"channel"`
	Submitter   string `json:"submitter"`
	DuplicateOf int64  `json:"duplicate_of"`
	Counts      *struct{ Read, Accepted, Rejected int }
	Links       map[string]string                `json:"links"`
	Findings    []struct{ Rule, Message string } `json:"file_findings"`
	Records     []struct {
		Index    int
		Status   string
		Findings []struct{ Rule string }
	} `json:"records"`
}

func (s *apiSite) file(id int64, token string) fileAnswer {
	s.t.Helper()
	var f fileAnswer
	decode(s.t, s.get(fileURL(id), token, http.StatusOK), &f)
	return f
}

// An upload through the API on a folder and on S3: 202 RECEIVED with its
// Location, a run nudged, no reports until processed; then ACCEPTED with
// its counts and links to the three reports, each served with its type
// (the summary under its own policy); the listing has it; the log names
// the user and the file but never the token; the metrics count it.
func TestAPIUploadFollowFetch(t *testing.T) {
	for _, sk := range storages {
		t.Run(sk.name, func(t *testing.T) {
			s := newAPISite(t, sk.start(t), 1<<20)
			tok := s.token(wessexL1)
			body := sample(t, jsmithFile)
			id := s.upload(tok, "activity.xml", body)
			if s.nudged() != 1 || s.uploads("api", "received") != 1 {
				t.Errorf("nudges %d, uploads counted %v; want 1 and 1", s.nudged(), s.uploads("api", "received"))
			}
			objs, _, err := s.Inbox.List(context.Background(), wessex+"/")
			if err != nil || len(objs) != 1 || objs[0].Size != int64(len(body)) || strings.Contains(objs[0].Key, "activity.xml") {
				t.Fatalf("inbox after the upload: %v %v; want one object of %d bytes under a name bdt chose", objs, err, len(body))
			}
			f := s.file(id, tok)
			if f.Status != "RECEIVED" || f.Name != "activity.xml" || f.Channel != "upload" || f.Submitter != wessexL1 || f.Counts != nil || len(f.Links) != 1 {
				t.Errorf("before the run: %+v", f)
			}
			if resp, _ := s.do(http.MethodGet, fileURL(id)+"/result.xml", tok, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("a report before it is written: %d, want 404", resp.StatusCode)
			}

			s.run()
			f = s.file(id, tok)
			if f.Status != "ACCEPTED" || f.Counts == nil || f.Counts.Read != 5 || f.Counts.Accepted != 5 || len(f.Records) != 0 {
				t.Errorf("after the run: %+v", f)
			}
			for name, ctype := range map[string]string{"result.xml": "application/xml", "errors.csv": "text/csv", "summary.html": "text/html"} {
				link := f.Links[strings.ReplaceAll(name, ".", "_")]
				if link != fileURL(id)+"/"+name {
					t.Errorf("link to %s: %q", name, link)
					continue
				}
				resp, b := s.do(http.MethodGet, link, tok, nil)
				if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) || len(b) == 0 {
					t.Errorf("%s: %d %q, %d bytes", name, resp.StatusCode, resp.Header.Get("Content-Type"), len(b))
				}
				csp, disp := resp.Header.Get("Content-Security-Policy"), resp.Header.Get("Content-Disposition")
				if name == "summary.html" {
					if !strings.Contains(csp, "sandbox") || strings.Contains(csp, "script") || !strings.HasPrefix(disp, "inline") || !bytes.Contains(b, []byte("<html")) {
						t.Errorf("summary.html: CSP %q, disposition %q", csp, disp)
					}
				} else if !strings.HasPrefix(disp, "attachment") || strings.Contains(csp, "unsafe-inline") {
					t.Errorf("%s: CSP %q, disposition %q", name, csp, disp)
				}
			}
			var list struct {
				Files []fileAnswer
				Links map[string]string
			}
			decode(t, s.get("/api/v1/files", tok, 200), &list)
			if len(list.Files) != 1 || list.Files[0].ID != id || list.Files[0].Status != "ACCEPTED" || list.Links["next"] != "" {
				t.Errorf("listing: %+v", list)
			}
			log := s.log()
			if strings.Contains(log, tok) || strings.Contains(log, strings.TrimPrefix(tok, "bdt_")) {
				t.Error("the log holds the token")
			}
			if !strings.Contains(log, `"user":"jsmith01"`) || !strings.Contains(log, "upload received") || strings.Contains(log, "SA-2026-11-20") {
				t.Errorf("the log should name the user and the upload, never its content:\n%s", log)
			}
			if n := counter(t, s.Reg, "bdt_portal_api_requests_total", "ok"); n < 6 {
				t.Errorf("API requests counted: %v", n)
			}
		})
	}
}

// notFound is the one 404 body: what a missing file answers.
func (s *apiSite) notFound(path, token string) []byte {
	s.t.Helper()
	resp, b := s.do(http.MethodGet, path, token, nil)
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/problem+json" {
		s.t.Fatalf("GET %s: %d %q, want a 404 problem", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return b
}

// Another sponsor's file, its reports and its certificates answer
// byte for byte as missing ones; so do a colleague's file and certificate
// to a Level 2 user, who lists only their own files.
func TestAPIOtherSponsorLikeMissing(t *testing.T) { drivers(t, testOtherSponsorLikeMissing) }

func testOtherSponsorLikeMissing(t *testing.T, reg registerOf) {
	s := newAPISiteOn(t, reg, folder, 1<<20)
	l1, l2, l2b, other := s.token(wessexL1), s.token(wessexL2), s.token(wessexL2b), s.token(strathL1)
	id := s.upload(l1, "", sample(t, jsmithFile))
	id3 := s.upload(l2b, "", sample(t, "4NUV7KB58/activity-office03-2026-11-20.xml"))
	s.run()
	missing := s.notFound("/api/v1/files/999999", other)
	for _, c := range []struct{ path, token string }{
		{fileURL(id), other}, {fileURL(id) + "/result.xml", other}, {fileURL(id) + "/summary.html", other},
		{fileURL(id), l2}, {fileURL(id) + "/errors.csv", l2}, {fileURL(id3), l2},
		{"/api/v1/files/999999/result.xml", l1}, {fileURL(id) + "/other.txt", l1},
		{"/api/v1/certificates/CAS26000000001", other}, {"/api/v1/certificates/CAS99999999999", other},
		{"/api/v1/certificates/CAS26000000002", l2}, // jsmith01's
		{"/api/v1/certificates/COS26000000001", l1}, // Lagan's
		{"/api/v1/nothing", l1},
	} {
		if got := s.notFound(c.path, c.token); !bytes.Equal(got, missing) {
			t.Errorf("GET %s: %s, want exactly %s", c.path, got, missing)
		}
	}
	if f := s.file(id3, l2b); f.Status != "ACCEPTED" {
		t.Errorf("office03's own file: %+v", f)
	}
	var list struct{ Files []fileAnswer }
	decode(t, s.get("/api/v1/files", l2b, 200), &list)
	if len(list.Files) != 1 || list.Files[0].ID != id3 {
		t.Errorf("a Level 2 user's listing: %+v, want only their file %d", list.Files, id3)
	}
	decode(t, s.get("/api/v1/files", l1, 200), &list)
	if len(list.Files) != 2 || list.Files[0].ID != id3 || list.Files[1].ID != id {
		t.Errorf("a Level 1 user's listing: %+v, want both, newest first", list.Files)
	}
	decode(t, s.get("/api/v1/files", other, 200), &list)
	if len(list.Files) != 0 {
		t.Errorf("another sponsor's listing: %+v", list.Files)
	}

	var cert struct{ Number, Kind, Owner, Sponsor string }
	decode(t, s.get("/api/v1/certificates/CAS26000000001", l2, 200), &cert)
	if cert.Number != "CAS26000000001" || cert.Kind != "CAS" || cert.Owner != wessexL2 || cert.Sponsor != wessex {
		t.Errorf("a Level 2 user's own certificate: %+v", cert)
	}
	decode(t, s.get("/api/v1/certificates/CAS26000000001", l1, 200), &cert)
	if cert.Number != "CAS26000000001" {
		t.Errorf("a Level 1 user's certificate: %+v", cert)
	}
	// A suspended licence may not view: refused by a rule, with its finding.
	resp, b := s.do(http.MethodGet, "/api/v1/certificates/CAS26000000401", s.token(kceL1), nil)
	if resp.StatusCode != http.StatusForbidden || !bytes.Contains(b, []byte(`"rule":"F.LICENCE.SUSPENDED"`)) {
		t.Errorf("a suspended licence's certificate: %d %s", resp.StatusCode, b)
	}
}

// Every refusal of a token is the one 401: none, unknown, revoked, a user
// made inactive, a licence revoked. None is logged with the token.
func TestAPITokenRefused(t *testing.T) { drivers(t, testTokenRefused) }

func testTokenRefused(t *testing.T, reg registerOf) {
	s := newAPISiteOn(t, reg, folder, 1<<20)
	ctx := context.Background()
	good := s.token(wessexL1)
	revoked, revokedID, err := s.Auth.CreateToken(ctx, wessexL1, "old")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Auth.RevokeToken(ctx, revokedID, ""); err != nil {
		t.Fatal(err)
	}
	inactive, strath := s.token(wessexL2), s.token(strathL1)
	for _, tok := range []string{inactive, strath} {
		s.get("/api/v1/files", tok, http.StatusOK)
	}
	s.Exec(`UPDATE sms_user SET status = 'DEACTIVATED_BY_SPONSOR' WHERE id = 'intl.office02'`)
	s.Exec(`UPDATE sponsor SET status = 'REVOKED' WHERE licence = 'S7KQ2LMX4'`)

	_, want := s.do(http.MethodGet, "/api/v1/files", "", nil)
	for what, tok := range map[string]string{
		"unknown": "bdt_" + strings.Repeat("A", 43), "revoked": revoked,
		"inactive user": inactive, "revoked licence": strath, "not bearer": "",
	} {
		for _, path := range []string{"/api/v1/files", "/api/v1/files/1", "/api/v1/certificates/CAS26000000001"} {
			resp, b := s.do(http.MethodGet, path, tok, nil)
			if resp.StatusCode != http.StatusUnauthorized || !bytes.Equal(b, want) || resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s token, %s: %d %s", what, path, resp.StatusCode, b)
			}
		}
		if resp, _ := s.do(http.MethodPost, "/api/v1/files", tok, strings.NewReader(sample(t, jsmithFile))); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s token, upload: %d", what, resp.StatusCode)
		}
	}
	if files, err := s.Store.FileList(ctx, store.FileListParams{}); err != nil || len(files) != 0 {
		t.Errorf("refused uploads left ledger entries: %v %v", files, err)
	}
	s.get("/api/v1/files", good, http.StatusOK)
	log := s.log()
	for _, tok := range []string{good, revoked, inactive, strath} {
		if strings.Contains(log, strings.TrimPrefix(tok, "bdt_")) {
			t.Errorf("the log holds a token")
		}
	}
	if !strings.Contains(log, "API token refused") || counter(t, s.Reg, "bdt_portal_api_requests_total", "refused") != 21 {
		t.Errorf("refusals logged and counted: %v\n%s", counter(t, s.Reg, "bdt_portal_api_requests_total", "refused"), log)
	}
}

// An upload past the limit is refused with 413 and F.SIZE, whether its
// Content-Length says so or it streams past it, and leaves nothing: no
// object in the inbox, no ledger entry, no run.
func TestAPIUploadTooLarge(t *testing.T) {
	for _, sk := range storages {
		t.Run(sk.name, func(t *testing.T) {
			s := newAPISite(t, sk.start(t), 1000)
			tok := s.token(wessexL1)
			big := strings.Repeat("x", 1001)
			for what, body := range map[string]io.Reader{
				"with its length": strings.NewReader(big),
				"streamed":        io.MultiReader(strings.NewReader(big)), // no length: chunked
			} {
				resp, b := s.do(http.MethodPost, "/api/v1/files?name=big.xml", tok, body)
				if resp.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(b, []byte(`"rule":"F.SIZE"`)) || !bytes.Contains(b, []byte("over the limit of 1000 bytes")) {
					t.Errorf("%s: %d %s", what, resp.StatusCode, b)
				}
			}
			objs, _, err := s.Inbox.List(context.Background(), "")
			files, ferr := s.Store.FileList(context.Background(), store.FileListParams{})
			if err != nil || ferr != nil || len(objs) != 0 || len(files) != 0 || s.nudged() != 0 {
				t.Errorf("after refused uploads: inbox %v (%v), ledger %v (%v), nudges %d", objs, err, files, ferr, s.nudged())
			}
			if n := s.uploads("api", "too_large"); n != 2 {
				t.Errorf("too large counted %v, want 2", n)
			}
			s.upload(tok, "", strings.Repeat(" ", 1000)) // at the limit: taken
		})
	}
}

// A Level 2 user's upload whose header names a colleague is REJECTED with
// F.USER, never applied as the colleague; the same clean upload twice is
// ACCEPTED then DUPLICATE.
func TestAPIUploadUserAndDuplicate(t *testing.T) {
	s := newAPISite(t, folder, 1<<20)
	l1, l2 := s.token(wessexL1), s.token(wessexL2)
	body := sample(t, jsmithFile)
	impostor := s.upload(l2, "", body)
	s.run()
	first := s.upload(l1, "", body)
	s.run()
	second := s.upload(l1, "", body)
	s.run()
	f := s.file(impostor, l2)
	if f.Status != string(ledger.Rejected) || len(f.Findings) == 0 || f.Findings[0].Rule != "F.USER" || f.Counts == nil || f.Counts.Accepted != 0 {
		t.Errorf("a file naming another user: %+v, want REJECTED with F.USER", f)
	}
	if f := s.file(first, l1); f.Status != string(ledger.Accepted) {
		t.Errorf("the first upload: %+v", f)
	}
	if f := s.file(second, l1); f.Status != string(ledger.Duplicate) || f.DuplicateOf != first || f.Findings[0].Rule != "F.DUPLICATE" {
		t.Errorf("the same upload again: %+v, want DUPLICATE of %d", f, first)
	}
}

// A file with a record refused lists that record inline, with its
// findings placed at its line, and no other.
func TestAPIFileRecords(t *testing.T) {
	s := newAPISite(t, folder, 1<<20)
	tok := s.token(wessexL1)
	body := strings.Replace(sample(t, jsmithFile), "CAS26000000204", "CAS26999999999", 1)
	body = strings.Replace(body, "SA-2026-11-20", "SA-2026-11-20-B", 1)
	id := s.upload(tok, "", body)
	s.run()
	f := s.file(id, tok)
	if f.Status != string(ledger.PartiallyAccepted) || f.Counts.Accepted != 4 || f.Counts.Rejected != 1 {
		t.Fatalf("a file with one record refused: %+v", f)
	}
	if len(f.Records) != 1 || f.Records[0].Index != 3 || f.Records[0].Status != "REJECTED" ||
		len(f.Records[0].Findings) != 1 || f.Records[0].Findings[0].Rule != "R.CERT.FOUND" {
		t.Errorf("records inline: %+v, want record 3 alone with R.CERT.FOUND", f.Records)
	}
	var raw struct {
		Records []struct {
			Line     int
			Findings []struct{ Line int }
		}
	}
	decode(t, s.get(fileURL(id), tok, 200), &raw)
	if raw.Records[0].Line == 0 || raw.Records[0].Findings[0].Line < raw.Records[0].Line {
		t.Errorf("the finding is not placed in the file: %+v", raw.Records)
	}
}
