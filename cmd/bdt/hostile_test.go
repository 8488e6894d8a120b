package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
	"bdt/schema"
)

// The hostile-input suite (issue 8): every input a hostile or broken
// upload can be, each through the real `bdt validate` and the real `bdt
// run` on a work folder with the sample register. Each must give a clear
// report citing the right rule id, change nothing in the register, finish
// (a hang guard of hostileTimeout, not a speed assertion) and keep the
// child's peak RSS under hostileMaxRSS. Nothing outside the file is ever
// read: external entities point at a secret file, a FIFO (opening it would
// hang) and an HTTP server, and neither the secret nor a request may show.
// Big inputs are generated in t.TempDir(), never committed.

const (
	hostileTimeout = 60 * time.Second
	hostileMaxRSS  = 100 << 10 // KiB
	hostileNow     = "2026-11-23T02:00:00Z"
	hostileLicence = "4NUV7KB58"
	hostileSecret  = "HOSTILE-SECRET-5d1e0c"
)

// hostileDoc is a student activity report of one record that bdt run
// accepts on the sample register (TestHostileControl shows it): every
// hostile case is built from it, so it is the hostility that rejects it.
func hostileDoc(id, details string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<StudentActivityReport xmlns="urn:uk:gov:ukvi:sms:bdt:studentactivity:v1">
  <Header>
    <SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>
    <SMSUserId>jsmith01</SMSUserId>
    <BulkReportingID>` + id + `</BulkReportingID>
    <CreatedAt>2026-11-22T10:00:00Z</CreatedAt>
    <RecordCount>1</RecordCount>
  </Header>
  <StudentActivity>
    <SponsorReference>H-1</SponsorReference>
    <CASNumber>CAS26000000208</CASNumber>
    <ActivityType>STUDENT_OTHER_CHANGE</ActivityType>
    <EventDate>2026-11-20</EventDate>
    <Details>` + details + `</Details>
  </StudentActivity>
</StudentActivityReport>
`
}

// hostileEnv is what every case shares: the binaries, a prepared register
// database to copy, its export, the secret file, the FIFO, the server.
type hostileEnv struct {
	bin, launch string
	template    string // a work folder with bdt.db holding the sample register
	export      []byte // bdt register export of the template
	secretFile  string
	fifo        string
	srv         *httptest.Server
	hits        atomic.Int64
	scratch     string
	rssMu       sync.Mutex
	rss         []string // "case: validate N MiB, run N MiB", for the log
}

func newHostileEnv(t *testing.T) *hostileEnv {
	t.Helper()
	h := &hostileEnv{bin: sharedBinary(t), scratch: t.TempDir()}
	h.template = filepath.Join(h.scratch, "template")
	if err := os.MkdirAll(h.template, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(h.bin, "register", "import", "--db", "sqlite:"+filepath.Join(h.template, "bdt.db"),
		filepath.Join("..", "..", "samples", "register.xml")).CombinedOutput(); err != nil {
		t.Fatalf("register import: %v\n%s", err, out)
	}
	h.export = h.registerExport(t, h.template)
	h.secretFile = filepath.Join(h.scratch, "secret.txt")
	if err := os.WriteFile(h.secretFile, []byte(hostileSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	// A FIFO: whoever opens it for reading blocks until a writer comes,
	// which never happens; the hang guard would then fire.
	h.fifo = filepath.Join(h.scratch, "secret.fifo")
	if err := syscall.Mkfifo(h.fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hits.Add(1)
		fmt.Fprint(w, hostileSecret)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hostileEnv) registerExport(t *testing.T, dir string) []byte {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(h.bin, "register", "export", "--db", "sqlite:"+filepath.Join(dir, "bdt.db"))
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || out.Len() == 0 {
		t.Fatalf("register export: %v\n%s", err, errb.String())
	}
	return out.Bytes()
}

// workDir copies the template's database into a fresh work folder.
// rejectedUnchanged checks what every refused hostile file leaves: its
// result report cites rule and says REJECTED, and is valid result-v1; the
// register is unchanged; no secret shows in output (the commands' out) or in
// dir. It returns the result report.
func (h *hostileEnv) rejectedUnchanged(t *testing.T, dir, file string, rule string, out string) []byte {
	t.Helper()
	result, err := os.ReadFile(filepath.Join(dir, "outbox", hostileLicence, strings.TrimSuffix(file, ".xml")+".result.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(result), `Rule="`+rule+`"`) || !strings.Contains(string(result), "<Status>REJECTED</Status>") {
		t.Errorf("result report does not cite %s as REJECTED:\n%.3000s", rule, result)
	}
	if res, err := schema.Default().Validate(bytes.NewReader(result), nil, schema.Options{}); err != nil || !res.Valid() {
		t.Errorf("the result report is not valid result-v1: %v %v", err, res.Issues)
	}
	if got := h.registerExport(t, dir); !bytes.Equal(got, h.export) {
		t.Error("the register export changed")
	}
	h.noSecret(t, dir, out)
	return result
}

func (h *hostileEnv) workDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ents, err := os.ReadDir(h.template)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "bdt.db") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(h.template, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "inbox", hostileLicence), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// launched is one run of bdt.
type launched struct {
	stdout, stderr string
	code           int
	peakKiB        int64 // the process's peak RSS (VmHWM)
	anonKiB        int64 // the peak less the mapped files (bdt's code)
}

// bdt runs bdt args as a real process in its own process group, with its
// memory accounting on (BDT_MEMSTATS: its own VmHWM, which vfork does not
// blur), killing the group if it is still running after hostileTimeout (a
// hang guard, not a speed assertion).
func (h *hostileEnv) bdt(t *testing.T, args ...string) launched {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(h.bin, args...)
	cmd.Env = append(os.Environ(), "BDT_MEMSTATS=1")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			t.Fatalf("bdt %v: %v", args, err)
		}
	case <-time.After(hostileTimeout):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("bdt %v did not finish in %v (killed)\nstdout:\n%.2000s\nstderr:\n%.2000s", args, hostileTimeout, stdout.String(), stderr.String())
	}
	out := launched{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
	if i := strings.Index(out.stderr, "bdt: memstats "); i >= 0 {
		line, rest, _ := strings.Cut(out.stderr[i:], "\n")
		var file int64
		fmt.Sscanf(line, "bdt: memstats peak-rss-kib=%d file-rss-kib=%d peak-anon-kib=%d", &out.peakKiB, &file, &out.anonKiB)
		out.stderr = out.stderr[:i] + rest
	}
	if out.peakKiB == 0 {
		t.Fatalf("bdt %v: no memory accounting on stderr (did it crash?)\nstderr:\n%.2000s", args, stderr.String())
	}
	if out.peakKiB > hostileMaxRSS {
		t.Errorf("bdt %v: peak RSS %.1f MiB, over %d MiB", args[0], float64(out.peakKiB)/1024, hostileMaxRSS>>10)
	}
	return out
}

// hostileCase is one hostile input.
type hostileCase struct {
	name string
	file string                                         // name in the inbox folder (default: a name made from the case)
	make func(t *testing.T, h *hostileEnv, path string) // writes the file at path
	rule string                                         // the rule the file is rejected with
	// validate is the rule bdt validate reports (default rule; "-" for a
	// valid file: F.CHANNEL needs the folder, which validate does not know).
	validate string
	check    func(t *testing.T, h *hostileEnv, dir, result string) // more checks on the run
	// scoped is, for a case rejected with F.SCHEMA in file mode, the rule
	// it ends with under the default --schema-errors=record: R.SCHEMA on
	// its record, or a file rule (TestHostileDefaultMode).
	scoped string
}

func writeString(s string) func(*testing.T, *hostileEnv, string) {
	return func(t *testing.T, _ *hostileEnv, path string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// repeatedBefore writes doc with n copies of format, given 0 to n-1, put
// before the first at.
func repeatedBefore(doc, at, format string, n int) func(*testing.T, *hostileEnv, string) {
	return func(t *testing.T, h *hostileEnv, path string) {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, format, i)
		}
		writeString(strings.Replace(doc, at, b.String()+at, 1))(t, h, path)
	}
}

// writeStream writes head, n bytes of fill, then tail, streaming.
func writeStream(t *testing.T, path, head string, fill byte, n int, tail string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(head)
	chunk := bytes.Repeat([]byte{fill}, 1<<16)
	for n > 0 {
		k := min(n, len(chunk))
		w.Write(chunk[:k])
		n -= k
	}
	w.WriteString(tail)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func utf16File(s string, bom, bigEndian bool) string {
	var b []byte
	if bom {
		if bigEndian {
			b = append(b, 0xFE, 0xFF)
		} else {
			b = append(b, 0xFF, 0xFE)
		}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return string(b)
}

// withDoctype puts a DOCTYPE (with its internal subset) after the XML
// declaration of doc, and replaces the Details text with ref.
func withDoctype(subset, ref string) string {
	d := hostileDoc("HOSTILE-DTD", ref)
	return strings.Replace(d, "?>\n", "?>\n<!DOCTYPE StudentActivityReport "+subset+">\n", 1)
}

func hostileCases() []hostileCase {
	laughs := `[
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]`
	good := hostileDoc("HOSTILE-1", "Changed course.")
	badDate := func(id string) string { // a schema error: a date that does not exist
		return strings.Replace(strings.Replace(hostileDoc(id, "Ünïcödé"), "<EventDate>2026-11-20<", "<EventDate>2026-13-01<", 1),
			`encoding="UTF-8"`, `encoding="UTF-16"`, 1)
	}
	oneLine := func(t *testing.T, _ *hostileEnv, path string) {
		// The whole file on one line of 100,000,000 bytes (under the
		// 100 MiB limit): a text value of about 99.99 MB.
		head, tail, _ := strings.Cut(strings.ReplaceAll(hostileDoc("HOSTILE-LINE", "\x00"), "\n", " "), "\x00")
		writeStream(t, path, head, 'x', 100_000_000-len(head)-len(tail), tail)
	}
	return []hostileCase{
		{name: "external entity file", rule: "F.WELLFORMED", make: func(t *testing.T, h *hostileEnv, p string) {
			writeString(withDoctype(`[<!ENTITY xxe SYSTEM "file://`+h.secretFile+`"><!ENTITY pipe SYSTEM "`+h.fifo+`">]`, "&xxe;&pipe;"))(t, h, p)
		}},
		{name: "external entity http", rule: "F.WELLFORMED", make: func(t *testing.T, h *hostileEnv, p string) {
			writeString(withDoctype(`[<!ENTITY xxe SYSTEM "`+h.srv.URL+`/xxe">]`, "&xxe;"))(t, h, p)
		}},
		{name: "external DTD", rule: "F.WELLFORMED", make: func(t *testing.T, h *hostileEnv, p string) {
			writeString(withDoctype(`SYSTEM "`+h.srv.URL+`/evil.dtd"`, "x"))(t, h, p)
		}},
		{name: "parameter entities", rule: "F.WELLFORMED", make: func(t *testing.T, h *hostileEnv, p string) {
			writeString(withDoctype(`[<!ENTITY % a SYSTEM "file://`+h.secretFile+`"> %a; <!ENTITY % b SYSTEM "`+h.srv.URL+`/b"> %b;
 <!ENTITY % c SYSTEM "`+h.fifo+`"> %c;]`, "x"))(t, h, p)
		}},
		{name: "billion laughs", rule: "F.WELLFORMED", make: writeString(withDoctype(laughs, "&lol9;"))},
		{name: "quadratic blowup", rule: "F.WELLFORMED", make: func(t *testing.T, h *hostileEnv, p string) {
			writeString(withDoctype(`[<!ENTITY a "`+strings.Repeat("a", 50000)+`">]`, strings.Repeat("&a;", 50000)))(t, h, p)
		}},
		{name: "plain DOCTYPE", rule: "F.WELLFORMED", make: writeString(withDoctype("", "x"))},
		{name: "DOCTYPE in UTF-16", rule: "F.WELLFORMED", make: func(t *testing.T, h *hostileEnv, p string) {
			writeString(utf16File(strings.Replace(withDoctype(`[<!ENTITY xxe SYSTEM "file://`+h.secretFile+`">]`, "&xxe;"),
				`encoding="UTF-8"`, `encoding="UTF-16"`, 1), true, false))(t, h, p)
		}},
		{name: "100000 deep", rule: "F.WELLFORMED", make: func(t *testing.T, h *hostileEnv, p string) {
			writeString(strings.Replace(good, "<Details>", "<Details>"+strings.Repeat("<a>", 100000)+strings.Repeat("</a>", 100000), 1))(t, h, p)
		}},
		{name: "10 MB attribute", rule: "F.WELLFORMED", make: func(t *testing.T, h *hostileEnv, p string) {
			head, tail, _ := strings.Cut(strings.Replace(good, "<StudentActivity>", `<StudentActivity note="`+"\x00"+`">`, 1), "\x00")
			writeStream(t, p, head, 'A', 10<<20, tail)
		}},
		{name: "100 MB single line", rule: "F.WELLFORMED", make: oneLine},
		{name: "invalid UTF-8", rule: "F.WELLFORMED", make: writeString(hostileDoc("HOSTILE-UTF8", "Changed \xC3\x28 course \xFF."))},
		{name: "UTF-16LE with BOM", rule: "F.SCHEMA", scoped: "R.SCHEMA", make: writeString(utf16File(badDate("HOSTILE-UTF16LE"), true, false)),
			check: resultSays("'2026-13-01' is not a valid")},
		{name: "UTF-16BE without BOM", rule: "F.SCHEMA", scoped: "R.SCHEMA", make: writeString(utf16File(badDate("HOSTILE-UTF16BE"), false, true)),
			check: resultSays("'2026-13-01' is not a valid")},
		{name: "UTF-16 declaring UTF-8", rule: "F.WELLFORMED", make: writeString(utf16File(good, true, false)),
			check: resultSays("the file is in UTF-16 but its XML declaration names the encoding")},
		{name: "declared UTF-8 but Latin-1", rule: "F.WELLFORMED", make: writeString(hostileDoc("HOSTILE-LATIN1", "Caf\xE9 cr\xE8me")),
			check: resultSays("not valid UTF-8")},
		{name: "declared UTF-16 but 8-bit", rule: "F.WELLFORMED", make: writeString(strings.Replace(good, `encoding="UTF-8"`, `encoding="UTF-16"`, 1))},
		{name: "declared UTF-7", rule: "F.WELLFORMED", make: writeString(strings.Replace(good, `encoding="UTF-8"`, `encoding="UTF-7"`, 1)),
			check: resultSays(`names the encoding "UTF-7", which bdt does not read`)},
		{name: "NUL bytes", rule: "F.WELLFORMED", make: writeString(hostileDoc("HOSTILE-NUL", "Changed\x00course.")),
			check: resultSays("NUL byte")},
		{name: "zero bytes", rule: "F.WELLFORMED", make: writeString(""), check: resultSays("the file is empty")},
		{name: "truncated", rule: "F.WELLFORMED", make: writeString(good[:strings.Index(good, "<EventDate>")+len("<EventDate>2026")]),
			check: resultSays("the file ends inside element EventDate")},
		{name: "gzip", rule: "F.WELLFORMED", make: func(t *testing.T, h *hostileEnv, p string) {
			var b bytes.Buffer
			z := gzip.NewWriter(&b)
			z.Write([]byte(good))
			z.Close()
			writeString(b.String())(t, h, p)
		}, check: resultSays("gzip-compressed, not XML")},
		{name: "zip", rule: "F.WELLFORMED", make: func(t *testing.T, h *hostileEnv, p string) {
			var b bytes.Buffer
			z := zip.NewWriter(&b)
			w, _ := z.Create("upload.xml")
			w.Write([]byte(good))
			z.Close()
			writeString(b.String())(t, h, p)
		}, check: resultSays("a zip archive")},
		{name: "over the size limit", rule: "F.SIZE", make: func(t *testing.T, h *hostileEnv, p string) {
			// 100 MiB and one byte, sparse: refused before it is parsed.
			writeString(good)(t, h, p)
			if err := os.Truncate(p, 100<<20+1); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "XML declaration after a comment", rule: "F.WELLFORMED", make: writeString("<!-- exported -->" + good)},
		{name: "XML declaration inside a record", rule: "F.WELLFORMED",
			make: writeString(strings.Replace(good, "<CASNumber>", `<?xml version="1.0"?><CASNumber>`, 1))},
		{name: "double hyphen in a comment", rule: "F.WELLFORMED",
			make: writeString(strings.Replace(good, "<Header>", "<Header><!-- a -- b -->", 1))},
		{name: "comments in odd places, count lies", rule: "F.COUNT", make: writeString(strings.NewReplacer(
			"<RecordCount>1<", "<RecordCount><!-- one? -->2<",
			"<CASNumber>CAS26000", "<CASNumber><!-- split -->CAS26<!-- split -->000",
			"</StudentActivityReport>", "<!-- last --></StudentActivityReport><!-- end -->",
			"<Header>", "<Header><!-- first -->").Replace(good)),
			check: resultSays("the header declares 2 records but the file holds 1")},
		// Issue 17: libxml2 keeps every processing instruction's target in
		// its name dictionary, which slows down with the distinct names
		// seen; two million distinct targets took 95 s and were ACCEPTED.
		// Now every one but the XML declaration is refused.
		{name: "200000 processing instructions", rule: "F.WELLFORMED", make: repeatedBefore(good, "<Details>", "<?q%07d?>", 200000),
			check: resultSays("a processing instruction (<?...?>) is not allowed")},
		{name: "a style sheet processing instruction", rule: "F.WELLFORMED",
			make:  writeString(strings.Replace(good, "<Header>", `<Header><?xml-stylesheet href="x.xsl"?>`, 1)),
			check: resultSays("a processing instruction (<?...?>) is not allowed")},
		{name: "record count lies", rule: "F.COUNT", make: writeString(strings.Replace(good, "<RecordCount>1<", "<RecordCount>7<", 1))},
		{name: "another sponsor's header", rule: "F.CHANNEL", validate: "-",
			make:  writeString(strings.NewReplacer("4NUV7KB58", "S7KQ2LMX4", "jsmith01", "fmacleod").Replace(good)),
			check: discloseNothing("S7KQ2LMX4")},
		{name: "unknown sponsor's header", rule: "F.CHANNEL", validate: "-",
			make:  writeString(strings.Replace(good, "4NUV7KB58", "ZZ9ZZ9ZZ9", 1)),
			check: discloseNothing("ZZ9ZZ9ZZ9")},
		{name: "50000 attributes", rule: "F.WELLFORMED", make: func(t *testing.T, h *hostileEnv, p string) {
			var b strings.Builder
			for i := 0; i < 50000; i++ {
				fmt.Fprintf(&b, ` a%d=""`, i)
			}
			writeString(strings.Replace(good, "<StudentActivity>", "<StudentActivity"+b.String()+">", 1))(t, h, p)
		}, check: resultSays("has more than 64 attributes")},
		{name: "100000 distinct names", rule: "F.WELLFORMED", make: repeatedBefore(good, "<Details>", "<n%07x/>", 100000),
			check: resultSays("different element names")},
		{name: "4 million character references", rule: "F.SCHEMA", scoped: "R.SCHEMA", make: func(t *testing.T, h *hostileEnv, p string) {
			writeString(hostileDoc("HOSTILE-REFS", strings.Repeat("&#65;", 4<<20)))(t, h, p)
		}, check: resultSays("characters long, more than the 4000 allowed")},
		{name: "a year of five digits", rule: "F.SCHEMA", scoped: "R.SCHEMA", make: writeString(strings.Replace(good, "<EventDate>2026-11-20<", "<EventDate>12026-11-20<", 1)),
			check: resultSays("EventDate: '12026-11-20' cannot be read")},
		{name: "UCS-4", rule: "F.WELLFORMED", make: func(t *testing.T, h *hostileEnv, p string) {
			var b []byte
			for _, r := range good {
				b = append(b, 0, 0, byte(r>>8), byte(r))
			}
			writeString(string(b))(t, h, p)
		}, check: resultSays("UCS-4")},
		{name: "a register fixture", rule: "F.KIND", validate: "-", make: func(t *testing.T, h *hostileEnv, p string) {
			b, err := os.ReadFile(filepath.Join("..", "..", "samples", "register.xml"))
			if err != nil {
				t.Fatal(err)
			}
			writeString(string(b))(t, h, p)
		}, check: resultSays("not a BDT file")},
	}
}

// resultSays checks that the result report holds text.
func resultSays(text string) func(*testing.T, *hostileEnv, string, string) {
	return func(t *testing.T, _ *hostileEnv, _, result string) {
		t.Helper()
		if !strings.Contains(result, xmlEscape(text)) {
			t.Errorf("the result report does not say %q:\n%s", text, result)
		}
	}
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	xmlEscapeText(&b, s)
	return b.String()
}

func xmlEscapeText(w io.Writer, s string) {
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").WriteString(w, s)
}

// otherSponsorMessages holds the F.CHANNEL messages of the two "another
// sponsor" cases with the licence taken out: they must be the same, so that
// nothing tells a licence that exists from one that does not.
var otherSponsorMessages sync.Map

// discloseNothing checks that an F.CHANNEL report says nothing about the
// other licence: not its sponsor's name, status, routes or users, and the
// same words for a licence of the register and one that is not.
func discloseNothing(licence string) func(*testing.T, *hostileEnv, string, string) {
	return func(t *testing.T, _ *hostileEnv, dir, result string) {
		t.Helper()
		for _, leak := range []string{"Strathmore", "A_RATED", "Scotland", "fmacleod", "creid", "not in the register", "unknown licence", "does not exist"} {
			if strings.Contains(result, leak) {
				t.Errorf("the result report discloses %q:\n%s", leak, result)
			}
		}
		if n := strings.Count(result, `Rule="`); n != 1 {
			t.Errorf("%d findings, want F.CHANNEL alone:\n%s", n, result)
		}
		m := regexp.MustCompile(`(?s)<Message>(.*?)</Message>`).FindStringSubmatch(result)
		if m == nil {
			t.Fatalf("no message:\n%s", result)
		}
		otherSponsorMessages.Store(licence, strings.ReplaceAll(m[1], licence, "LICENCE"))
	}
}

