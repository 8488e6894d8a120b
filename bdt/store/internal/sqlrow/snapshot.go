package sqlrow

import (
	"context"
	"iter"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
	"bdt/rules"
)

// Snapshots implements store.Reader for a driver's Store: each read runs in
// a read-only transaction of its own, so that a read of several tables sees
// one committed state. A driver's Store embeds it (NewSnapshots).
type Snapshots struct {
	begin func(ctx context.Context) (r store.Reader, end func(commit bool) error, err error)
}

// NewSnapshots returns the Snapshots of a driver whose read-only
// transactions begin starts. begin returns a reader on the transaction and
// end, which ends it: end(true) after a read that succeeded (it may commit,
// and fail), end(false) otherwise (it rolls back, and never fails).
// end(false) after end(true) does nothing.
func NewSnapshots(begin func(ctx context.Context) (r store.Reader, end func(commit bool) error, err error)) Snapshots {
	return Snapshots{begin: begin}
}

var _ store.Reader = Snapshots{}

// snapshot runs fn in a snapshot of s.
func snapshot[T any](ctx context.Context, s Snapshots, fn func(r store.Reader) (T, error)) (T, error) {
	var zero T
	r, end, err := s.begin(ctx)
	if err != nil {
		return zero, err
	}
	defer end(false)
	v, err := fn(r)
	if err != nil {
		return zero, err
	}
	if err := end(true); err != nil {
		return zero, err
	}
	return v, nil
}

// Sponsor implements store.Reader.
func (s Snapshots) Sponsor(ctx context.Context, licence string) (*rules.Sponsor, error) {
	return snapshot(ctx, s, func(r store.Reader) (*rules.Sponsor, error) { return r.Sponsor(ctx, licence) })
}

// User implements store.Reader.
func (s Snapshots) User(ctx context.Context, id string) (*rules.User, error) {
	return snapshot(ctx, s, func(r store.Reader) (*rules.User, error) { return r.User(ctx, id) })
}

// Certificates implements store.Reader.
func (s Snapshots) Certificates(ctx context.Context, numbers ...string) (map[string]*rules.Certificate, error) {
	return snapshot(ctx, s, func(r store.Reader) (map[string]*rules.Certificate, error) { return r.Certificates(ctx, numbers...) })
}

// CertificatesForRules implements store.Reader.
func (s Snapshots) CertificatesForRules(ctx context.Context, p store.CertificatesForRulesParams) (map[string]*rules.Certificate, error) {
	return snapshot(ctx, s, func(r store.Reader) (map[string]*rules.Certificate, error) { return r.CertificatesForRules(ctx, p) })
}

// SponsorList implements store.Reader.
func (s Snapshots) SponsorList(ctx context.Context) ([]*rules.Sponsor, error) {
	return snapshot(ctx, s, func(r store.Reader) ([]*rules.Sponsor, error) { return r.SponsorList(ctx) })
}

// UserList implements store.Reader.
func (s Snapshots) UserList(ctx context.Context, p store.UserListParams) ([]*rules.User, error) {
	return snapshot(ctx, s, func(r store.Reader) ([]*rules.User, error) { return r.UserList(ctx, p) })
}

// CertificateList implements store.Reader.
func (s Snapshots) CertificateList(ctx context.Context, p store.CertificateListParams) ([]*rules.Certificate, error) {
	return snapshot(ctx, s, func(r store.Reader) ([]*rules.Certificate, error) { return r.CertificateList(ctx, p) })
}

// File implements store.LedgerReader.
func (s Snapshots) File(ctx context.Context, id int64) (*ledger.File, error) {
	return snapshot(ctx, s, func(r store.Reader) (*ledger.File, error) { return r.File(ctx, id) })
}

// FileList implements store.LedgerReader.
func (s Snapshots) FileList(ctx context.Context, p store.FileListParams) ([]*ledger.File, error) {
	return snapshot(ctx, s, func(r store.Reader) ([]*ledger.File, error) { return r.FileList(ctx, p) })
}

// FileDuplicate implements store.LedgerReader.
func (s Snapshots) FileDuplicate(ctx context.Context, p store.FileDuplicateParams) (*ledger.File, error) {
	return snapshot(ctx, s, func(r store.Reader) (*ledger.File, error) { return r.FileDuplicate(ctx, p) })
}

// Outcomes implements store.LedgerReader: the rows are read in one
// snapshot, as the caller iterates, and the snapshot ends with the
// iteration.
func (s Snapshots) Outcomes(ctx context.Context, fileID int64) iter.Seq2[ledger.Outcome, error] {
	return func(yield func(ledger.Outcome, error) bool) {
		r, end, err := s.begin(ctx)
		if err != nil {
			yield(ledger.Outcome{}, err)
			return
		}
		defer end(false)
		for o, err := range r.Outcomes(ctx, fileID) {
			if !yield(o, err) || err != nil {
				return
			}
		}
	}
}
