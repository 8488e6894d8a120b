package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"bdt/bdt/action/actiontest"
	"bdt/bdt/store/postgres/pgtest"
	"bdt/rules"
	"bdt/schema"
)

// The tests of bdt cas search, bdt cos search and bdt export run the real
// binary against the sample register (samples/register.xml; see bdt/action's
// tests for who is who) imported into SQLite and into PostgreSQL.

// Licences and users of the sample register.
const (
	wessex      = "4NUV7KB58" // A-rated, Student
	lagan       = "NTMHWM0V3" // A-rated, Worker
	strathmore  = "S7KQ2LMX4" // A-rated, Student and Worker
	kensington  = "B3RT9XK21" // suspended
	dyfi        = "D7FY4VG22" // dormant
	cairngorm   = "E9XP1RD30" // expired
	harbour     = "R0VK8TQ55" // revoked
	midlands    = "M2BR8TN46" // B-rated
	wessexL1    = "jsmith01"
	wessexL2    = "intl.office02"
	wessexL2b   = "intl.office03"
	laganL1     = "squinn"
	laganL2     = "cdoherty"
	strathL1    = "fmacleod"
	strathL2    = "creid.hr"
	suspendedL1 = "kce.director"
	dormantL1   = "gwen.hughes"
	expiredL1   = "cairn.admin"
	revokedL1   = "hla.owner"
	bratedL1    = "rpatel"
)

// registers runs test once against each driver, on a register holding the
// sample imported by bin: a SQLite file and a PostgreSQL schema of its own
// (skipped without a server, failed in CI).
func registers(t *testing.T, bin string, test func(t *testing.T, db string)) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			db := "sqlite:" + filepath.Join(t.TempDir(), "bdt.db")
			if driver == "postgres" {
				db = pgtest.DSN(t)
			}
			if out, err := exec.Command(bin, "register", "import", "--db", db, actiontest.SamplePath()).CombinedOutput(); err != nil {
				t.Fatalf("register import: %v\n%s", err, out)
			}
			test(t, db)
		})
	}
}

// runBinary runs bin with args and returns its exit code and outputs.
func runBinary(t *testing.T, bin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runBinaryInput(t, bin, "", args...)
}

// runBinaryInput is runBinary with in on bin's standard input.
func runBinaryInput(t *testing.T, bin, in string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(in)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}

// sampleNumbers returns the numbers of the sample's certificates of kind k
// and licence that keep says to, in number order.
func sampleNumbers(t *testing.T, k rules.CertKind, licence string, keep func(c *rules.Certificate) bool) []string {
	var out []string
	for _, c := range actiontest.Sample(t).Certificates {
		if c.Kind == k && c.Sponsor == licence && (keep == nil || keep(&c)) {
			out = append(out, c.Number)
		}
	}
	slices.Sort(out)
	return out
}

// listingCase is one run of a search or an export: exit code 0 with the
// certificates want (in order), or exit 1 with one finding of rule.
type listingCase struct {
	name string
	args []string
	want []string
	rule rules.RuleID
}

// checkRefused checks the output of a refused run: exit 1 and one finding
// line citing rule.
func checkRefused(t *testing.T, rule rules.RuleID, code int, stdout, stderr string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	if code != exitFailed || len(lines) != 1 || !findingLine.MatchString(lines[0]) || !strings.HasPrefix(lines[0], string(rule)+" (error)") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1 and one %s finding", code, stdout, stderr, rule)
	}
}

