// Package browsertest renders the summary pages (report.WriteSummary) of
// every sample's golden reports in headless Chromium, through chromedp, and
// checks what a person's browser would do with them: no request leaves the
// page, no console error, the counts table's numbers sit under their
// headings, every rule id links to its explanation on the page, and axe-core
// finds no WCAG 2.2 AA violation. It holds only tests; the browser, the
// collection of requests and console errors and the axe-core run are
// bdt/chrometest's, which the portal's browser tests share.
package browsertest
