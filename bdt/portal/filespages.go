package portal

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"bdt/bdt/ledger"
	"bdt/bdt/report"
	"bdt/rules"
)

// filesPerPage is how many files the files page lists at a time.
const filesPerPage = 20

// maxPageFindings caps the record findings the file page lists; the
// error report (errors.csv) has them all.
const maxPageFindings = 200

// statusWords is each file status in words, for its tag.
var statusWords = map[ledger.FileStatus]string{
	ledger.Received:          "Received",
	ledger.Processing:        "Being processed",
	ledger.Accepted:          "Accepted",
	ledger.PartiallyAccepted: "Partially accepted",
	ledger.Rejected:          "Rejected",
	ledger.Duplicate:         "Duplicate",
}

// waitingText is what a file not yet processed is told, by status.
var waitingText = map[ledger.FileStatus]string{
	ledger.Received:   "The file is waiting to be processed, which starts within a few seconds. Reload this page to see its result.",
	ledger.Processing: "The file is being processed now. Reload this page in a moment to see its result.",
}

// fileRow is one file as the pages show it.
type fileRow struct {
	*ledger.File
	Display    string // the name the sponsor knows it by
	StatusWord string
	StatusText string
}

func newFileRow(f *ledger.File) fileRow {
	row := fileRow{File: f, Display: f.Name, StatusWord: statusWords[f.Status], StatusText: report.StatusText(f.Status)}
	if f.ClientName != "" {
		row.Display = f.ClientName
	}
	if row.StatusText == "" {
		row.StatusText = waitingText[f.Status]
	}
	if row.StatusWord == "" {
		row.StatusWord = words(f.Status)
	}
	return row
}

// filesData is the files page's own.
type filesData struct {
	Files []fileRow
	Older int64 // the after= of the next page; 0 on the last one
	Paged bool  // this is not the first page
}

// filesPage is GET /files: the sponsor's files (a Level 2 user's own),
// newest first, a page at a time (?after=ID: the files older than ID).
func (s *Server) filesPage(w http.ResponseWriter, r *http.Request) {
	after, err := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if r.URL.Query().Has("after") && (err != nil || after < 0) {
		s.notFound(w, r)
		return
	}
	fs, err := s.fileList(r.Context(), principalOf(r), after, filesPerPage+1)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := filesData{Paged: after > 0}
	if len(fs) > filesPerPage {
		fs = fs[:filesPerPage]
		d.Older = fs[len(fs)-1].ID
	}
	for _, f := range fs {
		d.Files = append(d.Files, newFileRow(f))
	}
	s.render(w, r, http.StatusOK, "files", view{Title: "Your files", Data: d})
}

// pageFinding is one finding in the file page's table.
type pageFinding struct {
	Line, Record    int
	Reference, Cert string
	rules.Finding
}

// fileData is the file page's own.
type fileData struct {
	fileRow
	Done     bool
	Findings []pageFinding // the file's, then its records'
	More     int           // record findings not listed
	Rules    []ruleNote    // each rule cited, once
	Reports  []string      // the reports' names, once written
}

// ruleNote is a rule a page cites, with its explanation (rules.Explain).
type ruleNote struct {
	ID rules.RuleID
	rules.Explanation
}

// ruleNotes is each rule fs cite, once, in the order of their ids.
func ruleNotes(fs []pageFinding) []ruleNote {
	var ids []rules.RuleID
	for _, fd := range fs {
		if !slices.Contains(ids, fd.Rule) {
			ids = append(ids, fd.Rule)
		}
	}
	slices.Sort(ids)
	out := make([]ruleNote, len(ids))
	for i, id := range ids {
		out[i].ID = id
		out[i].Explanation, _ = rules.Explain(id)
	}
	return out
}

// fileID is the {id} of r's path, or false when it is not one.
func fileID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// filePage is GET /files/{id}: the file's status, counts and findings,
// and its reports once written. A file that does not exist, another
// sponsor's, or (for a Level 2 user) a colleague's is the not-found page.
func (s *Server) filePage(w http.ResponseWriter, r *http.Request) {
	id, ok := fileID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	f, err := s.file(r.Context(), principalOf(r), id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if f == nil {
		s.notFound(w, r)
		return
	}
	d := fileData{fileRow: newFileRow(f), Done: f.Done()}
	for _, fd := range f.FileFindings {
		d.Findings = append(d.Findings, pageFinding{Line: fd.Line, Finding: fd})
	}
	if d.Done {
		for o, err := range s.cfg.Store.Outcomes(r.Context(), f.ID) {
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			for _, fd := range o.Findings {
				if len(d.Findings) >= maxPageFindings {
					d.More++
					continue
				}
				d.Findings = append(d.Findings, pageFinding{Line: o.FindingLine(fd), Record: o.Index, Reference: o.Reference, Cert: o.Cert, Finding: fd})
			}
		}
	}
	d.Rules = ruleNotes(d.Findings)
	if f.ReportsWritten {
		d.Reports = reportNames
	}
	s.render(w, r, http.StatusOK, "file", view{Title: d.Display, Data: d})
}

// reportDownload is GET /files/{id}/{report}: a report of the file, the
// summary shown, the others downloaded (writeReport, as the API answers
// them); the not-found page for anything openReport does not find.
func (s *Server) reportDownload(w http.ResponseWriter, r *http.Request) {
	id, ok := fileID(r)
	name := r.PathValue("report")
	if !ok {
		s.notFound(w, r)
		return
	}
	body, ctype, err := s.openReport(r.Context(), principalOf(r), id, name)
	if errors.Is(err, errNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := writeReport(w, id, name, ctype, body); err != nil {
		s.cfg.Log.Warn().Err(err).Int64("file", id).Str("report", name).Msg("portal: report download cut short")
	}
}
