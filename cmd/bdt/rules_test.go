package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"bdt/rules"
)

// captureRules runs bdt with args and returns its exit code and standard output.
func captureRules(t *testing.T, args ...string) (int, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() { b, _ := io.ReadAll(r); done <- string(b) }()
	code := run(args)
	w.Close()
	os.Stdout = old
	return code, <-done
}

func TestRulesText(t *testing.T) {
	code, out := captureRules(t, "rules", "--format", "text")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	cat := rules.Catalogue()
	if len(lines) != len(cat)+1 || !strings.HasPrefix(lines[0], "ID ") {
		t.Fatalf("want a header and %d rows, got:\n%s", len(cat), out)
	}
	col := strings.Index(lines[0], "SEVERITY")
	for i, r := range cat {
		f := strings.Fields(lines[i+1])
		if len(f) < 4 || f[0] != string(r.ID) || f[1] != string(r.Severity) || f[2] != r.Scope {
			t.Errorf("row %d = %q, want %s %s %s", i+1, lines[i+1], r.ID, r.Severity, r.Scope)
		}
		if !strings.Contains(lines[i+1], "  "+r.Source+"  ") {
			t.Errorf("row %d does not give the source %q: %q", i+1, r.Source, lines[i+1])
		}
		if !strings.HasSuffix(lines[i+1], r.Summary) {
			t.Errorf("row %d does not end with the summary: %q", i+1, lines[i+1])
		}
		if got := strings.Index(lines[i+1], string(r.Severity)); got != col {
			t.Errorf("row %d: severity at column %d, header at %d (not aligned)", i+1, got, col)
		}
	}
}

func TestRulesJSON(t *testing.T) {
	code, out := captureRules(t, "rules", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var got []rules.Rule
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var r rules.Rule
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, r)
	}
	want := rules.Catalogue()
	if len(got) != len(want) {
		t.Fatalf("%d rules, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rule %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if !strings.Contains(out, `"id":"R.ACTIVITY.LATE","severity":"warning","scope":"record"`) {
		t.Errorf("JSON field names are not id, severity, scope: %s", out)
	}
}

func TestRulesMarkdown(t *testing.T) {
	code, out := captureRules(t, "rules", "--format", "markdown")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if want := rules.CatalogueMarkdown(); out != want {
		t.Errorf("got:\n%s\nwant rules.CatalogueMarkdown():\n%s", out, want)
	}
	captureRules(t, "rules", "--format", "text") // leave the flag as it was
}

func TestRulesBadFormat(t *testing.T) {
	if code, _ := captureRules(t, "rules", "--format", "yaml"); code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	captureRules(t, "rules", "--format", "text") // leave the flag as it was
}

// TestRulesExplain runs `bdt rules --explain` on every rule of the catalogue
// (text, its id in any case, and json) and on an id that is none.
func TestRulesExplain(t *testing.T) {
	for _, r := range rules.Catalogue() {
		e, _ := rules.Explain(r.ID)
		code, out := captureRules(t, "rules", "--explain", strings.ToLower(string(r.ID)))
		if code != exitOK {
			t.Fatalf("%s: exit %d", r.ID, code)
		}
		for _, want := range []string{string(r.ID), r.Summary, rules.MeaningHeading, e.Meaning, rules.FixHeading, e.Fix} {
			if !strings.Contains(out, want) {
				t.Errorf("--explain %s lacks %q:\n%s", r.ID, want, out)
			}
		}
		code, out = captureRules(t, "rules", "--explain", string(r.ID), "--format", "json")
		var got struct {
			ID           rules.RuleID
			Meaning, Fix string
		}
		if err := json.Unmarshal([]byte(out), &got); code != exitOK || err != nil || got.ID != r.ID || got.Meaning != e.Meaning || got.Fix != e.Fix {
			t.Errorf("--explain %s --format json: exit %d, %v: %s", r.ID, code, err, out)
		}
		captureRules(t, "rules", "--format", "text") // leave the flag as it was
	}
	if code, out := captureRules(t, "rules", "--explain", "R.NO.SUCH.RULE"); code != exitUsage || out != "" {
		t.Errorf("unknown id: exit %d, output %q; want %d and nothing", code, out, exitUsage)
	}
}