// TestHostileControl shows that the document every hostile case is made
// from is accepted and changes the register: the rejections below are the
// hostility's doing, and "register unchanged" can fail.
func TestHostileControl(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt as a real process")
	}
	h := newHostileEnv(t)
	dir := h.workDir(t)
	writeString(hostileDoc("HOSTILE-CONTROL", "Changed course."))(t, h, filepath.Join(dir, "inbox", hostileLicence, "control.xml"))
	v := h.bdt(t, "validate", filepath.Join(dir, "inbox", hostileLicence, "control.xml"))
	if v.code != 0 || v.stdout != "" {
		t.Fatalf("validate: exit %d\n%s%s", v.code, v.stdout, v.stderr)
	}
	r := h.run(t, dir)
	if r.code != 0 {
		t.Fatalf("run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if s := ledgerStatus(t, dir, hostileLicence+"/control.xml"); s != ledger.Accepted {
		t.Fatalf("control file: %s", s)
	}
	if bytes.Equal(h.registerExport(t, dir), h.export) {
		t.Fatal("the control file was accepted but the register export did not change")
	}
}

// run runs bdt run on dir. Schema errors reject the whole file
// (--schema-errors=file), so that every hostile case ends in a file finding;
// TestRunSchemaErrors and the runner's tests cover the record scope.
func (h *hostileEnv) run(t *testing.T, dir string) launched {
	t.Helper()
	return h.runWith(t, dir, "--schema-errors=file")
}

