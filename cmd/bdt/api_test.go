package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/storage/s3/s3test"
	"bdt/bdt/store"
	"bdt/bdt/store/sqlite"
)

// apiServed is bdt serve with its portal on a port of its own, and a
// token of jsmith01 (Level 1 of 4NUV7KB58).
type apiServed struct {
	*portalProc
	client *http.Client
	token  string
	db     string // the SQLite file
	boxes  boxes
}

// serveAPI imports the sample register, creates a token with the real
// binary and starts bdt serve with the portal (startPortalProc: a run
// happens only when an upload nudges it), its inbox, outbox and archive
// in folders ("folder") or in an S3 bucket ("s3").
func serveAPI(t *testing.T, storageKind string, extra ...string) *apiServed {
	t.Helper()
	bin := sharedBinary(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "bdt.db")
	db := "sqlite:" + path
	if code, _, stderr := runBinary(t, bin, "register", "import", "--db", db, filepath.Join("..", "..", "samples", "register.xml")); code != exitOK {
		t.Fatalf("register import: %s", stderr)
	}
	b := folderBoxes(dir)
	if storageKind == "s3" {
		b = s3Boxes(t, s3test.Start(t))
	}
	a := &apiServed{client: http.DefaultClient, token: createToken(t, bin, db, "jsmith01"), db: path, boxes: b}
	a.portalProc = startPortalProc(t, bin, db, b, nil, append([]string{"--max-size", "10000"}, extra...)...)
	if i := slices.Index(extra, "--portal-tls-cert"); i >= 0 {
		a.portal, a.client = "https://"+strings.TrimPrefix(a.portal, "http://"), trusting(t, extra[i+1])
	}
	return a
}

// call sends one API request with the token and returns status and body.
func (a *apiServed) call(t *testing.T, method, path string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, a.portal+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// The API end to end through the real bdt serve, on a folder and on S3:
// an upload is answered 202 and processed on its own (the schedule never
// comes), its reports served; one over --max-size is 413 and leaves
// nothing in the inbox or the ledger; the upload and the refusal are
// counted in the admin endpoint's /metrics; the token never reaches the
// log; SIGTERM stops both listeners cleanly.
func TestServeAPIEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt serve as a real process")
	}
	for _, kind := range []string{"folder", "s3"} {
		t.Run(kind, func(t *testing.T) {
			a := serveAPI(t, kind)
			body, err := os.ReadFile(filepath.Join("..", "..", "samples", "01-accepted", "inbox", "4NUV7KB58", "activity-2026-11-20.xml"))
			if err != nil {
				t.Fatal(err)
			}
			code, b := a.call(t, http.MethodPost, "/api/v1/files?name=activity.xml", strings.NewReader(string(body)))
			var up struct {
				ID    int64
				Links map[string]string
			}
			if code != http.StatusAccepted {
				t.Fatalf("upload: %d %s", code, b)
			}
			if err := json.Unmarshal(b, &up); err != nil || up.ID <= 0 {
				t.Fatalf("upload answered %s", b)
			}
			var f struct {
				Status string
				Links  map[string]string
			}
			eventually(t, "the upload to be processed on its own", func() bool {
				code, b := a.call(t, http.MethodGet, up.Links["self"], nil)
				return code == http.StatusOK && json.Unmarshal(b, &f) == nil && f.Status == string(ledger.Accepted) && f.Links["result_xml"] != ""
			})
			if code, b := a.call(t, http.MethodGet, f.Links["result_xml"], nil); code != http.StatusOK || !strings.Contains(string(b), "SA-2026-11-20") {
				t.Errorf("result.xml: %d %.200s", code, b)
			}

			code, b = a.call(t, http.MethodPost, "/api/v1/files", strings.NewReader(strings.Repeat("x", 10001)))
			if code != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "F.SIZE") {
				t.Errorf("an upload over --max-size: %d %s", code, b)
			}
			// The accepted upload is archived; the refused one was never kept.
			eventually(t, "an empty inbox", func() bool { return len(a.boxes.keys(t, "inbox")) == 0 })
			st, err := sqlite.Open(context.Background(), a.db)
			if err != nil {
				t.Fatal(err)
			}
			files, err := st.FileList(context.Background(), store.FileListParams{})
			st.Close()
			if err != nil || len(files) != 1 {
				t.Errorf("ledger: %d entries (%v), want only the accepted upload", len(files), err)
			}

			resp, err := http.Get(a.base + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			metrics, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, want := range []string{
				`bdt_portal_uploads_total{channel="api",result="received"} 1`,
				`bdt_portal_uploads_total{channel="api",result="too_large"} 1`,
				`bdt_portal_api_requests_total{result="ok"}`,
			} {
				if !strings.Contains(string(metrics), want) {
					t.Errorf("/metrics lacks %s", want)
				}
			}
			a.cmd.Process.Signal(syscall.SIGTERM)
			if err := a.cmd.Wait(); err != nil {
				t.Errorf("bdt serve after SIGTERM: %v", err)
			}
			log := a.log()
			if strings.Contains(log, strings.TrimPrefix(a.token, "bdt_")) {
				t.Error("the log holds the token")
			}
			if strings.Contains(log, "plain HTTP off loopback") {
				t.Error("a loopback portal warned of plain HTTP")
			}
			for _, want := range []string{`"message":"portal listening"`, `"message":"portal: upload received"`, `"message":"portal: API request"`} {
				if !strings.Contains(log, want) {
					t.Errorf("the log lacks %s", want)
				}
			}
			if !regexp.MustCompile(`"trigger":"upload"`).MatchString(log) {
				t.Errorf("no run triggered by the upload in the log")
			}
		})
	}
}