func TestSearchCLI(t *testing.T) {
	bin := sharedBinary(t)
	registers(t, bin, func(t *testing.T, db string) {
		search := func(kind string, args ...string) (int, string, string) {
			return runBinary(t, bin, slices.Concat([]string{kind, "search", "--db", db, "--now", actionNow}, args)...)
		}
		for _, tc := range []listingCase{
			{name: "family name", args: []string{"cas", "--user", wessexL1, "--family-name", "Okafor"},
				want: []string{"CAS26000000001", "CAS26000000101", "CAS26000000202"}},
			{name: "nationality: never another sponsor's", args: []string{"cas", "--user", wessexL1, "--nationality", "NGA"},
				want: []string{"CAS26000000001", "CAS26000000008", "CAS26000000101", "CAS26000000202"}},
			{name: "the other sponsor's own", args: []string{"cas", "--user", strathL1, "--nationality", "NGA"},
				want: []string{"CAS26000000302"}},
			{name: "Level 2: only their own", args: []string{"cas", "--user", wessexL2, "--nationality", "NGA"},
				want: []string{"CAS26000000001", "CAS26000000101"}},
			{name: "Level 2: another user's", args: []string{"cas", "--user", wessexL2b, "--family-name", "Okafor"}},
			{name: "date of birth and given names", args: []string{"cas", "--user", wessexL1, "--dob", "2005-04-17", "--given-names", "Ngozi"},
				want: []string{"CAS26000000202"}},
			{name: "sponsor reference", args: []string{"cas", "--user", wessexL1, "--sponsor-reference", "S2600388"},
				want: []string{"CAS26000000003"}},
			{name: "sponsor reference, Level 2 not the owner", args: []string{"cas", "--user", wessexL2, "--sponsor-reference", "S2600388"}},
			{name: "another sponsor's reference", args: []string{"cas", "--user", strathL1, "--sponsor-reference", "S2600388"}},
			{name: "CoS", args: []string{"cos", "--user", laganL1, "--nationality", "IND"},
				want: []string{"COS26000000002", "COS26000000008"}},
			{name: "CoS, Level 2", args: []string{"cos", "--user", laganL2, "--nationality", "VNM"}, want: []string{"COS26000000007"}},
			{name: "CoS, Level 2 another user's", args: []string{"cos", "--user", laganL2, "--nationality", "IND"}},
			{name: "CoS, another sponsor's reference", args: []string{"cos", "--user", laganL1, "--sponsor-reference", "E100231"}},
			{name: "CoS, own reference", args: []string{"cos", "--user", strathL2, "--sponsor-reference", "E100231"}, want: []string{"COS26000000301"}},
			{name: "active B-rated licence", args: []string{"cas", "--user", bratedL1, "--nationality", "NGA"}, want: []string{"CAS26000000701"}},
			{name: "suspended licence", args: []string{"cas", "--user", suspendedL1, "--nationality", "BRA"}, rule: rules.FLicenceSuspended},
			{name: "suspended licence, Level 2", args: []string{"cas", "--user", "kce.admissions", "--nationality", "BRA"}, rule: rules.FLicenceSuspended},
			{name: "dormant licence", args: []string{"cos", "--user", dormantL1, "--nationality", "MDA"}, rule: rules.FLicenceSuspended},
			{name: "revoked licence", args: []string{"cas", "--user", revokedL1, "--nationality", "COL"}, rule: rules.FLicenceAccess},
			{name: "expired licence", args: []string{"cos", "--user", expiredL1, "--nationality", "HUN"}, rule: rules.FLicenceAccess},
			{name: "CoS without a Worker route", args: []string{"cos", "--user", wessexL1, "--nationality", "IND"}, rule: rules.FRoute},
			{name: "another licence named", args: []string{"cas", "--user", wessexL1, "--sponsor", strathmore, "--nationality", "NGA"}, rule: rules.FUser},
		} {
			t.Run(tc.name, func(t *testing.T) {
				code, stdout, stderr := search(tc.args[0], append(tc.args[1:], "--format", "json")...)
				if tc.rule != "" {
					checkRefused(t, tc.rule, code, stdout, stderr)
					return
				}
				if code != exitOK {
					t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
				}
				if got := searchNumbers(t, stdout); !slices.Equal(got, tc.want) {
					t.Errorf("found %v; want %v", got, tc.want)
				}
			})
		}

		t.Run("paged", func(t *testing.T) {
			var got []string
			after := ""
			for range 5 {
				code, stdout, stderr := search("cas", "--user", wessexL1, "--nationality", "NGA", "--limit", "3", "--after", after, "--format", "json")
				if code != exitOK {
					t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
				}
				var page searchPage
				if err := json.Unmarshal([]byte(stdout), &page); err != nil {
					t.Fatal(err)
				}
				if len(page.Certificates) > 3 {
					t.Fatalf("a page of %d; --limit 3", len(page.Certificates))
				}
				got = append(got, searchNumbers(t, stdout)...)
				if after = page.NextAfter; after == "" {
					break
				}
				if after != got[len(got)-1] {
					t.Fatalf("next_after %s; want the last number of the page, %s", after, got[len(got)-1])
				}
			}
			if want := []string{"CAS26000000001", "CAS26000000008", "CAS26000000101", "CAS26000000202"}; !slices.Equal(got, want) {
				t.Errorf("pages hold %v; want %v", got, want)
			}
		})

		t.Run("text", func(t *testing.T) {
			code, stdout, _ := search("cas", "--user", wessexL1, "--nationality", "NGA", "--limit", "2")
			lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
			if code != exitOK || len(lines) != 4 || !strings.HasPrefix(lines[0], "NUMBER") ||
				!strings.HasPrefix(lines[1], "CAS26000000001 ") || !strings.HasPrefix(lines[2], "CAS26000000008 ") ||
				lines[3] != "More CAS match: search again with --after CAS26000000008" {
				t.Errorf("exit %d, output:\n%s", code, stdout)
			}
			code, stdout, _ = search("cos", "--user", laganL2, "--nationality", "IND")
			if code != exitOK || stdout != "No CoS matches.\n" {
				t.Errorf("exit %d, output %q", code, stdout)
			}
		})

		for _, args := range [][]string{
			{"cas", "--user", wessexL1},                        // no detail
			{"cas", "--user", wessexL1, "--dob", "17/04/2005"}, // not a date
			{"cas", "--user", wessexL1, "--nationality", "NGA", "--limit", "101"},
			{"cas", "--nationality", "NGA"}, // no user
		} {
			if code, stdout, stderr := search(args[0], args[1:]...); code != exitUsage || stderr == "" {
				t.Errorf("search %v: exit %d, %q %q; want a usage error", args, code, stdout, stderr)
			}
		}
	})
}

