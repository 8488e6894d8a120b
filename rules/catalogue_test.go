package rules

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aymanbagabas/go-udiff"
)

// catalogueDoc is the catalogue kept in the repository, relative to this
// package's directory.
const catalogueDoc = "../docs/rules.md"

var update = flag.Bool("update", false, "rewrite "+catalogueDoc+" from the engine")

// TestCatalogueDoc checks that docs/rules.md is the engine's catalogue as
// CatalogueMarkdown renders it (with -update, it rewrites the file).
func TestCatalogueDoc(t *testing.T) {
	want := CatalogueMarkdown()
	if *update {
		if err := os.WriteFile(catalogueDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(catalogueDoc)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s is not the engine's catalogue; run go test ./rules -run TestCatalogueDoc -update\n%s",
			catalogueDoc, udiff.Unified(catalogueDoc, "rules.CatalogueMarkdown()", string(got), want))
	}
}

// sharedRulesDoc is the project's shared RULES.md, outside the repository
// (relative to this package's directory): present in the project's own
// checkout, absent from a plain clone.
const sharedRulesDoc = "../../shared/RULES.md"

// TestCatalogueMatchesRulesDoc reads the rule tables of the shared RULES.md,
// where it exists, and checks that the catalogue holds every id of its "File
// rules" and "Record rules" tables, in their order, with their severities,
// scopes and sources. The catalogue may hold more ids only where RULES.md
// lists them among those the open issues add (its last section), and may
// lack those.
func TestCatalogueMatchesRulesDoc(t *testing.T) {
	b, err := os.ReadFile(sharedRulesDoc)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is not here (a clone without the project's shared folder); %s is checked by TestCatalogueDoc", sharedRulesDoc, catalogueDoc)
	}
	if err != nil {
		t.Fatal(err)
	}
	doc, added := parseRulesDoc(string(b))
	if len(doc) == 0 {
		t.Fatalf("no rule rows found in %s", sharedRulesDoc)
	}
	inDoc := map[RuleID]bool{}
	for _, d := range doc {
		inDoc[d.ID] = true
		got, ok := Lookup(d.ID)
		switch {
		case !ok:
			t.Errorf("RULES.md has %s, the catalogue does not", d.ID)
		case got.Severity != d.Severity || got.Scope != d.Scope || got.Source != d.Source:
			t.Errorf("%s: catalogue %s %s %q; RULES.md %s %s %q", d.ID,
				got.Severity, got.Scope, got.Source, d.Severity, d.Scope, d.Source)
		}
	}
	// The ids both hold come in the same order.
	var order, docOrder []RuleID
	for _, r := range Catalogue() {
		switch {
		case inDoc[r.ID]:
			order = append(order, r.ID)
		case !added[r.ID]:
			t.Errorf("the catalogue has %s, RULES.md does not (not even among the ids the open issues add)", r.ID)
		}
	}
	for _, d := range doc {
		if _, ok := Lookup(d.ID); ok {
			docOrder = append(docOrder, d.ID)
		}
	}
	if !slices.Equal(order, docOrder) {
		t.Errorf("the order differs:\ncatalogue %v\nRULES.md  %v", order, docOrder)
	}
}

// parseRulesDoc reads the rule rows of RULES.md: those of the "File rules"
// and "Record rules" tables, in order, with the scope of their table, and
// the ids of the section "Added by the open issues".
func parseRulesDoc(text string) (doc []Rule, added map[RuleID]bool) {
	added = map[RuleID]bool{}
	section := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "## File rules"):
			section = ScopeFile
		case strings.HasPrefix(line, "## Record rules"):
			section = ScopeRecord
		case strings.HasPrefix(line, "## Added by the open issues"):
			section = "added"
		case strings.HasPrefix(line, "## "):
			section = ""
		}
		if section == "" || !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 4 {
			continue
		}
		// The id is the cell's first word: a row may qualify it, as in
		// "F.LICENCE.SUSPENDED (wider)".
		id, _, _ := strings.Cut(strings.TrimSpace(cells[0]), " ")
		if !strings.HasPrefix(id, "F.") && !strings.HasPrefix(id, "R.") {
			continue // the header and the separator rows
		}
		if section == "added" {
			added[RuleID(id)] = true
			continue
		}
		doc = append(doc, Rule{ID: RuleID(id), Severity: Severity(strings.TrimSpace(cells[1])),
			Scope: section, Source: strings.TrimSpace(cells[len(cells)-1])})
	}
	return doc, added
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
