package report

import (
	"html/template"
	"io"
	"sort"
	"sync"
	"time"
	_ "time/tzdata" // Europe/London for the summary page, whatever zoneinfo the machine has

	"bdt/bdt/ledger"
	"bdt/rules"
)

// MaxHTMLProblems caps the problems table of the summary page; its table of
// findings by rule counts every finding, and the error report (CSV) lists up
// to MaxFindings.
const MaxHTMLProblems = 500

// MaxHTMLAccepted caps the summary page's list of accepted records and their
// confirmation references; the result report lists every record.
const MaxHTMLAccepted = 1000

// ukZone is the zone the summary page gives its times in: a person in the UK
// reads it (the machine reports stay in UTC).
var ukZone = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic("report: Europe/London: " + err.Error()) // time/tzdata is embedded: never
	}
	return loc
}()

// UKTime formats t for a person in the UK, with its zone: "23 November
// 2026, 02:00 GMT" (or BST in summer). The portal's pages use it too.
func UKTime(t time.Time) string { return t.In(ukZone).Format("2 January 2006, 15:04 MST") }

type htmlProblem struct {
	Line, Record           int
	Reference, Cert, Field string
	Rule                   rules.RuleID
	Severity               rules.Severity
	Message                string
}

// htmlRule is one rule the page cites: its row in the findings by rule
// table and its entry in the explanations section.
type htmlRule struct {
	ID       rules.RuleID
	Severity rules.Severity
	Count    int
	Percent  int // the bar's width, of the widest (at least 1)
	Summary  string
	rules.Explanation
	Known bool // the rule is in the catalogue
}

type htmlPage struct {
	F            *File
	Title        string
	StatusText   string
	Problems     []htmlProblem
	More         int // problems not shown
	Accepted     []Record
	MoreAccepted int // accepted records not shown
	Rules        []htmlRule
}

// StatusText is what a file's final status means, in a sentence for a
// person: the summary page's, and the portal's file page.
func StatusText(s ledger.FileStatus) string { return statusText[s] }

var statusText = map[ledger.FileStatus]string{
	Accepted:          "Every record was applied.",
	PartiallyAccepted: "Some records were applied; the rejected ones are listed below.",
	Rejected:          "Nothing in this file was applied.",
	Duplicate:         "This file repeats one already processed; nothing was applied again.",
}

// WriteSummary writes a self-contained HTML page about f for a person: its
// status in words, its details (times in UK time), the record counts, the
// findings by rule, the problems, the accepted records with their
// confirmation references, and what each rule the page cites means and how
// to fix it (rules.Explain). It loads nothing from outside the page (no
// scripts, fonts, images or style sheets).
func WriteSummary(w io.Writer, f *File) error {
	p := htmlPage{F: f, Title: f.Licence + "/" + f.Name, StatusText: statusText[f.Status]}
	byRule := map[rules.RuleID]*htmlRule{}
	add := func(fd Finding, line, record int, ref, cert string) {
		r := byRule[fd.Rule]
		if r == nil {
			r = &htmlRule{ID: fd.Rule, Severity: fd.Severity}
			byRule[fd.Rule] = r
		}
		r.Count++
		if len(p.Problems) < MaxHTMLProblems {
			p.Problems = append(p.Problems, htmlProblem{Line: line, Record: record, Reference: ref, Cert: cert,
				Field: fd.Field, Rule: fd.Rule, Severity: fd.Severity, Message: fd.Message})
		} else {
			p.More++
		}
	}
	for _, fd := range f.FileFindings {
		add(fd, fd.Line, fd.Record, fd.Reference, fd.Cert)
	}
	if f.Records != nil {
		for r, err := range f.Records {
			if err != nil {
				return err
			}
			for _, fd := range r.Findings {
				add(fd, r.FindingLine(fd), r.Index, r.Reference, r.Cert)
			}
			if r.Status == ledger.RecordAccepted {
				if len(p.Accepted) < MaxHTMLAccepted {
					p.Accepted = append(p.Accepted, Record{Index: r.Index, Line: r.Line, Reference: r.Reference, Cert: r.Cert, ConfRef: r.ConfRef})
				} else {
					p.MoreAccepted++
				}
			}
		}
	}
	most := 1
	for _, r := range byRule {
		most = max(most, r.Count)
		if c, ok := rules.Lookup(r.ID); ok {
			r.Summary, r.Known = c.Summary, true
			r.Explanation, _ = rules.Explain(r.ID)
		}
		p.Rules = append(p.Rules, *r)
	}
	for i := range p.Rules {
		p.Rules[i].Percent = max(1, p.Rules[i].Count*100/most)
	}
	sort.Slice(p.Rules, func(i, j int) bool {
		if p.Rules[i].Count != p.Rules[j].Count {
			return p.Rules[i].Count > p.Rules[j].Count
		}
		return p.Rules[i].ID < p.Rules[j].ID
	})
	return summaryTmpl().Execute(w, p)
}