// runWith runs bdt run on dir with extra arguments.
func (h *hostileEnv) runWith(t *testing.T, dir string, extra ...string) launched {
	t.Helper()
	return h.bdt(t, append([]string{"run", "--db", "sqlite:" + filepath.Join(dir, "bdt.db"),
		"--inbox", filepath.Join(dir, "inbox"), "--outbox", filepath.Join(dir, "outbox"),
		"--archive", filepath.Join(dir, "archive"), "--now", hostileNow, "--log-format", "json"}, extra...)...)
}

func ledgerStatus(t *testing.T, dir, key string) ledger.FileStatus {
	t.Helper()
	e := ledgerEntry(t, dir, key)
	if e == nil {
		return "(none)"
	}
	return e.Status
}

func ledgerEntry(t *testing.T, dir, key string) *ledger.File {
	t.Helper()
	ctx := context.Background()
	st, err := open.Open(ctx, "sqlite:"+filepath.Join(dir, "bdt.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fs, err := st.FileList(ctx, store.FileListParams{Key: key, Newest: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) == 0 {
		return nil
	}
	return fs[0]
}

// TestHostileInputs runs every hostile input through bdt validate and bdt
// run.
func TestHostileInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt as a real process; writes files of 100 MB")
	}
	h := newHostileEnv(t)
	for _, tc := range hostileCases() {
		t.Run(tc.name, func(t *testing.T) {
			file := tc.file
			if file == "" {
				file = strings.ReplaceAll(strings.ToLower(tc.name), " ", "-") + ".xml"
			}
			dir := h.workDir(t)
			path := filepath.Join(dir, "inbox", hostileLicence, file)
			tc.make(t, h, path)
			key := hostileLicence + "/" + file

			// bdt validate
			v := h.bdt(t, "validate", "--schema-errors=file", path)
			want := tc.validate
			if want == "" {
				want = tc.rule
			}
			h.checkValidate(t, path, v, want)

			// bdt run
			r := h.run(t, dir)
			if r.code != 0 {
				t.Fatalf("run: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			e := ledgerEntry(t, dir, key)
			if e == nil || e.Status != ledger.Rejected || !e.Archived || !e.ReportsWritten {
				t.Fatalf("ledger entry %+v, want REJECTED, reports written, archived", e)
			}
			rules := map[string]bool{}
			for _, f := range e.FileFindings {
				rules[string(f.Rule)] = true
			}
			if !rules[tc.rule] {
				t.Errorf("ledger findings %+v do not cite %s", e.FileFindings, tc.rule)
			}
			result := h.rejectedUnchanged(t, dir, file, tc.rule, v.stdout+v.stderr+r.stdout+r.stderr)
			if tc.check != nil {
				tc.check(t, h, dir, string(result))
			}
			h.rssMu.Lock()
			h.rss = append(h.rss, fmt.Sprintf("%-45s %-13s validate %5.1f MiB (work %5.1f)   run %5.1f MiB (work %5.1f)", tc.name, tc.rule,
				float64(v.peakKiB)/1024, float64(v.anonKiB)/1024, float64(r.peakKiB)/1024, float64(r.anonKiB)/1024))
			h.rssMu.Unlock()
		})
	}
	if n := h.hits.Load(); n != 0 {
		t.Errorf("the HTTP server was asked %d times", n)
	}
	a, okA := otherSponsorMessages.Load("S7KQ2LMX4")
	b, okB := otherSponsorMessages.Load("ZZ9ZZ9ZZ9")
	if okA && okB && a != b { // (one of them is missing only when -run picks cases)
		t.Errorf("F.CHANNEL for a licence of the register and one that is not differ:\n%v\n%v", a, b)
	}
	t.Logf("peak RSS per case (work: less the mapped binary):\n%s", strings.Join(h.rss, "\n"))
}

// TestHostileDefaultMode runs the cases that TestHostileInputs sees
// rejected with F.SCHEMA (it runs in --schema-errors=file) under the default
// mode, record, where a schema error inside a record rejects that record
// alone: each must still be refused safely, its record rejected with the
// case's scoped rule (R.SCHEMA, or the file by a file rule), nothing
// accepted, the register unchanged, the run exit 0, within the same time
// and memory limits (h.bdt), the secret nowhere.
func TestHostileDefaultMode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt as a real process")
	}
	h := newHostileEnv(t)
	n := 0
	for _, tc := range hostileCases() {
		if tc.rule != "F.SCHEMA" {
			continue
		}
		n++
		t.Run(tc.name, func(t *testing.T) {
			if tc.scoped == "" {
				t.Fatal("an F.SCHEMA case without its rule under the default mode (scoped)")
			}
			file := strings.ReplaceAll(strings.ToLower(tc.name), " ", "-") + ".xml"
			dir := h.workDir(t)
			path := filepath.Join(dir, "inbox", hostileLicence, file)
			tc.make(t, h, path)

			v := h.bdt(t, "validate", path)
			h.checkValidate(t, path, v, tc.scoped)
			r := h.runWith(t, dir)
			if r.code != 0 {
				t.Fatalf("run: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			e := ledgerEntry(t, dir, hostileLicence+"/"+file)
			if e == nil || e.Status != ledger.Rejected || e.Accepted != 0 || e.Rejected != e.Read || !e.Archived || !e.ReportsWritten {
				t.Fatalf("ledger entry %+v, want REJECTED, no record accepted, reports written, archived", e)
			}
			result := h.rejectedUnchanged(t, dir, file, tc.scoped, v.stdout+v.stderr+r.stdout+r.stderr)
			if tc.check != nil {
				tc.check(t, h, dir, string(result))
			}
		})
	}
	if n == 0 {
		t.Fatal("no F.SCHEMA case")
	}
}

var validateLine = regexp.MustCompile(`^(.+):(\d+):(\d+): ([A-Z]\.[A-Z.]+): (.+)$`)

// checkValidate checks bdt validate's answer: exit 1 and FILE:LINE:COL:
// RULE: message lines, one citing rule ("-": exit 0, no output).
func (h *hostileEnv) checkValidate(t *testing.T, path string, v launched, rule string) {
	t.Helper()
	if rule == "-" {
		if v.code != 0 || v.stdout != "" {
			t.Errorf("validate: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", v.code, v.stdout, v.stderr)
		}
		return
	}
	if v.code != 1 {
		t.Errorf("validate: exit %d, want 1\nstdout:\n%.2000s\nstderr:\n%.2000s", v.code, v.stdout, v.stderr)
	}
	found := false
	for _, l := range strings.Split(strings.TrimSuffix(v.stdout, "\n"), "\n") {
		m := validateLine.FindStringSubmatch(l)
		if m == nil || m[1] != path {
			t.Errorf("validate: not a %s:LINE:COL: RULE: message line: %.300q", path, l)
			continue
		}
		if len(l) > 2000 {
			t.Errorf("validate: a line of %d bytes", len(l))
		}
		found = found || m[4] == rule
	}
	if !found {
		t.Errorf("validate: no %s line:\n%.2000s", rule, v.stdout)
	}
}

// noSecret fails if the secret shows in out or in anything under dir but
// the secret's own file.
func (h *hostileEnv) noSecret(t *testing.T, dir, out string) {
	t.Helper()
	if strings.Contains(out, hostileSecret) {
		t.Errorf("the secret is in bdt's output")
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte(hostileSecret)) {
			t.Errorf("the secret is in %s", p)
		}
		return nil
	})
}

