package report

import (
	"bytes"
	"html/template"
	"regexp"
	"strings"
	"testing"
	"time"

	"bdt/rules"
)

func summaryOf(t *testing.T, f *File) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteSummary(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestSummaryRuleLinksAndExplanations checks that every rule id the page
// links to has its entry, with the catalogue's explanation, and that the
// page explains only the rules it cites.
func TestSummaryRuleLinksAndExplanations(t *testing.T) {
	page := summaryOf(t, sample())
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`id="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		ids[m[1]] = true
	}
	links := regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(links) == 0 {
		t.Fatal("no rule links")
	}
	for _, m := range links {
		if !ids[m[1]] {
			t.Errorf("link to #%s, which the page has no entry for", m[1])
		}
	}
	cited := []rules.RuleID{"R.FEE.ASSIGNED", "R.FEE.EXCEEDS"}
	for _, id := range cited {
		e, _ := rules.Explain(id)
		for _, want := range []string{`<section id="` + ruleAnchor(id) + `">`, template.HTMLEscapeString(e.Meaning), template.HTMLEscapeString(e.Fix)} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page lacks %q", id, want)
			}
		}
	}
	if got := strings.Count(page, "<section id="); got != len(cited) {
		t.Errorf("%d explanations, want only the %d rules cited", got, len(cited))
	}
	if !strings.Contains(page, "What these findings mean and how to fix them") {
		t.Error("no explanations heading")
	}
}

// TestSummaryAcceptedRecords checks that the accepted records are listed
// with their confirmation references, in a details element, and no rejected one.
func TestSummaryAcceptedRecords(t *testing.T) {
	page := summaryOf(t, sample())
	i, j := strings.Index(page, "<details>"), strings.Index(page, "</details>")
	if i < 0 || j < i {
		t.Fatal("no details section")
	}
	details := page[i:j]
	for _, want := range []string{"BDT-AAAA", "BDT-BBBB", "CAS26000000001", "CAS26000000003", "<caption>"} {
		if !strings.Contains(details, want) {
			t.Errorf("accepted records lack %q", want)
		}
	}
	if strings.Contains(details, "CAS26000000002") {
		t.Error("the rejected record is listed as accepted")
	}
}

// TestSummaryUKTime checks that the page gives times in UK time with the
// zone, in winter and in summer.
func TestSummaryUKTime(t *testing.T) {
	for at, want := range map[time.Time]string{
		time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC): "23 November 2026, 02:00 GMT",
		time.Date(2026, 7, 1, 23, 30, 0, 0, time.UTC): "2 July 2026, 00:30 BST",
	} {
		f := sample()
		f.ProcessedAt = at
		if page := summaryOf(t, f); !strings.Contains(page, want) {
			t.Errorf("processed at %s: the page lacks %q", at, want)
		}
	}
}

// TestSummaryAccessibleMarkup checks the markup a screen reader relies on:
// the page's language, a caption on every table, a scope on every header
// cell, and each finding's severity in words.
func TestSummaryAccessibleMarkup(t *testing.T) {
	page := summaryOf(t, sample())
	if !strings.Contains(page, `<html lang="en-GB">`) {
		t.Error("no lang")
	}
	if tables, captions := strings.Count(page, "<table"), strings.Count(page, "<caption>"); tables != captions || tables < 3 {
		t.Errorf("%d tables, %d captions", tables, captions)
	}
	if all, scoped := len(regexp.MustCompile(`<th[ >]`).FindAllString(page, -1)), strings.Count(page, `<th scope="`); all != scoped {
		t.Errorf("%d header cells, %d with a scope", all, scoped)
	}
	if !strings.Contains(page, `<td class="warning">warning</td>`) || !strings.Contains(page, `<td class="error">error</td>`) {
		t.Error("severity not in words")
	}
	if !strings.Contains(page, "@media print") {
		t.Error("no print stylesheet")
	}
}
