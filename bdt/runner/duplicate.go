package runner

import (
	"bdt/bdt/decode"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
	"bdt/rules"
	"bdt/schema"
)

// F.DUPLICATE, in the two places a file is found to be one: its header
// names the file id of a file already applied (fileIDDuplicate, in the
// header stage, so that its records are not decided), or its bytes are
// those of one (sameContent, once every byte is read).

// fileIDDuplicate returns the F.DUPLICATE finding of a file whose header
// hd names the file id of another file of the sponsor, and marks the entry
// a duplicate of it; nil when there is none.
func (s *fileScope) fileIDDuplicate(hd *schema.Header) (*ledger.Finding, error) {
	e := s.e
	dup, err := s.tx.FileDuplicate(s.ctx, store.FileDuplicateParams{Licence: e.Licence, FileID: hd.FileID, Exclude: e.ID})
	if err != nil || dup == nil {
		return nil, err
	}
	e.DuplicateOf = dup.ID
	df := duplicateFinding(dup, "has the same file id as")
	df.Field = hd.Format.FileIDElement
	df = decode.AtHeader(hd, df)
	return &df, nil
}

// sameContent checks the read file's bytes against the files already
// applied and returns its findings: a file-id duplicate that also has the
// same bytes is said to be the same content (the clearer message for a
// plain re-upload); any other file with the same bytes as one applied is
// a duplicate, whatever else is wrong, and that is its only finding.
func (s *fileScope) sameContent(findings []ledger.Finding) ([]ledger.Finding, error) {
	e := s.e
	if e.DuplicateOf != 0 {
		dup, err := s.tx.File(s.ctx, e.DuplicateOf)
		if err != nil || dup == nil || dup.SHA256 != e.SHA256 {
			return findings, err
		}
		for i, f := range findings {
			if f.Rule == rules.FDuplicate {
				nf := duplicateFinding(dup, "has exactly the same content as")
				nf.Field, nf.Line, nf.Path = f.Field, f.Line, f.Path
				findings[i] = nf
			}
		}
		return findings, nil
	}
	dup, err := s.tx.FileDuplicate(s.ctx, store.FileDuplicateParams{Licence: e.Licence, SHA256: e.SHA256, Exclude: e.ID})
	if err != nil || dup == nil {
		return findings, err
	}
	e.DuplicateOf = dup.ID
	return []ledger.Finding{duplicateFinding(dup, "has exactly the same content as")}, nil
}

// duplicateFinding is the F.DUPLICATE finding of a file that is dup again,
// as how says.
func duplicateFinding(dup *ledger.File, how string) ledger.Finding {
	return rules.NewFinding(rules.FDuplicate, "",
		"This file %s %s (file id %s), processed %s with status %s; nothing in it was applied again. To send corrections, use a new file id.",
		how, dup.Name, dup.FileID, dup.ProcessedAt.UTC().Format(time.RFC3339), dup.Status)
}
