package replay_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"bdt/bdt/replay"
	"bdt/rules"
	"bdt/schema"
)

// samplesDir holds the replay scenarios (samples/NN-name/), beside the
// sample register and the schema samples.
const samplesDir = "../../samples"

// resultNamespace is the namespace of result-v1.xsd.
const resultNamespace = "urn:uk:gov:ukvi:sms:bdt:result:v1"

// notExercised are the rules no bulk file can raise: R.FEE.AMOUNT (the XSD
// refuses a badly written amount first, as F.SCHEMA) and the rules of the
// one-at-a-time actions, which no BDT file kind carries.
var notExercised = map[rules.RuleID]string{
	"R.FEE.AMOUNT":   "a bad amount is refused by the XSD (F.SCHEMA) first",
	"R.NOTE.STATUS":  "one-at-a-time action only",
	"R.COS.WITHDRAW": "one-at-a-time action only",
	"R.CAS.WITHDRAW": "one-at-a-time action only (bdt cas withdraw)",
	"R.COS.TRANSFER": "one-at-a-time action only",
}

// scenarios returns the scenario folders under samples/ (those with an
// inbox/), in name order.
func scenarios(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(samplesDir)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(samplesDir, e.Name())
		if fi, err := os.Stat(filepath.Join(dir, "inbox")); err == nil && fi.IsDir() {
			dirs = append(dirs, dir)
		}
	}
	if len(dirs) == 0 {
		t.Fatalf("no replay scenario (a folder with inbox/) under %s", samplesDir)
	}
	sort.Strings(dirs)
	return dirs
}

// TestSamples replays every scenario and compares its reports with golden/.
func TestSamples(t *testing.T) {
	for _, dir := range scenarios(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			// Every scenario starts from the one sample register.
			if target, err := os.Readlink(filepath.Join(dir, "register.xml")); err != nil || target != "../register.xml" {
				t.Errorf("register.xml must be a symlink to ../register.xml (got %q, %v)", target, err)
			}
			res, err := replay.Run(context.Background(), dir, replay.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Files == 0 || res.Reports == 0 {
				t.Fatalf("nothing replayed: %d files, %d reports", res.Files, res.Reports)
			}
			if len(res.Diffs) > 0 {
				t.Errorf("%d of %d reports differ from golden/ (if the change is intended: bdt replay --update %s, then read every changed report):\n%s",
					len(res.Diffs), res.Reports, dir, strings.Join(res.Diffs, "\n"))
			}
		})
	}
}

// result is what TestSamplesCoverRules reads of a result report.
type result struct {
	XMLName xml.Name `xml:"urn:uk:gov:ukvi:sms:bdt:result:v1 BDTResult"`
	File    struct {
		Name          string `xml:"Name"`
		Kind          string `xml:"Kind"`
		SchemaVersion string `xml:"SchemaVersion"`
		Status        string `xml:"Status"`
	} `xml:"File"`
	FileErrors []finding `xml:"FileErrors>Finding"`
	Records    []struct {
		Index    int       `xml:"Index,attr"`
		Cert     string    `xml:"CertificateNumber"`
		Status   string    `xml:"Status"`
		Findings []finding `xml:"Findings>Finding"`
	} `xml:"Records>Record"`
}

type finding struct {
	Rule     string `xml:"Rule,attr"`
	Severity string `xml:"Severity,attr"`
	Message  string `xml:"Message"`
}

// golden is one golden result report of a scenario.
type golden struct {
	scenario string // folder name, e.g. 02-record-rules
	rel      string // path under golden/, e.g. 4NUV7KB58/fees.result.xml
	raw      []byte
	doc      result
}

func (g golden) String() string { return g.scenario + "/" + g.rel }

// inboxFile returns the path of the upload g answers: golden/L/NAME.result.xml
// answers inbox/L/NAME.xml.
func (g golden) inboxFile() string {
	return filepath.Join(samplesDir, g.scenario, "inbox", filepath.FromSlash(strings.TrimSuffix(g.rel, ".result.xml")+".xml"))
}

// readGoldens reads every golden/**/*.result.xml of every scenario.
func readGoldens(t *testing.T) []golden {
	t.Helper()
	var out []golden
	for _, dir := range scenarios(t) {
		root := filepath.Join(dir, "golden")
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".result.xml") {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			g := golden{scenario: filepath.Base(dir), rel: filepath.ToSlash(rel)}
			if g.raw, err = os.ReadFile(p); err != nil {
				return err
			}
			if err := xml.Unmarshal(g.raw, &g.doc); err != nil {
				return fmt.Errorf("%s: %w", g, err)
			}
			out = append(out, g)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) == 0 {
		t.Fatal("no golden result report")
	}
	return out
}

