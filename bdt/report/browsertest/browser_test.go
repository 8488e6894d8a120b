package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"bdt/rules"
)

// chromium is where Debian's chromium package (.ci/deps.sh) puts the browser.
const chromium = "/usr/bin/chromium"

// goldenSummaries is every sample scenario's golden summary pages.
const goldenSummaries = "../../../samples/*/golden/*/*.summary.html"

// wcagTags are the axe-core tags of WCAG 2.2 level A and AA.
var wcagTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// axePath returns where .ci/deps.sh installs axe-core: under BDT_TOOLS, by
// default $HOME/.cache/bdt-tools.
func axePath() string {
	tools := os.Getenv("BDT_TOOLS")
	if tools == "" {
		home, _ := os.UserHomeDir()
		tools = filepath.Join(home, ".cache", "bdt-tools")
	}
	return filepath.Join(tools, "axe", "node_modules", "axe-core", "axe.min.js")
}

// need skips the test when a tool it needs is missing, or fails it under CI.
func need(t *testing.T, path, what string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing (%v); .ci/deps.sh installs it", what, err)
		}
		t.Skipf("%s is missing (%v); .ci/deps.sh installs it", what, err)
	}
}

// pageEvents is what the tab reported while one page was shown: each
// request's URL and each console error. The listener runs in chromedp's
// loop; the test reads after each page.
type pageEvents struct {
	mu       sync.Mutex
	requests []string
	errors   []string
}

func (e *pageEvents) listen(ev any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		e.requests = append(e.requests, ev.Request.URL)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			args := make([]string, len(ev.Args))
			for i, a := range ev.Args {
				args[i] = a.Description
				if args[i] == "" {
					args[i] = string(a.Value)
				}
			}
			e.errors = append(e.errors, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
		}
	case *runtime.EventExceptionThrown:
		e.errors = append(e.errors, "exception: "+ev.ExceptionDetails.Text)
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			e.errors = append(e.errors, fmt.Sprintf("%s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

// take returns what was reported since the last take, and forgets it.
func (e *pageEvents) take() (requests, errors []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	requests, errors = e.requests, e.errors
	e.requests, e.errors = nil, nil
	return requests, errors
}

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

// axeViolation is one of axe-core's violations, cut to what a failure shows.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

// runAxe is the call of axe-core on the page, with the WCAG 2.2 AA tags.
func runAxe() string {
	tags := `"` + strings.Join(wcagTags, `","`) + `"`
	return `axe.run(document, {runOnly: {type: "tag", values: [` + tags + `]}, resultTypes: ["violations"]})
		.then(r => r.violations.map(v => ({ID: v.id, Impact: v.impact || "", Help: v.help,
			Nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)})))`
}

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
	need(t, chromium, "Chromium ("+chromium+")")
	need(t, axePath(), "axe-core ("+axePath()+")")
	axe, err := os.ReadFile(axePath())
	if err != nil {
		t.Fatal(err)
	}
	pages, err := filepath.Glob(goldenSummaries)
	if err != nil || len(pages) == 0 {
		t.Fatalf("no golden summary pages (%s): %v", goldenSummaries, err)
	}

	// A guard against a browser that hangs, not a timed assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // root, as CI runs
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
	)
	defer cancelAlloc()
	var events pageEvents
	tab, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(events.listen))
	defer cancelTab()
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("starting Chromium: %v", err)
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
			events.take()
			if err := chromedp.Do(tab, chromedp.Navigate(page)); err != nil {
				t.Fatalf("opening %s: %v", page, err)
			}
			if _, err := chromedp.Call(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
				t.Fatal(err)
			}
			folded, err := chromedp.Run(tab, chromedp.Evaluate[[]string](printsFolded))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range folded {
				t.Errorf("printed, the folded section %q hides its table", f)
			}
			if _, err := chromedp.Call(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
				t.Fatal(err)
			}
			got, err := chromedp.Run(tab, chromedp.Evaluate[pageCheck](check))
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
			ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](string(axe)+"\n;typeof axe === 'object'"))
			if err != nil || !ok {
				t.Fatalf("injecting axe-core: %v", err)
			}
			violations, err := chromedp.Run(tab, chromedp.Evaluate[[]axeViolation](runAxe(), chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("running axe-core: %v", err)
			}
			for _, v := range violations {
				t.Errorf("axe-core: %s (%s): %s\n  %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
			}
			requests, errors := events.take()
			for _, r := range requests {
				if r != page && !strings.HasPrefix(r, "data:") {
					t.Errorf("the page requested %s", r)
				}
			}
			for _, e := range errors {
				t.Errorf("console: %s", e)
			}
		})
	}
	if links == 0 {
		t.Error("no page had a rule link: the samples no longer show a finding")
	}
}
