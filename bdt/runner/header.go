package runner

import (
	"bdt/bdt/decode"
	"bdt/bdt/ledger"
	"bdt/rules"
	"bdt/schema"
)

// header is what the header stage makes of a file's header for the records
// after it: their format, and who acts.
type header struct {
	format  schema.Format
	sponsor *rules.Sponsor // nil when the header names another sponsor, or none that exists
	user    *rules.User
}

// readHeader is the header stage: it records hd in the ledger entry, loads
// who acts, and applies the file rules and then, unless they reject the
// file, the file-id duplicate check. It returns the file findings and
// whether they reject the file (its records are then counted, not decided).
func (s *fileScope) readHeader(hd *schema.Header) (*header, []ledger.Finding, bool, error) {
	e := s.e
	e.Kind, e.Version = hd.Format.Kind, hd.Format.Version
	e.FileID, e.HeaderLicence, e.UserID, e.CreatedAt = hd.FileID, hd.Licence, hd.UserID, hd.CreatedAt
	e.Declared = hd.RecordCount

	h := &header{format: hd.Format}
	var err error
	if hd.Licence == e.Licence { // never look up another sponsor's licence
		if h.sponsor, err = s.tx.Sponsor(s.ctx, hd.Licence); err != nil {
			return nil, nil, false, err
		}
		if hd.UserID != "" {
			if h.user, err = s.tx.User(s.ctx, hd.UserID); err != nil {
				return nil, nil, false, err
			}
		}
	}
	var findings []ledger.Finding
	rejected := false
	fh := rules.FileHeader{Kind: rules.FileKind(hd.Format.Kind), Licence: hd.Licence, FolderLicence: e.Licence, UserID: hd.UserID, FileID: hd.FileID,
		Submitter: e.Submitter}
	for _, f := range rules.CheckFile(fh, h.sponsor, h.user) {
		findings = append(findings, decode.AtHeader(hd, f))
		if f.Severity == rules.Error {
			rejected = true
		}
	}
	if !rejected && hd.FileID != "" {
		df, err := s.fileIDDuplicate(hd)
		if err != nil {
			return nil, nil, false, err
		}
		if df != nil {
			findings, rejected = []ledger.Finding{*df}, true
		}
	}
	return h, findings, rejected, nil
}