// ruleAnchor is the id of a rule's entry in the summary page's explanations
// section, which every mention of the rule on the page links to.
func ruleAnchor(id rules.RuleID) string { return "rule-" + string(id) }

// summaryTmpl returns the summary page's template, parsed when a first page
// is written rather than in a package initialiser that every bdt command
// would run (the replay's golden pages fail if it does not parse).
var summaryTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("summary").Funcs(template.FuncMap{
		"uk":      UKTime,
		"anchor":  ruleAnchor,
		"meaning": func() string { return rules.MeaningHeading },
		"fix":     func() string { return rules.FixHeading },
	}).Parse(`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>BDT result: {{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:2rem;color:#1b1b1b;background:#fff;max-width:72rem;line-height:1.4}
h1{font-size:1.5rem;margin-bottom:.25rem}
h2{font-size:1.2rem;margin-top:2rem}
h3{font-size:1rem;margin:1.2rem 0 .3rem}
a{color:#1d70b8}a:focus{outline:3px solid #ffdd00;background:#ffdd00;color:#0b0c0c}
.status{display:inline-block;padding:.2rem .6rem;border-radius:.3rem;font-weight:700;color:#fff}
.ACCEPTED{background:#00703c}.PARTIALLY_ACCEPTED{background:#a35200}.REJECTED{background:#c32a12}.DUPLICATE{background:#505a5f}
table{border-collapse:collapse;margin:1rem 0;width:100%}
caption{text-align:left;font-weight:700;padding:.3rem 0}
th,td{border-bottom:1px solid #b1b4b6;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.92rem}
th{background:#f3f2f1}
.n{text-align:right;font-variant-numeric:tabular-nums}
.error{color:#c32a12;font-weight:600}.warning{color:#a35200;font-weight:600}
.bar{display:inline-block;height:.9rem;vertical-align:middle}.bar.error{background:#c32a12}.bar.warning{background:#a35200}
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
.dry{background:#fff7bf;padding:.5rem;border-left:4px solid #ffdd00}
summary{cursor:pointer;font-weight:600}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.explain p{margin:.2rem 0}
@media print{
body{margin:0;max-width:none;font-size:10pt;color:#000}
a{color:#000;text-decoration:none}
.status{color:#000;background:none;border:2px solid #000}
.bar{print-color-adjust:exact;-webkit-print-color-adjust:exact}
th{background:none}
tr,.explain section{break-inside:avoid}
h2,h3{break-after:avoid}
details::details-content{content-visibility:visible;display:block}
}
</style>
</head>
<body>
<main>
<h1>{{.F.Name}}</h1>
<p><span class="status {{.F.Status}}">{{.F.Status}}</span> {{.StatusText}}</p>
{{if .F.DryRun}}<p class="dry">Dry run: everything was checked as for real, but nothing was applied to the register.</p>{{end}}
{{with .F.DuplicateOf}}<p>It repeats <strong>{{.Name}}</strong>{{if .FileID}} (file id {{.FileID}}){{end}}, processed {{uk .ProcessedAt}} with status {{.Status}}.</p>{{end}}
<dl>
<dt>Sponsor licence</dt><dd>{{.F.Licence}}</dd>
{{if .F.Kind}}<dt>Kind</dt><dd>{{.F.Kind}} (schema version {{.F.Version}})</dd>{{end}}
{{if .F.FileID}}<dt>File id</dt><dd>{{.F.FileID}}</dd>{{end}}
<dt>Processed at</dt><dd>{{uk .F.ProcessedAt}}</dd>
<dt>Size</dt><dd>{{.F.Size}} bytes</dd>
<dt>SHA-256</dt><dd><code>{{.F.SHA256}}</code></dd>
</dl>
<h2>Records</h2>
<table id="counts"><caption>Records in this file</caption>
<thead><tr><th scope="col" class="n">Declared</th><th scope="col" class="n">Read</th><th scope="col" class="n">Accepted</th><th scope="col" class="n">Rejected</th><th scope="col" class="n">Warnings</th></tr></thead>
<tbody><tr><td class="n">{{if ge .F.Counts.Declared 0}}{{.F.Counts.Declared}}{{else}}–{{end}}</td><td class="n">{{.F.Counts.Read}}</td><td class="n">{{.F.Counts.Accepted}}</td><td class="n">{{.F.Counts.Rejected}}</td><td class="n">{{.F.Counts.Warnings}}</td></tr></tbody></table>
{{if .Accepted}}<details>
<summary>Records accepted ({{.F.Counts.Accepted}}) and their confirmation references</summary>
<table><caption>Records accepted, with their confirmation references</caption>
<thead><tr><th scope="col" class="n">Record</th><th scope="col" class="n">Line</th><th scope="col">Reference</th><th scope="col">Certificate</th><th scope="col">Confirmation reference</th></tr></thead><tbody>
{{range .Accepted}}<tr><td class="n">{{.Index}}</td><td class="n">{{if .Line}}{{.Line}}{{end}}</td><td>{{.Reference}}</td><td>{{.Cert}}</td><td>{{.ConfRef}}</td></tr>
{{end}}</tbody></table>
{{if .MoreAccepted}}<p>{{.MoreAccepted}} more accepted records are in the result report.</p>{{end}}
</details>
{{end}}{{if .Rules}}<h2>Findings by rule</h2>
<table><caption>Findings by rule</caption>
<thead><tr><th scope="col">Rule</th><th scope="col">Severity</th><th scope="col" class="n">Findings</th><th scope="col"><span class="visually-hidden">Compared with the most frequent rule</span></th></tr></thead><tbody>
{{range .Rules}}<tr><th scope="row"><a href="#{{anchor .ID}}">{{.ID}}</a></th><td class="{{.Severity}}">{{.Severity}}</td><td class="n">{{.Count}}</td><td><span class="bar {{.Severity}}" style="width:{{.Percent}}%"></span></td></tr>
{{end}}</tbody></table>
<h2>Problems</h2>
<table><caption>Problems{{if .More}}: the first {{len .Problems}}{{end}}</caption>
<thead><tr><th scope="col" class="n">Line</th><th scope="col" class="n">Record</th><th scope="col">Reference</th><th scope="col">Certificate</th><th scope="col">Rule</th><th scope="col">Severity</th><th scope="col">Field</th><th scope="col">Message</th></tr></thead><tbody>
{{range .Problems}}<tr><td class="n">{{if .Line}}{{.Line}}{{end}}</td><td class="n">{{if .Record}}{{.Record}}{{end}}</td><td>{{.Reference}}</td><td>{{.Cert}}</td><td><a href="#{{anchor .Rule}}">{{.Rule}}</a></td><td class="{{.Severity}}">{{.Severity}}</td><td>{{.Field}}</td><td>{{.Message}}</td></tr>
{{end}}</tbody></table>
{{if .More}}<p>{{.More}} more problems are in the error report (CSV).</p>{{end}}
<h2 id="explanations">What these findings mean and how to fix them</h2>
<div class="explain">
{{range .Rules}}<section id="{{anchor .ID}}">
<h3>{{.ID}} ({{.Severity}})</h3>
{{if .Known}}<p>{{.Summary}}</p>
<p><strong>{{meaning}}.</strong> {{.Meaning}}</p>
<p><strong>{{fix}}.</strong> {{.Fix}}</p>
{{else}}<p>This rule is not in this version's catalogue; <code>bdt rules</code> lists the rules it has.</p>
{{end}}</section>
{{end}}</div>
{{else}}<p>No problems were found.</p>{{end}}
</main>
</body>
</html>
`))
})