// The --portal-* flags that cannot work are refused before anything
// starts.
func TestServePortalFlags(t *testing.T) {
	bin := sharedBinary(t)
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--portal-tls-cert", "x.pem"},
		{"--portal-listen", "127.0.0.1:0", "--portal-tls-cert", "x.pem"},
		{"--portal-listen", "127.0.0.1:0", "--portal-tls-cert", "no.pem", "--portal-tls-key", "no.pem"},
		{"--portal-trust-proxy"},
	} {
		code, _, stderr := runBinary(t, bin, append([]string{"serve", "--db", "sqlite:" + filepath.Join(dir, "bdt.db"), "--inbox", dir, "--listen", ""}, args...)...)
		if code != exitUsage || !strings.Contains(stderr, "--portal-") {
			t.Errorf("serve %v: exit %d, %s", args, code, stderr)
		}
	}
}

// trusting is a client that trusts the PEM certificate in file.
func trusting(t *testing.T, file string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("no certificate in " + file)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// selfSigned writes a certificate for 127.0.0.1 and its key in dir.
func selfSigned(t *testing.T, dir string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bdt test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return cert, key
}

// The portal over its own TLS (--portal-tls-cert/-key): the API answers
// over https, and plain HTTP to the same port gets nothing of it.
func TestServePortalTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt serve as a real process")
	}
	cert, key := selfSigned(t, t.TempDir())
	a := serveAPI(t, "folder", "--portal-tls-cert", cert, "--portal-tls-key", key)
	if code, b := a.call(t, http.MethodGet, "/api/v1/files", nil); code != http.StatusOK || !strings.Contains(string(b), `"files":[]`) {
		t.Errorf("GET /api/v1/files over TLS: %d %s", code, b)
	}
	resp, err := http.Get(strings.Replace(a.portal, "https://", "http://", 1) + "/api/v1/openapi.json")
	if err == nil {
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP to the TLS portal answered 200")
		}
		resp.Body.Close()
	}
	if !strings.Contains(a.log(), `"tls":true`) {
		t.Error("the start-up line does not say TLS")
	}
}