// TestHostileNames puts files that must never be opened in a local inbox:
// names with "..", a newline, control characters (a terminal escape
// among them) or bytes that are not UTF-8, folders with such names, a
// symbolic link to a file outside the inbox, one to a FIFO (opening it would
// hang), a symbolic link as a sponsor folder, a FIFO and a file outside any
// sponsor folder. Each is skipped with its reason in the log, quoted; none
// is read, moved or reported; the good file beside them is processed.
func TestHostileNames(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt as a real process")
	}
	h := newHostileEnv(t)
	dir := h.workDir(t)
	inbox := filepath.Join(dir, "inbox")
	folder := filepath.Join(inbox, hostileLicence)
	outside := filepath.Join(h.scratch, "outside")
	os.MkdirAll(outside, 0o755)
	evil := hostileDoc("HOSTILE-OUTSIDE", "Changed course.")
	os.WriteFile(filepath.Join(outside, "upload.xml"), []byte(evil), 0o644)
	writeString(hostileDoc("HOSTILE-GOOD", "Changed course."))(t, h, filepath.Join(folder, "good.xml"))

	type entry struct {
		rel    string // path under the inbox, as created
		reason string // the reason the log must give
	}
	entries := []entry{
		{hostileLicence + "/..\\..\\escape.xml", "contains a backslash"},
		{hostileLicence + "/line\nbreak.xml", "contains a control character"},
		{hostileLicence + "/tab\there.xml", "contains a control character"},
		{hostileLicence + "/esc\x1b[31mred.xml", "contains a control character"},
		{hostileLicence + "/del\x7f.xml", "contains a control character"},
		{hostileLicence + "/latin1-caf\xe9.xml", "not valid UTF-8"},
		{hostileLicence + "/secret-link.xml", "is a symbolic link"},
		{hostileLicence + "/fifo-link.xml", "is a symbolic link"},
		{hostileLicence + "/a-fifo.xml", "is not a regular file"},
		{hostileLicence + "/db.xml", "has 2 hard links"}, // ln bdt.db inbox/<licence>/db.xml
		{"LINKED1234", "is a symbolic link"},
		{"bad\nfolder", "folder name is not a safe key"},
		{"loose.xml", "not in a sponsor folder"},
	}
	for _, e := range entries {
		p := filepath.Join(inbox, e.rel)
		var err error
		switch {
		case strings.HasSuffix(e.rel, "secret-link.xml"):
			err = os.Symlink(filepath.Join(outside, "upload.xml"), p)
		case strings.HasSuffix(e.rel, "fifo-link.xml"):
			err = os.Symlink(h.fifo, p)
		case strings.HasSuffix(e.rel, "a-fifo.xml"):
			err = syscall.Mkfifo(p, 0o644)
		case strings.HasSuffix(e.rel, "db.xml"):
			err = os.Link(filepath.Join(dir, "bdt.db"), p)
		case e.rel == "LINKED1234":
			err = os.Symlink(outside, p)
		case e.rel == "bad\nfolder":
			if err = os.MkdirAll(p, 0o755); err == nil {
				err = os.WriteFile(filepath.Join(p, "x.xml"), []byte(evil), 0o644)
			}
		default:
			err = os.WriteFile(p, []byte(evil), 0o644)
		}
		if err != nil {
			t.Fatalf("%q: %v", e.rel, err)
		}
	}

	r := h.run(t, dir)
	if r.code != 0 {
		t.Fatalf("run: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if strings.ContainsAny(r.stdout+r.stderr, "\x1b\x7f\t") || !isValidUTF8(r.stdout+r.stderr) {
		t.Errorf("raw control characters or bytes that are not UTF-8 in the log:\n%q", r.stdout+r.stderr)
	}
	skipped := map[string]string{} // entry (as logged) -> reason
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var ev struct{ Message, Entry, Reason string }
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("not a JSON log line: %q", l)
		}
		if ev.Message == "inbox entry skipped" {
			skipped[ev.Entry] = ev.Reason
		}
	}
	for _, e := range entries {
		var logged string
		for k, reason := range skipped {
			if k == fmt.Sprintf("%q", e.rel) || k == e.rel {
				logged = reason
			}
		}
		if !strings.Contains(logged, e.reason) {
			t.Errorf("%q: skipped with %q, want %q (skipped: %q)", e.rel, logged, e.reason, skipped)
		}
		if _, err := os.Lstat(filepath.Join(inbox, e.rel)); err != nil {
			t.Errorf("%q left the inbox: %v", e.rel, err)
		}
	}
	if s := ledgerStatus(t, dir, hostileLicence+"/good.xml"); s != ledger.Accepted {
		t.Errorf("the good file beside them: %s", s)
	}
	ctx := context.Background()
	st, err := open.Open(ctx, "sqlite:"+filepath.Join(dir, "bdt.db"))
	if err != nil {
		t.Fatal(err)
	}
	all, err := st.FileList(ctx, store.FileListParams{})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Errorf("%d ledger entries, want the good file's alone: %+v", len(all), all)
	}
	var reports []string
	filepath.WalkDir(filepath.Join(dir, "outbox"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			reports = append(reports, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	if len(reports) != 3 {
		t.Errorf("reports %q, want the good file's three", reports)
	}
	if archived, _ := filepath.Glob(filepath.Join(dir, "archive", hostileLicence, "*")); len(archived) != 1 {
		t.Errorf("archived %q, want the good file alone", archived)
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "upload.xml")); string(b) != evil {
		t.Error("the file outside the inbox changed")
	}
	if _, err := os.Stat(filepath.Join(outside, "upload.xml")); err != nil {
		t.Errorf("the file outside the inbox moved: %v", err)
	}
}

// TestHostileNamesValidate: bdt validate given files whose names hold a
// newline (forging a second problem line), a terminal escape or bytes that
// are not UTF-8 prints each name quoted, one line per problem.
func TestHostileNamesValidate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt as a real process")
	}
	h := newHostileEnv(t)
	dir := t.TempDir()
	for _, name := range []string{
		"forged.xml\nok.xml:1:1: F.SCHEMA: all fine",
		"esc\x1b]0;owned\x07.xml",
		"caf\xe9.xml",
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		v := h.bdt(t, "validate", p)
		want := strconv.Quote(p) + ":1:1: F.WELLFORMED: the file is empty\n"
		if v.code != 1 || v.stdout != want || v.stderr != "" {
			t.Errorf("exit %d\nstdout %q\nwant   %q\nstderr %q", v.code, v.stdout, want, v.stderr)
		}
	}
}

func isValidUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
