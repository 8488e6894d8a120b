package browsertest

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"bdt/bdt/chrometest"
	"bdt/rules"
)

// goldenSummaries is every sample scenario's golden summary pages.
const goldenSummaries = "../../../samples/*/golden/*/*.summary.html"

// pageCheck is what checkPage (in the page) found.
type pageCheck struct {
	Counts    map[string]string // the counts table: heading → the number under it
	Misplaced []string          // cells not under their heading
	BadLinks  []string          // links to no entry, or to another rule's
	Unlinked  []string          // table cells naming a rule without linking it
	Links     int
}

// checkPage opens every details element (so axe sees what is inside) and
// checks the counts table's cells against their headings' boxes and every
// link against its target: the entry of the rule it names, with its
// explanation (${meaning}: rules.MeaningHeading).
const checkPage = `(() => {
	const out = {Counts: {}, Misplaced: [], BadLinks: [], Unlinked: [], Links: 0};
	document.querySelectorAll('details').forEach(d => { d.open = true; });
	const t = document.getElementById('counts');
	if (!t || !t.tHead || !t.tBodies.length) {
		out.Misplaced.push('no counts table (#counts) with a head and a body');
	} else {
		const heads = [...t.tHead.rows[0].cells];
		for (const row of t.tBodies[0].rows) {
			const cells = [...row.cells];
			if (cells.length !== heads.length) {
				out.Misplaced.push(cells.length + ' cells under ' + heads.length + ' headings');
			}
			cells.forEach((c, i) => {
				const h = heads[i];
				if (!h) return;
				const a = c.getBoundingClientRect(), b = h.getBoundingClientRect();
				const name = h.textContent.trim();
				if (h.getAttribute('scope') !== 'col') out.Misplaced.push(name + ': heading without scope="col"');
				if (Math.abs(a.left - b.left) > 0.5 || Math.abs(a.right - b.right) > 0.5 || a.top < b.bottom - 0.5) {
					out.Misplaced.push(name + ': cell at x ' + a.left + '–' + a.right + ', y ' + a.top +
						'; heading at x ' + b.left + '–' + b.right + ', bottom ' + b.bottom);
				}
				out.Counts[name] = c.textContent.trim();
			});
		}
	}
	for (const a of document.querySelectorAll('a')) {
		out.Links++;
		const href = a.getAttribute('href') || '';
		const target = href.startsWith('#') ? document.getElementById(decodeURIComponent(href.slice(1))) : null;
		if (!target || target.id !== 'rule-' + a.textContent.trim() || !target.textContent.includes('${meaning}')) {
			out.BadLinks.push(href + ' (' + a.textContent + ')');
		}
	}
	for (const c of document.querySelectorAll('td, th')) {
		const s = c.textContent.trim();
		if (/^[FR]\.[A-Z]+(\.[A-Z]+)*$/.test(s) && !c.querySelector('a')) out.Unlinked.push(s);
	}
	return out;
})()`

// printsFolded returns the summary of each closed details element whose
// tables do not show: run with the print media, where the page's print
// stylesheet unfolds them (a printed page has no click).
const printsFolded = `[...document.querySelectorAll('details')]
	.filter(d => !d.open && [...d.querySelectorAll('table')].some(t => !t.checkVisibility()))
	.map(d => d.querySelector('summary').textContent)`

var countsAttr = regexp.MustCompile(`<Counts ([^>]*)>`)
var attr = regexp.MustCompile(`(\w+)="([^"]*)"`)

// resultCounts returns the Counts attributes of the result report beside a
// summary page.
func resultCounts(t *testing.T, summary string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(strings.TrimSuffix(summary, ".summary.html") + ".result.xml")
	if err != nil {
		t.Fatal(err)
	}
	m := countsAttr.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no Counts in the result report beside %s", summary)
	}
	out := map[string]string{}
	for _, a := range attr.FindAllSubmatch(m[1], -1) {
		out[string(a[1])] = string(a[2])
	}
	return out
}

// TestSummariesInChromium opens every sample's golden summary page in one
// headless Chromium tab, in turn.
func TestSummariesInChromium(t *testing.T) {
	tab := chrometest.Start(t)
	pages, err := filepath.Glob(goldenSummaries)
	if err != nil || len(pages) == 0 {
		t.Fatalf("no golden summary pages (%s): %v", goldenSummaries, err)
	}

	check := strings.ReplaceAll(checkPage, "${meaning}", rules.MeaningHeading)
	links := 0
	for _, path := range pages {
		abs, err := filepath.Abs(path)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(path, "../../../samples/")
		t.Run(name, func(t *testing.T) {
			page := (&url.URL{Scheme: "file", Path: abs}).String()
			tab.Take()
			if err := chromedp.Do(tab.Ctx, chromedp.Navigate(page)); err != nil {
				t.Fatalf("opening %s: %v", page, err)
			}
			if _, err := chromedp.Call(tab.Ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
				t.Fatal(err)
			}
			folded, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[[]string](printsFolded))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range folded {
				t.Errorf("printed, the folded section %q hides its table", f)
			}
			if _, err := chromedp.Call(tab.Ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
				t.Fatal(err)
			}
			got, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[pageCheck](check))
			if err != nil {
				t.Fatal(err)
			}
			links += got.Links
			for _, m := range got.Misplaced {
				t.Errorf("counts table: %s", m)
			}
			for heading, want := range resultCounts(t, path) {
				if got.Counts[heading] != want {
					t.Errorf("counts table: %q under %s, the result report says %q", got.Counts[heading], heading, want)
				}
			}
			for _, l := range got.BadLinks {
				t.Errorf("link %s goes to no explanation of its rule", l)
			}
			for _, u := range got.Unlinked {
				t.Errorf("rule id %s is not a link to its explanation", u)
			}
			tab.Check(t, func(r string) bool { return r == page })
		})
	}
	if links == 0 {
		t.Error("no page had a rule link: the samples no longer show a finding")
	}
}
