package portal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"bdt/bdt/auth"
	"bdt/bdt/ledger"
	"bdt/bdt/runner"
	"bdt/bdt/storage"
	"bdt/bdt/store"
	"bdt/rules"
)

// errNotFound is every "not here for you" of the shared reads: a file
// that does not exist, is another sponsor's or is not the user's to see,
// reports not written yet, a report name that is none of the three. Each
// is answered alike (problemNotFound, or the pages' own not-found page).
var errNotFound = errors.New("portal: not found")

// fileList returns p's sponsor's files, newest first, every channel: at
// most limit of them (defaultPageSize when limit is not positive: never
// all), with ids below after when after > 0 (the next page starts after
// the last id of this one). A Level 2 user gets only the files they may
// see (rules.FileScope, rules.FileVisible).
func (s *Server) fileList(ctx context.Context, p *auth.Principal, after int64, limit int) ([]*ledger.File, error) {
	if limit <= 0 {
		limit = defaultPageSize
	}
	return s.cfg.Store.FileList(ctx, store.FileListParams{
		Licence: p.Sponsor.Licence,
		User:    rules.FileScope(*p.User),
		Newest:  true,
		After:   after,
		Limit:   limit,
	})
}

// file returns ledger entry id when p may see it, and nil (no error) when
// it does not exist, is another sponsor's, or is not visible to a Level 2
// user: the three cannot be told apart.
func (s *Server) file(ctx context.Context, p *auth.Principal, id int64) (*ledger.File, error) {
	f, err := s.cfg.Store.File(ctx, id)
	if err != nil || f == nil {
		return nil, err
	}
	if f.Licence != p.Sponsor.Licence || !rules.FileVisible(*p.User, f.Submitter, f.UserID) {
		return nil, nil
	}
	return f, nil
}

// The names of a file's three reports under /files/ID/, and their types.
const (
	reportResult  = "result.xml"
	reportErrors  = "errors.csv"
	reportSummary = "summary.html"
)

var reportTypes = map[string]string{
	reportResult:  "application/xml; charset=utf-8",
	reportErrors:  "text/csv; charset=utf-8",
	reportSummary: "text/html; charset=utf-8",
}

// reportNames are the three in the order links list them.
var reportNames = []string{reportResult, reportErrors, reportSummary}

// openReport opens report name (result.xml, errors.csv or summary.html)
// of file id for p and returns it with its Content-Type; errNotFound when
// p may not see the file, its reports are not written yet, or name is none
// of the three. The caller closes the body.
func (s *Server) openReport(ctx context.Context, p *auth.Principal, id int64, name string) (io.ReadCloser, string, error) {
	ctype, ok := reportTypes[name]
	if !ok {
		return nil, "", errNotFound
	}
	f, err := s.file(ctx, p, id)
	if err != nil {
		return nil, "", err
	}
	if f == nil || !f.ReportsWritten {
		return nil, "", errNotFound
	}
	keys, err := runner.ReportKeys(ctx, s.cfg.Store, f)
	if err != nil {
		return nil, "", err
	}
	key := map[string]string{reportResult: keys.Result, reportErrors: keys.Errors, reportSummary: keys.Summary}[name]
	body, err := s.cfg.Outbox.Open(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, "", errNotFound // removed from the outbox since
	}
	if err != nil {
		return nil, "", err
	}
	return body, ctype, nil
}

// summaryPolicy is the Content-Security-Policy of a summary page answered
// as a report: it carries its own inline <style> and nothing else, so its
// answer allows inline styles and data: images only, runs no script
// (sandbox, which also gives it an origin of its own), and may not be
// framed.
const summaryPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; sandbox"

// writeReport answers a report that openReport opened: its type; the
// summary inline under summaryPolicy, result.xml and errors.csv as
// downloads named "bdt-ID-NAME". It closes body.
func writeReport(w http.ResponseWriter, id int64, name, ctype string, body io.ReadCloser) error {
	defer body.Close()
	longTransfer(w)
	h := w.Header()
	h.Set("Content-Type", ctype)
	disposition := "attachment"
	if name == reportSummary {
		h.Set("Content-Security-Policy", summaryPolicy)
		disposition = "inline"
	}
	h.Set("Content-Disposition", fmt.Sprintf("%s; filename=\"bdt-%s-%s\"", disposition, strconv.FormatInt(id, 10), name))
	_, err := io.Copy(w, body)
	return err
}