// TestSamplesCoverRules checks that the golden result reports, taken
// together, exercise every rule a bulk file can raise, every file status,
// every schema version of the fee update and every activity type, and that
// each is valid against result-v1.xsd.
func TestSamplesCoverRules(t *testing.T) {
	goldens := readGoldens(t)

	seenRule := map[string][]string{}        // rule id → where
	seenStatus := map[string][]string{}      // file status → where
	versions := map[string]map[string]bool{} // kind → schema versions
	rejectedByFileRule, rejectedByRecords := false, false
	for _, g := range goldens {
		// Valid against the result schema.
		res, err := schema.Default().Validate(bytes.NewReader(g.raw), nil, schema.Options{})
		if err != nil {
			t.Errorf("%s: %v", g, err)
		} else if !res.Valid() {
			t.Errorf("%s is not valid against result-v1.xsd: %v", g, res.Issues)
		} else if res.Format.Name != "result-v1" {
			t.Errorf("%s: validated as %q, want result-v1", g, res.Format.Name)
		}

		f := g.doc.File
		seenStatus[f.Status] = append(seenStatus[f.Status], g.String())
		if f.Kind != "" {
			if versions[f.Kind] == nil {
				versions[f.Kind] = map[string]bool{}
			}
			versions[f.Kind][f.SchemaVersion] = true
		}
		for _, fi := range g.doc.FileErrors {
			seenRule[fi.Rule] = append(seenRule[fi.Rule], g.String())
		}
		accepted := 0
		for _, r := range g.doc.Records {
			if r.Status == "ACCEPTED" {
				accepted++
			}
			for _, fi := range r.Findings {
				seenRule[fi.Rule] = append(seenRule[fi.Rule], fmt.Sprintf("%s record %d", g, r.Index))
			}
		}
		if f.Status == "REJECTED" {
			if len(g.doc.FileErrors) > 0 {
				rejectedByFileRule = true
			} else if len(g.doc.Records) > 0 && accepted == 0 {
				rejectedByRecords = true
			}
		}
	}

	catalogue := map[string]bool{}
	var missing []string
	for _, r := range rules.Catalogue() {
		catalogue[string(r.ID)] = true
		if _, skip := notExercised[r.ID]; skip {
			continue
		}
		if len(seenRule[string(r.ID)]) == 0 {
			missing = append(missing, string(r.ID))
		}
	}
	if len(missing) > 0 {
		t.Errorf("no golden result report cites these rules: %s", strings.Join(missing, ", "))
	}
	for id, where := range seenRule {
		if !catalogue[id] {
			t.Errorf("rule %q is not in the catalogue (cited in %s)", id, where[0])
		}
	}
	for id := range notExercised {
		if _, ok := rules.Lookup(id); !ok {
			t.Errorf("notExercised names %s, which is not in the catalogue", id)
		}
	}

	missing = nil
	for _, s := range []string{"ACCEPTED", "PARTIALLY_ACCEPTED", "REJECTED", "DUPLICATE"} {
		if len(seenStatus[s]) == 0 {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		t.Errorf("no golden result report has file status %s", strings.Join(missing, ", "))
	}
	if !rejectedByFileRule {
		t.Error("no file is REJECTED by a file rule")
	}
	if !rejectedByRecords {
		t.Error("no file is REJECTED because every one of its records was rejected")
	}

	missing = nil
	for _, v := range []string{"1", "2"} {
		if !versions["feeupdate"][v] {
			missing = append(missing, "feeupdate v"+v)
		}
	}
	for _, k := range []string{"noshow", "studentactivity", "workeractivity"} {
		if !versions[k]["1"] {
			missing = append(missing, k+" v1")
		}
	}
	if len(missing) > 0 {
		t.Errorf("no golden result report for %s", strings.Join(missing, ", "))
	}

	// Every activity type is applied at least once: the accepted records of
	// the results, looked up in the uploads they answer.
	applied := acceptedActivityTypes(t, goldens)
	missing = nil
	for _, at := range []rules.ActivityType{
		rules.StudentDidNotEnrol, rules.StudentDiscontinued, rules.StudentAbsent, rules.StudentSuspended,
		rules.StudentEarlyCompletion, rules.StudentSponsorshipWithdrawn, rules.StudentPreviousWithdrawn, rules.StudentOtherChange,
		rules.WorkerDidNotStart, rules.WorkerStopped, rules.WorkerAbsent, rules.WorkerChange,
		rules.WorkerSponsorshipWithdrawn, rules.WorkerPreviousWithdrawn,
	} {
		if !applied[at] {
			missing = append(missing, string(at))
		}
	}
	if len(missing) > 0 {
		t.Errorf("no accepted record of activity type %s", strings.Join(missing, ", "))
	}
}

// upload is what acceptedActivityTypes reads of an uploaded file: its root,
// and for each direct child (the header, then the records) its activity type.
type upload struct {
	XMLName  xml.Name
	Children []struct {
		XMLName      xml.Name
		ActivityType string `xml:"ActivityType"`
	} `xml:",any"`
}

// acceptedActivityTypes returns the activity types of the accepted records of
// the no-show and activity files among goldens (a no-show is
// STUDENT_DID_NOT_ENROL).
func acceptedActivityTypes(t *testing.T, goldens []golden) map[rules.ActivityType]bool {
	t.Helper()
	out := map[rules.ActivityType]bool{}
	for _, g := range goldens {
		switch g.doc.File.Kind {
		case "noshow", "studentactivity", "workeractivity":
		default:
			continue
		}
		var accepted []int
		for _, r := range g.doc.Records {
			if r.Status == "ACCEPTED" {
				accepted = append(accepted, r.Index)
			}
		}
		if len(accepted) == 0 {
			continue
		}
		b, err := os.ReadFile(g.inboxFile())
		if err != nil {
			t.Errorf("%s: the upload it answers: %v", g, err)
			continue
		}
		var u upload
		if err := xml.Unmarshal(b, &u); err != nil {
			t.Errorf("%s: %v", g.inboxFile(), err)
			continue
		}
		var types []string // record i (1-based) is types[i-1]
		for _, c := range u.Children {
			if c.XMLName.Local != "Header" {
				types = append(types, c.ActivityType)
			}
		}
		for _, i := range accepted {
			if i < 1 || i > len(types) {
				t.Errorf("%s: record %d is not in %s", g, i, g.inboxFile())
				continue
			}
			at := rules.ActivityType(types[i-1])
			if g.doc.File.Kind == "noshow" {
				at = rules.StudentDidNotEnrol
			}
			out[at] = true
		}
	}
	return out
}

// certNumber matches a CAS or CoS number in a message.
var certNumber = regexp.MustCompile(`\b[A-Z0-9]{14}\b`)

// TestSamplesCertNotDisclosed checks, in 02-record-rules, that a certificate
// of another sponsor is reported in exactly the words of one that does not
// exist (R.CERT.FOUND), and that for a Level 2 user a colleague's certificate
// (R.CERT.OWNER) reads like a missing one too.
func TestSamplesCertNotDisclosed(t *testing.T) {
	byName := map[string]golden{}
	for _, g := range readGoldens(t) {
		byName[g.String()] = g
	}
	// record returns the single finding of record i of the golden named name,
	// with its certificate number masked.
	record := func(name string, i int) (rule, cert, masked string) {
		t.Helper()
		g, ok := byName[name]
		if !ok {
			t.Fatalf("no golden %s", name)
		}
		for _, r := range g.doc.Records {
			if r.Index == i {
				if len(r.Findings) != 1 {
					t.Fatalf("%s record %d: %d findings, want 1", name, i, len(r.Findings))
				}
				f := r.Findings[0]
				return f.Rule, r.Cert, certNumber.ReplaceAllString(f.Message, "<number>")
			}
		}
		t.Fatalf("%s has no record %d", name, i)
		return
	}
	for _, c := range []struct {
		what         string
		a, b         string // golden names
		ia, ib       int    // record indexes
		ruleA, ruleB string
	}{
		{"missing CAS / another sponsor's CAS (Level 1)",
			"02-record-rules/4NUV7KB58/noshow-2026-11-19.result.xml", "02-record-rules/4NUV7KB58/noshow-2026-11-19.result.xml", 2, 3,
			"R.CERT.FOUND", "R.CERT.FOUND"},
		{"missing CAS / another sponsor's CoS given as a CAS (Level 1)",
			"02-record-rules/4NUV7KB58/noshow-2026-11-19.result.xml", "02-record-rules/4NUV7KB58/activity-2026-11-20.result.xml", 2, 5,
			"R.CERT.FOUND", "R.CERT.FOUND"},
		{"missing CAS / another sponsor's CAS in a fee update (Level 1)",
			"02-record-rules/4NUV7KB58/noshow-2026-11-19.result.xml", "02-record-rules/4NUV7KB58/fees-2026-11-20.result.xml", 2, 4,
			"R.CERT.FOUND", "R.CERT.FOUND"},
		{"a colleague's CAS / a missing CAS (Level 2)",
			"02-record-rules/4NUV7KB58/activity-io02-2026-11-20.result.xml", "02-record-rules/4NUV7KB58/activity-io02-2026-11-20.result.xml", 2, 3,
			"R.CERT.OWNER", "R.CERT.FOUND"},
	} {
		ruleA, certA, msgA := record(c.a, c.ia)
		ruleB, certB, msgB := record(c.b, c.ib)
		if ruleA != c.ruleA || ruleB != c.ruleB {
			t.Errorf("%s: rules %s and %s, want %s and %s", c.what, ruleA, ruleB, c.ruleA, c.ruleB)
		}
		if certA == certB {
			t.Errorf("%s: both records name %s; the scenario must compare two certificates", c.what, certA)
		}
		if msgA != msgB {
			t.Errorf("%s: the messages differ, so they tell the two apart:\n  %s: %q\n  %s: %q", c.what, certA, msgA, certB, msgB)
		}
	}
}

// TestGoldenChangeFails copies a scenario, changes one byte of one golden
// report, and checks that replay reports exactly that report as a readable
// unified diff.
func TestGoldenChangeFails(t *testing.T) {
	src := scenarios(t)[0]
	dir := filepath.Join(t.TempDir(), filepath.Base(src))
	copyDeref(t, src, dir)

	// The untouched copy replays clean.
	res, err := replay.Run(context.Background(), dir, replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diffs) != 0 {
		t.Fatalf("the unchanged copy of %s differs from its golden reports:\n%s", src, strings.Join(res.Diffs, "\n"))
	}

	// Change one byte: the first letter of the first file Status.
	var rel string
	err = filepath.WalkDir(filepath.Join(dir, "golden"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && rel == "" && strings.HasSuffix(p, ".result.xml") {
			rel, _ = filepath.Rel(filepath.Join(dir, "golden"), p)
		}
		return err
	})
	if err != nil || rel == "" {
		t.Fatalf("no golden result report in %s (%v)", dir, err)
	}
	rel = filepath.ToSlash(rel)
	p := filepath.Join(dir, "golden", filepath.FromSlash(rel))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	const tag = "<Status>"
	i := bytes.Index(b, []byte(tag))
	if i < 0 {
		t.Fatalf("%s has no %s", rel, tag)
	}
	lineStart := bytes.LastIndexByte(b[:i], '\n') + 1
	lineEnd := i + bytes.IndexByte(b[i:], '\n')
	want := string(b[lineStart:lineEnd]) // the line as produced
	at := i + len(tag)
	b[at] ^= 0x20 // ACCEPTED -> aCCEPTED
	changed := string(b[lineStart:lineEnd])
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}

	res, err = replay.Run(context.Background(), dir, replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diffs) != 1 {
		t.Fatalf("after changing one byte of golden/%s: %d diffs, want 1:\n%s", rel, len(res.Diffs), strings.Join(res.Diffs, "\n"))
	}
	d := res.Diffs[0]
	for _, s := range []string{
		"--- golden/" + rel,
		"+++ got/" + rel,
		"\n-" + changed + "\n",
		"\n+" + want + "\n",
	} {
		if !strings.Contains(d, s) {
			t.Errorf("the diff does not contain %q:\n%s", s, d)
		}
	}
	removed, added := 0, 0
	for _, l := range strings.Split(d, "\n") {
		switch {
		case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"):
		case strings.HasPrefix(l, "-"):
			removed++
		case strings.HasPrefix(l, "+"):
			added++
		}
	}
	if removed != 1 || added != 1 {
		t.Errorf("the diff should change exactly one line (-%d +%d):\n%s", removed, added, d)
	}
}

// copyDeref copies the tree at src to dst, following symbolic links (the
// scenario's register.xml links to ../register.xml, which a copy elsewhere
// would not find).
func copyDeref(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		fi, err := os.Stat(p) // follows links
		if err != nil {
			return err
		}
		if fi.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(filepath.Join(dst, "register.xml")); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("register.xml was not copied as a regular file (%v)", err)
	}
}
