package report

import (
	"html/template"
	"io"
	"sort"

	"bdt/bdt/ledger"
	"bdt/rules"
)

// MaxHTMLProblems caps the problems table of the summary page; its chart
// counts every finding, and the error report (CSV) lists up to MaxFindings.
const MaxHTMLProblems = 500

type htmlProblem struct {
	Line, Record           int
	Reference, Cert, Field string
	Rule                   rules.RuleID
	Severity               rules.Severity
	Message                string
}

type htmlBar struct {
	Rule    rules.RuleID
	Warning bool // the rule's findings are warnings
	Count   int
	Width   int // pixels; the widest bar is 400
	Y       int
}

type htmlPage struct {
	F          *File
	Title      string
	Problems   []htmlProblem
	More       int // problems not shown
	Bars       []htmlBar
	ChartH     int
	StatusText string
}

var statusText = map[ledger.FileStatus]string{
	Accepted:          "Every record was applied.",
	PartiallyAccepted: "Some records were applied; the rejected ones are listed below.",
	Rejected:          "Nothing in this file was applied.",
	Duplicate:         "This file repeats one already processed; nothing was applied again.",
}

// WriteSummary writes a self-contained HTML page about f: status, counts, a
// chart of findings by rule and the problems table. It loads nothing from
// outside the page (no scripts, fonts, images or style sheets).
func WriteSummary(w io.Writer, f *File) error {
	p := htmlPage{F: f, Title: f.Licence + "/" + f.Name, StatusText: statusText[f.Status]}
	byRule := map[rules.RuleID]*htmlBar{}
	add := func(fd Finding, line, record int, ref, cert string) {
		b := byRule[fd.Rule]
		if b == nil {
			b = &htmlBar{Rule: fd.Rule, Warning: fd.Severity == rules.Warning}
			byRule[fd.Rule] = b
		}
		b.Count++
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
		}
	}
	max := 0
	for _, b := range byRule {
		p.Bars = append(p.Bars, *b)
		if b.Count > max {
			max = b.Count
		}
	}
	sort.Slice(p.Bars, func(i, j int) bool {
		if p.Bars[i].Count != p.Bars[j].Count {
			return p.Bars[i].Count > p.Bars[j].Count
		}
		return p.Bars[i].Rule < p.Bars[j].Rule
	})
	for i := range p.Bars {
		p.Bars[i].Width = 2 + p.Bars[i].Count*398/max
		p.Bars[i].Y = i * 26
	}
	p.ChartH = len(p.Bars) * 26
	return summaryTmpl.Execute(w, p)
}

var summaryTmpl = template.Must(template.New("summary").Funcs(template.FuncMap{
	"stamp": stamp,
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>BDT result: {{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:2rem;color:#1b1b1b;max-width:72rem}
h1{font-size:1.5rem;margin-bottom:.25rem}
.status{display:inline-block;padding:.2rem .6rem;border-radius:.3rem;font-weight:700;color:#fff}
.ACCEPTED{background:#00703c}.PARTIALLY_ACCEPTED{background:#b45f06}.REJECTED{background:#d4351c}.DUPLICATE{background:#505a5f}
table{border-collapse:collapse;margin:1rem 0;width:100%}
th,td{border-bottom:1px solid #b1b4b6;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.92rem}
th{background:#f3f2f1}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.error{color:#d4351c;font-weight:600}.warning{color:#b45f06;font-weight:600}
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
.dry{background:#fff7bf;padding:.5rem;border-left:4px solid #ffdd00}
svg text{font-size:12px;font-family:inherit}
</style>
</head>
<body>
<h1>{{.F.Name}}</h1>
<p><span class="status {{.F.Status}}">{{.F.Status}}</span> {{.StatusText}}</p>
{{if .F.DryRun}}<p class="dry">Dry run: everything was checked as for real, but nothing was applied to the register.</p>{{end}}
{{with .F.DuplicateOf}}<p>It repeats <strong>{{.Name}}</strong>{{if .FileID}} (file id {{.FileID}}){{end}}, processed {{stamp .ProcessedAt}} with status {{.Status}}.</p>{{end}}
<dl>
<dt>Sponsor licence</dt><dd>{{.F.Licence}}</dd>
{{if .F.Kind}}<dt>Kind</dt><dd>{{.F.Kind}} (schema version {{.F.Version}})</dd>{{end}}
{{if .F.FileID}}<dt>File id</dt><dd>{{.F.FileID}}</dd>{{end}}
<dt>Processed at</dt><dd>{{stamp .F.ProcessedAt}}</dd>
<dt>Size</dt><dd>{{.F.Size}} bytes</dd>
<dt>SHA-256</dt><dd><code>{{.F.SHA256}}</code></dd>
</dl>
<h2>Records</h2>
<table><thead><tr><th>Declared</th><th>Read</th><th>Accepted</th><th>Rejected</th><th>Warnings</th></tr></thead>
<tbody><tr><td class="n">{{if ge .F.Counts.Declared 0}}{{.F.Counts.Declared}}{{else}}–{{end}}</td><td class="n">{{.F.Counts.Read}}</td><td class="n">{{.F.Counts.Accepted}}</td><td class="n">{{.F.Counts.Rejected}}</td><td class="n">{{.F.Counts.Warnings}}</td></tr></tbody></table>
{{if .Bars}}<h2>Findings by rule</h2>
<svg role="img" aria-label="Findings by rule" width="100%" height="{{.ChartH}}" viewBox="0 0 720 {{.ChartH}}" preserveAspectRatio="xMinYMin meet">
{{range .Bars}}<g transform="translate(0,{{.Y}})"><text x="0" y="16">{{.Rule}}</text><rect x="230" y="3" height="18" width="{{.Width}}" fill="{{if .Warning}}#b45f06{{else}}#d4351c{{end}}"></rect><text x="690" y="16" text-anchor="end">{{.Count}}</text></g>
{{end}}</svg>
<h2>Problems</h2>
<table><thead><tr><th>Line</th><th>Record</th><th>Reference</th><th>Certificate</th><th>Rule</th><th>Field</th><th>Message</th></tr></thead><tbody>
{{range .Problems}}<tr><td class="n">{{if .Line}}{{.Line}}{{end}}</td><td class="n">{{if .Record}}{{.Record}}{{end}}</td><td>{{.Reference}}</td><td>{{.Cert}}</td><td class="{{.Severity}}">{{.Rule}}</td><td>{{.Field}}</td><td>{{.Message}}</td></tr>
{{end}}</tbody></table>
{{if .More}}<p>{{.More}} more problems are in the error report (CSV).</p>{{end}}
{{else}}<p>No problems were found.</p>{{end}}
</body>
</html>
`))
