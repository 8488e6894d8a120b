package rules

import "strings"

// CatalogueMarkdown returns the catalogue as Markdown, the text of the
// repository's docs/rules.md and of `bdt rules --format markdown`: a table
// of the file rules and one of the record rules (id, severity, rule,
// source), in catalogue order, then each rule's explanation (Explain) under
// a heading of its id.
func CatalogueMarkdown() string {
	var b strings.Builder
	b.WriteString(`# Rule catalogue

Every decision the processor makes about a file or a record cites one of these rule ids, in
every report. This file is generated from the engine (rules.CatalogueMarkdown, also printed by
` + "`bdt rules --format markdown`" + `); ` + "`go test ./rules -run TestCatalogueDoc -update`" + ` rewrites it.

Severity: **error** rejects (the file, for F rules; the record, for R rules); **warning** is
reported and the record is still applied.
`)
	for _, section := range []struct{ scope, heading string }{
		{ScopeFile, "File rules — an error here rejects the whole file; nothing in it is applied"},
		{ScopeRecord, "Record rules — an error here rejects that record; the other records go on"},
	} {
		b.WriteString("\n## " + section.heading + "\n\n| id | severity | rule | source |\n|---|---|---|---|\n")
		for _, r := range catalogue {
			if r.Scope == section.scope {
				b.WriteString("| " + string(r.ID) + " | " + string(r.Severity) + " | " + markdownCell(r.Summary) + " | " + markdownCell(r.Source) + " |\n")
			}
		}
	}
	b.WriteString("\n## What each finding means and how to fix it\n")
	for _, r := range catalogue {
		e := explanations[r.ID]
		b.WriteString("\n### " + string(r.ID) + "\n\n**" + MeaningHeading + ".** " + e.Meaning +
			"\n\n**" + FixHeading + ".** " + e.Fix + "\n")
	}
	return b.String()
}

// markdownCell escapes s for a cell of a Markdown table.
func markdownCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