// searchNumbers returns the numbers a search printed as JSON, in order.
func searchNumbers(t *testing.T, stdout string) []string {
	t.Helper()
	var page searchPage
	if err := json.Unmarshal([]byte(stdout), &page); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	var out []string
	for _, c := range page.Certificates {
		out = append(out, c.Number)
	}
	return out
}

// exported is what a test reads back of an export document.
type exported struct {
	XMLName xml.Name
	Header  struct {
		Sponsor      string `xml:"SponsorLicenceNumber"`
		ExportedBy   string `xml:"ExportedBy"`
		ExportedAt   string `xml:"ExportedAt"`
		ChangedSince string `xml:"ChangedSince"`
	} `xml:"Header"`
	Certs []struct {
		CAS              string `xml:"CASNumber"`
		CoS              string `xml:"CoSNumber"`
		SponsorReference string
		Status           string
		StatusChangedAt  string
	} `xml:",any"`
	Count int `xml:"RecordCount"`
}

// readExport checks that doc is valid against the XSD of format (libxml2,
// through schema) and returns what it holds.
func readExport(t *testing.T, doc []byte, format string) (exported, []string) {
	t.Helper()
	res, err := schema.Default().Validate(bytes.NewReader(doc), nil, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid() || res.Format.Name != format {
		t.Fatalf("export validated as %q with %v; want a valid %s\n%s", res.Format.Name, res.Issues, format, doc)
	}
	var e exported
	if err := xml.Unmarshal(doc, &e); err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for _, c := range e.Certs {
		if n := c.CAS + c.CoS; n != "" {
			numbers = append(numbers, n)
		}
	}
	if e.Count != len(numbers) {
		t.Fatalf("RecordCount %d, %d certificates", e.Count, len(numbers))
	}
	return e, numbers
}

// lastChange returns the instant of the last status change of c.
func lastChange(c *rules.Certificate) time.Time {
	if len(c.StatusHistory) == 0 {
		return time.Time{}
	}
	return c.StatusHistory[len(c.StatusHistory)-1].At
}

func TestExportCLI(t *testing.T) {
	bin := sharedBinary(t)
	// since is the middle one of the instants the Wessex CAS last changed.
	var changes []time.Time
	for _, c := range actiontest.Sample(t).Certificates {
		if c.Sponsor == wessex && c.Kind == rules.CAS {
			changes = append(changes, lastChange(&c))
		}
	}
	slices.SortFunc(changes, time.Time.Compare)
	since := changes[len(changes)/2]
	changedSince := func(at time.Time) func(c *rules.Certificate) bool {
		return func(c *rules.Certificate) bool { return !lastChange(c).Before(at) }
	}
	registers(t, bin, func(t *testing.T, db string) {
		dir := t.TempDir()
		export := func(kind string, args ...string) (int, string, string) {
			return runBinary(t, bin, slices.Concat([]string{"export", kind, "--db", db, "--now", actionNow}, args)...)
		}
		for _, tc := range []listingCase{
			{name: "every CAS", args: []string{"cas", "--licence", wessex, "--user", wessexL1},
				want: sampleNumbers(t, rules.CAS, wessex, nil)},
			{name: "Level 2: only their own", args: []string{"cas", "--licence", wessex, "--user", wessexL2},
				want: sampleNumbers(t, rules.CAS, wessex, func(c *rules.Certificate) bool { return c.Owner == wessexL2 })},
			{name: "since, the boundary included", args: []string{"cas", "--licence", wessex, "--user", wessexL1, "--since", since.Format(time.RFC3339Nano)},
				want: sampleNumbers(t, rules.CAS, wessex, changedSince(since))},
			{name: "since a nanosecond later", args: []string{"cas", "--licence", wessex, "--user", wessexL1, "--since", since.Add(time.Nanosecond).Format(time.RFC3339Nano)},
				want: sampleNumbers(t, rules.CAS, wessex, changedSince(since.Add(time.Nanosecond)))},
			{name: "every CoS", args: []string{"cos", "--licence", lagan, "--user", laganL1},
				want: sampleNumbers(t, rules.CoS, lagan, nil)},
			{name: "CoS of the other sponsor", args: []string{"cos", "--licence", strathmore, "--user", strathL1},
				want: sampleNumbers(t, rules.CoS, strathmore, nil)},
			{name: "active B-rated licence", args: []string{"cas", "--licence", midlands, "--user", bratedL1},
				want: sampleNumbers(t, rules.CAS, midlands, nil)},
			{name: "suspended licence", args: []string{"cas", "--licence", kensington, "--user", suspendedL1}, rule: rules.FLicenceSuspended},
			{name: "dormant licence", args: []string{"cos", "--licence", dyfi, "--user", dormantL1}, rule: rules.FLicenceSuspended},
			{name: "revoked licence", args: []string{"cas", "--licence", harbour, "--user", revokedL1}, rule: rules.FLicenceAccess},
			{name: "expired licence", args: []string{"cos", "--licence", cairngorm, "--user", expiredL1}, rule: rules.FLicenceAccess},
			{name: "another sponsor's licence", args: []string{"cas", "--licence", strathmore, "--user", wessexL1}, rule: rules.FUser},
			{name: "CoS without a Worker route", args: []string{"cos", "--licence", wessex, "--user", wessexL1}, rule: rules.FRoute},
		} {
			t.Run(tc.name, func(t *testing.T) {
				kind, format := rules.CAS, "casexport-v1"
				if tc.args[0] == "cos" {
					kind, format = rules.CoS, "cosexport-v1"
				}
				file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".xml")
				if tc.rule != "" {
					// A refused export leaves the file as it was.
					if err := os.WriteFile(file, []byte("before"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				code, stdout, stderr := export(tc.args[0], append(tc.args[1:], "-o", file)...)
				if tc.rule != "" {
					checkRefused(t, tc.rule, code, stdout, stderr)
					if b, err := os.ReadFile(file); err != nil || string(b) != "before" {
						t.Errorf("a refused export changed %s: %q, %v", file, b, err)
					}
					return
				}
				licence := tc.args[2]
				if code != exitOK || stdout != "exported "+strconv.Itoa(len(tc.want))+" "+kindNoun(kind)+" of "+licence+" to "+file+"\n" {
					t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
				}
				doc, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				e, got := readExport(t, doc, format)
				if !slices.Equal(got, tc.want) {
					t.Errorf("exported %v; want %v", got, tc.want)
				}
				if e.Header.Sponsor != licence || e.Header.ExportedBy != tc.args[4] || e.Header.ExportedAt != actionNow {
					t.Errorf("header %+v", e.Header)
				}
				// The same export on standard output.
				code, stdout, stderr = export(tc.args[0], tc.args[1:]...)
				if code != exitOK || stdout != string(doc) || !strings.Contains(stderr, "exported ") {
					t.Errorf("on standard output: exit %d, stderr %q, same document %v", code, stderr, stdout == string(doc))
				}
			})
		}

		t.Run("values", func(t *testing.T) {
			code, stdout, stderr := export("cas", "--licence", wessex, "--user", wessexL1)
			if code != exitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			e, _ := readExport(t, []byte(stdout), "casexport-v1")
			sample := map[string]*rules.Certificate{}
			for _, c := range actiontest.Sample(t).Certificates {
				sample[c.Number] = &c
			}
			for _, x := range e.Certs {
				if x.CAS == "" {
					continue
				}
				c := sample[x.CAS]
				if x.Status != string(c.Status) || x.StatusChangedAt != lastChange(c).UTC().Format(time.RFC3339Nano) {
					t.Errorf("%s: status %s at %s; the register has %s at %v", x.CAS, x.Status, x.StatusChangedAt, c.Status, lastChange(c))
				}
				want := "" // the latest report's that gives one
				for _, r := range c.Activity {
					if r.SponsorReference != "" {
						want = r.SponsorReference
					}
				}
				if x.SponsorReference != want {
					t.Errorf("%s: sponsor reference %q; want %q", x.CAS, x.SponsorReference, want)
				}
			}
		})

		for _, args := range [][]string{
			{"cas", "--user", wessexL1},                                         // no licence
			{"cas", "--licence", wessex},                                        // no user
			{"cas", "--licence", wessex, "--user", wessexL1, "--since", "2026"}, // not an instant
			{"cas", "--licence", wessex, "--user", wessexL1, "extra"},
		} {
			if code, stdout, stderr := export(args[0], args[1:]...); code != exitUsage || stderr == "" || stdout != "" {
				t.Errorf("export %v: exit %d, %q %q; want a usage error", args, code, stdout, stderr)
			}
		}
		if code, _, _ := export("cas", "--licence", wessex, "--user", wessexL1, "-o", filepath.Join(dir, "missing", "x.xml")); code != exitFailed {
			t.Errorf("export into a missing folder: exit %d; want 1", code)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(left) > 0 {
			t.Errorf("temporary files left behind: %v", left)
		}
	})
}
