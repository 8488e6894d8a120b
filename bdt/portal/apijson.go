package portal

import (
	"context"
	"strconv"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/report"
	"bdt/rules"
)

// apiBase is where the API lives; every link it answers starts with it.
const apiBase = "/api/v1"

// fileLink is the API address of file id, and of its report name when
// name is not "".
func fileLink(id int64, name string) string {
	l := apiBase + "/files/" + strconv.FormatInt(id, 10)
	if name != "" {
		l += "/" + name
	}
	return l
}

// fileJSON is a file in the API: in a listing, in the answer to an
// upload, and (with fileDetail's findings) on its own.
type fileJSON struct {
	ID          int64             `json:"id"`
	Name        string            `json:"name"` // the client's name for an upload, the inbox name otherwise
	Status      ledger.FileStatus `json:"status"`
	Channel     string            `json:"channel"` // "upload" or "inbox"
	Submitter   string            `json:"submitter,omitempty"`
	Kind        string            `json:"kind,omitempty"`
	FileID      string            `json:"file_id,omitempty"`
	UserID      string            `json:"user_id,omitempty"` // the user the header names
	Size        int64             `json:"size"`
	SHA256      string            `json:"sha256,omitempty"`
	DuplicateOf int64             `json:"duplicate_of,omitempty"`
	Counts      *countsJSON       `json:"counts,omitempty"` // once processed
	ReceivedAt  *time.Time        `json:"received_at,omitempty"`
	FinishedAt  *time.Time        `json:"finished_at,omitempty"`
	Links       map[string]string `json:"links"`
}

// countsJSON are a processed file's record counts; declared is -1 when
// the file did not say.
type countsJSON struct {
	Declared int `json:"declared"`
	Read     int `json:"read"`
	Accepted int `json:"accepted"`
	Rejected int `json:"rejected"`
	Warnings int `json:"warnings"`
}

// fileDetail is GET /api/v1/files/{id}: the file with its file findings
// and, once processed, the records that have findings (rejected ones and
// accepted ones with warnings), in file order, with at most
// report.MaxFindings findings in all, as result.xml and errors.csv list
// them; RecordsTruncated says the cap left some out (errors.csv has them
// counted, summary.html counts every finding by rule).
type fileDetail struct {
	fileJSON
	FileFindings      []finding    `json:"file_findings"`
	FindingsTruncated bool         `json:"file_findings_truncated,omitempty"`
	Records           []recordJSON `json:"records"`
	RecordsTruncated  bool         `json:"records_truncated,omitempty"`
}

// recordJSON is one record of a file that has findings.
type recordJSON struct {
	Index     int                 `json:"index"`
	Line      int                 `json:"line,omitempty"`
	Reference string              `json:"reference,omitempty"`
	Cert      string              `json:"cert,omitempty"`
	Status    ledger.RecordStatus `json:"status"`
	Findings  []finding           `json:"findings"`
}

// newFileJSON is f as the API shows it.
func newFileJSON(f *ledger.File) fileJSON {
	j := fileJSON{
		ID: f.ID, Name: f.Name, Status: f.Status, Channel: "inbox", Submitter: f.Submitter,
		Kind: f.Kind, FileID: f.FileID, UserID: f.UserID, Size: f.Size, SHA256: f.SHA256,
		DuplicateOf: f.DuplicateOf, ReceivedAt: timeOrNil(f.ReceivedAt),
		Links: map[string]string{"self": fileLink(f.ID, "")},
	}
	if f.Submitter != "" {
		j.Channel = "upload"
		if f.ClientName != "" {
			j.Name = f.ClientName
		}
	}
	if f.Done() {
		j.Counts = &countsJSON{f.Declared, f.Read, f.Accepted, f.Rejected, f.Warnings}
		j.FinishedAt = timeOrNil(f.FinishedAt)
	}
	if f.ReportsWritten {
		for _, name := range reportNames {
			j.Links[reportLinkKey(name)] = fileLink(f.ID, name)
		}
	}
	return j
}

// reportLinkKey is a report's key in a file's links: "result.xml" is
// "result_xml".
func reportLinkKey(name string) string {
	b := []byte(name)
	for i, c := range b {
		if c == '.' {
			b[i] = '_'
		}
	}
	return string(b)
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// findingsJSON are fs as the API shows them, placed in the file at line
// when a finding has none of its own (0: none).
func findingsJSON(fs []rules.Finding, line int) []finding {
	out := make([]finding, 0, len(fs))
	for _, f := range fs {
		l := f.Line
		if l == 0 {
			l = line
		}
		out = append(out, finding{Rule: string(f.Rule), Severity: string(f.Severity), Field: f.Field, Line: l, Message: f.Message})
	}
	return out
}

// newFileDetail is f with its findings, reading its records' outcomes
// from the ledger once it is processed.
func (s *Server) newFileDetail(ctx context.Context, f *ledger.File) (*fileDetail, error) {
	d := &fileDetail{
		fileJSON:          newFileJSON(f),
		FileFindings:      findingsJSON(f.FileFindings, 0),
		FindingsTruncated: f.Truncated,
		Records:           []recordJSON{},
	}
	if !f.Done() {
		return d, nil
	}
	listed := 0
	for o, err := range s.cfg.Store.Outcomes(ctx, f.ID) {
		if err != nil {
			return nil, err
		}
		if len(o.Findings) == 0 {
			continue
		}
		if listed+len(o.Findings) > report.MaxFindings {
			d.RecordsTruncated = true
			break
		}
		listed += len(o.Findings)
		d.Records = append(d.Records, recordJSON{
			Index: o.Index, Line: o.Line, Reference: o.Reference, Cert: o.Cert, Status: o.Status,
			Findings: findingsJSON(o.Findings, o.Line),
		})
	}
	return d, nil
}
