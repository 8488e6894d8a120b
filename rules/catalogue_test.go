package rules

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// rulesDoc is RULES.md, relative to this package's directory.
const rulesDoc = "../../shared/RULES.md"

// TestCatalogueMatchesRulesDoc reads the rule tables of RULES.md and checks
// that the catalogue holds exactly their ids, in their order, with their
// severities, scopes (the "File rules" or "Record rules" table) and sources,
// so that the code and the document cannot drift apart.
func TestCatalogueMatchesRulesDoc(t *testing.T) {
	f, err := os.Open(rulesDoc)
	if os.IsNotExist(err) {
		t.Skipf("%s is not here", rulesDoc)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var doc []Rule
	scope := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "## File rules"):
			scope = ScopeFile
		case strings.HasPrefix(line, "## Record rules"):
			scope = ScopeRecord
		case strings.HasPrefix(line, "## "):
			scope = ""
		}
		if scope == "" || !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 4 {
			continue
		}
		id := strings.TrimSpace(cells[0])
		if !strings.HasPrefix(id, "F.") && !strings.HasPrefix(id, "R.") {
			continue // the header and the separator rows
		}
		doc = append(doc, Rule{ID: RuleID(id), Severity: Severity(strings.TrimSpace(cells[1])),
			Scope: scope, Source: strings.TrimSpace(cells[len(cells)-1])})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(doc) == 0 {
		t.Fatalf("no rule rows found in %s", rulesDoc)
	}
	got := Catalogue()
	for i := 0; i < len(doc) || i < len(got); i++ {
		switch {
		case i >= len(got):
			t.Errorf("RULES.md has %s, the catalogue does not", doc[i].ID)
		case i >= len(doc):
			t.Errorf("the catalogue has %s, RULES.md does not", got[i].ID)
		case got[i].ID != doc[i].ID || got[i].Severity != doc[i].Severity || got[i].Scope != doc[i].Scope || got[i].Source != doc[i].Source:
			t.Errorf("row %d: catalogue %s %s %s %q; RULES.md %s %s %s %q", i+1,
				got[i].ID, got[i].Severity, got[i].Scope, got[i].Source, doc[i].ID, doc[i].Severity, doc[i].Scope, doc[i].Source)
		}
	}
}

// TestCatalogue checks the catalogue's own consistency and Lookup.
func TestCatalogue(t *testing.T) {
	seen := map[RuleID]bool{}
	for _, r := range Catalogue() {
		if seen[r.ID] {
			t.Errorf("%s twice", r.ID)
		}
		seen[r.ID] = true
		if r.Severity != Error && r.Severity != Warning {
			t.Errorf("%s: severity %q", r.ID, r.Severity)
		}
		wantScope := ScopeRecord
		if strings.HasPrefix(string(r.ID), "F.") {
			wantScope = ScopeFile
		}
		if r.Scope != wantScope || r.Summary == "" || r.Source == "" {
			t.Errorf("%s: scope %q, summary %q, source %q", r.ID, r.Scope, r.Summary, r.Source)
		}
		if got, ok := Lookup(r.ID); !ok || got != r {
			t.Errorf("Lookup(%s) = %+v, %v", r.ID, got, ok)
		}
	}
	if _, ok := Lookup("R.NO.SUCH.RULE"); ok {
		t.Error("Lookup finds an unknown rule")
	}
	c := Catalogue()
	c[0].Severity = Warning
	if Catalogue()[0].Severity != Error {
		t.Error("Catalogue hands out its own array")
	}
}

// TestNewFinding checks severities come from the catalogue, for every rule,
// including those the pipeline decides itself.
func TestNewFinding(t *testing.T) {
	for _, r := range Catalogue() {
		t.Run(string(r.ID), func(t *testing.T) {
			f := NewFinding(r.ID, "CASNumber", "CAS %s: %d%%", "X", 5)
			want := Finding{Rule: r.ID, Severity: r.Severity, Field: "CASNumber", Message: "CAS X: 5%"}
			if f != want {
				t.Errorf("got %+v, want %+v", f, want)
			}
		})
	}
	defer func() {
		if recover() == nil {
			t.Error("NewFinding of an unknown rule did not panic")
		}
	}()
	NewFinding("R.NO.SUCH.RULE", "", "x")
}
