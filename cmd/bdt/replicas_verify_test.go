package main

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"bdt/bdt/ledger"
	"bdt/bdt/report"
	"bdt/bdt/store"
	"bdt/schema"
)

// verifyReplicas checks the end state of the replica tests' files, by
// inbox key, in the boxes b: every file once in the ledger, ACCEPTED, with
// one set of reports (and nothing else in the outbox) and archived; every
// record accepted once and applied once; the inbox empty. inOrder: each
// sponsor's files were all in the inbox from the start, so they must also
// have been claimed and applied in the order of their headers' CreatedAt
// (uploads arrive in any order, and are applied in the order they come).
func verifyReplicas(t *testing.T, st store.Store, b boxes, keys []string, inOrder bool) {
	t.Helper()
	ctx := context.Background()
	if left := b.keys(t, "inbox"); len(left) > 0 {
		t.Errorf("files left in the inbox: %v", left)
	}
	entries, err := st.FileList(ctx, store.FileListParams{})
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string][]*ledger.File{}
	for _, e := range entries {
		byKey[e.Key] = append(byKey[e.Key], e)
	}
	if len(entries) != len(keys) {
		t.Errorf("%d ledger entries for %d files", len(entries), len(keys))
	}
	archived, outbox := keySet(b.keys(t, "archive")), keySet(b.keys(t, "outbox"))
	want := map[string]bool{}
	for _, key := range keys {
		resultKey, errorsKey, summaryKey := report.Names(key)
		want[resultKey], want[errorsKey], want[summaryKey] = true, true, true
	}
	for k := range outbox {
		if !want[k] {
			t.Errorf("outbox/%s is no file's report: each file must have one set of reports", k)
		}
	}
	refs := map[string]int{}
	sources := map[string]int{}
	bySponsor := map[string][]*ledger.File{}
	for _, key := range keys {
		es := byKey[key]
		if len(es) != 1 {
			t.Errorf("%s: %d ledger entries, want 1", key, len(es))
			continue
		}
		e := es[0]
		if e.Status != ledger.Accepted || !e.ReportsWritten || !e.Archived || e.Accepted != replicaRecords || e.Read != replicaRecords {
			t.Errorf("%s: status %s, %d read, %d accepted, reports written %v, archived %v; want ACCEPTED, all %d, true, true",
				key, e.Status, e.Read, e.Accepted, e.ReportsWritten, e.Archived, replicaRecords)
		}
		if !archived[key] {
			t.Errorf("%s: not in the archive", key)
		}
		n := 0
		for o, err := range st.Outcomes(ctx, e.ID) {
			if err != nil {
				t.Fatal(err)
			}
			n++
			if o.Status != ledger.RecordAccepted {
				t.Errorf("%s record %d: %s %v", key, o.Index, o.Status, o.Findings)
				continue
			}
			refs[o.ConfRef]++
			sources[fmt.Sprintf("file:%s/%s#%d", e.Licence, e.FileID, o.Index)]++
		}
		if n != replicaRecords {
			t.Errorf("%s: %d outcomes, want %d", key, n, replicaRecords)
		}
		resultKey, errorsKey, summaryKey := report.Names(key)
		for _, k := range []string{resultKey, errorsKey, summaryKey} {
			if !outbox[k] {
				t.Errorf("report missing: %s", k)
			}
		}
		if outbox[resultKey] {
			res, err := schema.Default().Validate(bytes.NewReader(b.read(t, "outbox", resultKey)), nil, schema.Options{})
			if err != nil || !res.Valid() {
				t.Errorf("%s is not a valid result report: %v %v", resultKey, err, res.Issues)
			}
		}
		bySponsor[e.Licence] = append(bySponsor[e.Licence], e)
	}
	if want := replicaSponsors * replicaFiles * replicaRecords; len(refs) != want {
		t.Errorf("%d distinct confirmation references in the ledger, want %d", len(refs), want)
	}
	for ref, n := range refs {
		if n != 1 {
			t.Errorf("confirmation reference %s given to %d records", ref, n)
		}
	}

	// The register: every record applied exactly once, each certificate
	// with one report from each of its sponsor's files (in their order when
	// inOrder).
	certs, err := st.CertificateList(ctx, store.CertificateListParams{})
	if err != nil {
		t.Fatal(err)
	}
	applied := 0
	for _, c := range certs {
		var order []string
		for _, a := range c.Activity {
			applied++
			if refs[a.Ref] != 1 {
				t.Errorf("%s: report %s has no accepted record in the ledger", c.Number, a.Ref)
			}
			if sources[a.Source] != 1 {
				t.Errorf("%s: report %s from %s, which the ledger does not hold once", c.Number, a.Ref, a.Source)
			}
			id, _, _ := strings.Cut(strings.TrimPrefix(a.Source, "file:"+c.Sponsor+"/"), "#")
			order = append(order, id)
		}
		var want []string
		s, _ := strconv.Atoi(c.Sponsor[3:5])
		for f := range replicaFiles {
			want = append(want, replicaFileID(s, f))
		}
		if !inOrder {
			sort.Strings(order)
		}
		if strings.Join(order, " ") != strings.Join(want, " ") {
			t.Errorf("%s: reports from files %v; want one from each, in order %v", c.Number, order, want)
		}
	}
	if want := replicaSponsors * replicaFiles * replicaRecords; applied != want {
		t.Errorf("%d reports in the register, want %d", applied, want)
	}
	if !inOrder {
		return
	}
	// The ledger claimed each sponsor's files in their order too: ids are
	// handed out as files are claimed.
	for licence, es := range bySponsor {
		sort.Slice(es, func(i, j int) bool { return es[i].CreatedAt < es[j].CreatedAt })
		for i := 1; i < len(es); i++ {
			if es[i].ID <= es[i-1].ID {
				t.Errorf("%s: %s (created %s) was claimed before %s (created %s)", licence,
					es[i].FileID, es[i].CreatedAt, es[i-1].FileID, es[i-1].CreatedAt)
			}
		}
	}
}

// keySet is keys as a set.
func keySet(keys []string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}
