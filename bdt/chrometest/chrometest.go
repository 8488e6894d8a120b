// Package chrometest is the test harness of the pages bdt serves to
// people, in a real browser: headless Chromium driven by chromedp, every
// request and console error a page causes collected, and axe-core run on
// the page with the WCAG 2.2 A and AA tags. Tests only import it (the
// summary pages' in bdt/report/browsertest, the portal's in
// cmd/bdt); .ci/deps.sh installs Chromium and axe-core. Without them a
// test skips, and fails when CI is set.
package chrometest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Chromium is where Debian's chromium package (.ci/deps.sh) puts the
// browser.
const Chromium = "/usr/bin/chromium"

// WCAGTags are the axe-core tags of WCAG 2.2 level A and AA.
var WCAGTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// AxePath returns where .ci/deps.sh installs axe-core: under BDT_TOOLS,
// by default $HOME/.cache/bdt-tools.
func AxePath() string {
	tools := os.Getenv("BDT_TOOLS")
	if tools == "" {
		home, _ := os.UserHomeDir()
		tools = filepath.Join(home, ".cache", "bdt-tools")
	}
	return filepath.Join(tools, "axe", "node_modules", "axe-core", "axe.min.js")
}

// Need skips the test when a tool it needs is missing, or fails it under
// CI.
func Need(t testing.TB, path, what string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing (%v); .ci/deps.sh installs it", what, err)
		}
		t.Skipf("%s is missing (%v); .ci/deps.sh installs it", what, err)
	}
}

// events is what the tab reported since the last Take: each request's URL
// and each console error. The listener runs in chromedp's loop.
type events struct {
	mu       sync.Mutex
	requests []string
	errors   []string
}

func (e *events) listen(ev any) {
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

// Tab is one tab of a headless Chromium of its own.
type Tab struct {
	// Ctx is the tab's chromedp context: chromedp.Run(tab.Ctx, …).
	Ctx    context.Context
	events *events
	axe    []byte
}

// Start starts Chromium with one tab, which t's end closes. It skips the
// test (fails it under CI) without Chromium or axe-core.
func Start(t testing.TB) *Tab {
	t.Helper()
	Need(t, Chromium, "Chromium ("+Chromium+")")
	Need(t, AxePath(), "axe-core ("+AxePath()+")")
	axe, err := os.ReadFile(AxePath())
	if err != nil {
		t.Fatal(err)
	}
	// A guard against a browser that hangs, not a timed assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(Chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // root, as CI runs
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
	)
	ev := &events{}
	tab, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(ev.listen))
	t.Cleanup(func() { cancelTab(); cancelAlloc(); cancel() })
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return &Tab{Ctx: tab, events: ev, axe: axe}
}

// Take returns the requests and console errors reported since the last
// Take, and forgets them.
func (tab *Tab) Take() (requests, errors []string) {
	e := tab.events
	e.mu.Lock()
	defer e.mu.Unlock()
	requests, errors = e.requests, e.errors
	e.requests, e.errors = nil, nil
	return requests, errors
}

// Violation is one of axe-core's violations, cut to what a failure shows.
type Violation struct {
	ID, Impact, Help string
	Nodes            []string
}

func (v Violation) String() string {
	return fmt.Sprintf("axe-core: %s (%s): %s\n  %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
}

// StatusLogged is the console error Chromium logs of a page or a resource
// at url answered with status (code and text, "404 (Not Found)").
func StatusLogged(url, status string) string {
	return fmt.Sprintf("network: Failed to load resource: the server responded with a status of %s (%s)", status, url)
}

// runAxe is the call of axe-core on the page, with the WCAG 2.2 AA tags.
func runAxe() string {
	tags := `"` + strings.Join(WCAGTags, `","`) + `"`
	return `axe.run(document, {runOnly: {type: "tag", values: [` + tags + `]}, resultTypes: ["violations"]})
		.then(r => r.violations.map(v => ({ID: v.id, Impact: v.impact || "", Help: v.help,
			Nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)})))`
}

// Axe injects axe-core into the page shown and returns its WCAG 2.2 A and
// AA violations.
func (tab *Tab) Axe() ([]Violation, error) {
	ok, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[bool](string(tab.axe)+"\n;typeof axe === 'object'"))
	if err != nil || !ok {
		return nil, fmt.Errorf("injecting axe-core: %v", err)
	}
	v, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[[]Violation](runAxe(), chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("running axe-core: %w", err)
	}
	return v, nil
}

// Check fails t for every axe-core violation of the page shown, and
// whatever CheckTraffic finds.
func (tab *Tab) Check(t testing.TB, own func(url string) bool, expected ...string) {
	t.Helper()
	violations, err := tab.Axe()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range violations {
		t.Error(v)
	}
	tab.CheckTraffic(t, own, expected...)
}

// CheckTraffic fails t for every console error since the last Take but
// those expected (as Take gives them: the log Chromium writes of a page
// answered 404, for a not-found page), and every request since then that
// own does not allow (own reports whether a URL is the page's own). It is
// Check without axe-core, for a page that runs no script at all (one
// served with a CSP sandbox, where axe-core cannot run).
func (tab *Tab) CheckTraffic(t testing.TB, own func(url string) bool, expected ...string) {
	t.Helper()
	requests, errors := tab.Take()
	for _, r := range requests {
		if !own(r) && !strings.HasPrefix(r, "data:") {
			t.Errorf("the page requested %s", r)
		}
	}
	for _, e := range errors {
		if !slices.Contains(expected, e) {
			t.Errorf("console: %s", e)
		}
	}
}
