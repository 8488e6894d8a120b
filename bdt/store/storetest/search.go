package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"bdt/bdt/register"
	"bdt/bdt/store"
	"bdt/rules"
)

// numbersOf returns the numbers of list, in its order.
func numbersOf(list []*rules.Certificate) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.Number
	}
	return out
}

// fixtureCert returns the certificate of Fixture numbered n.
func fixtureCert(t *testing.T, n string) *rules.Certificate {
	t.Helper()
	for _, c := range Fixture().Certificates {
		if c.Number == n {
			return &c
		}
	}
	t.Fatalf("no certificate %s in the fixture", n)
	return nil
}

func testSearch(t *testing.T, s store.Store) {
	ctx := context.Background()
	for name, r := range readers(t, s) {
		t.Run(name, func(t *testing.T) {
			for _, tc := range []struct {
				name string
				p    store.CertificateSearchParams
				want []string
			}{
				{"family name", store.CertificateSearchParams{Sponsor: uni, FamilyName: "Okafor"}, []string{casUsed}},
				{"family name as written, case included", store.CertificateSearchParams{Sponsor: uni, FamilyName: "okafor"}, nil},
				{"given names", store.CertificateSearchParams{Sponsor: uni, GivenNames: "Lan"}, []string{casAssign}},
				{"date of birth", store.CertificateSearchParams{Sponsor: uni, DateOfBirth: d("2004-11-02")}, []string{casAssign}},
				{"nationality", store.CertificateSearchParams{Sponsor: uni, Nationality: "NGA"}, []string{casUsed}},
				{"sponsor reference", store.CertificateSearchParams{Sponsor: uni, SponsorReference: "S2600417"}, []string{casUsed}},
				{"every detail", store.CertificateSearchParams{Sponsor: uni, Kind: rules.CAS, FamilyName: "Okafor", GivenNames: "Chidinma Grace",
					DateOfBirth: d("2005-04-17"), Nationality: "NGA", SponsorReference: "S2600417"}, []string{casUsed}},
				{"details that do not go together", store.CertificateSearchParams{Sponsor: uni, FamilyName: "Okafor", Nationality: "VNM"}, nil},
				{"no detail: every certificate of the sponsor", store.CertificateSearchParams{Sponsor: uni}, []string{casUsed, casAssign}},
				{"another sponsor's person", store.CertificateSearchParams{Sponsor: scottish, FamilyName: "Okafor"}, nil},
				{"another sponsor's reference", store.CertificateSearchParams{Sponsor: employer, SponsorReference: "S2600417"}, nil},
				{"no sponsor matches nothing", store.CertificateSearchParams{FamilyName: "Okafor"}, nil},
				{"absent sponsor", store.CertificateSearchParams{Sponsor: "ZZZZZZZZZ"}, nil},
				{"Level 2 owner", store.CertificateSearchParams{Sponsor: uni, Owner: uniL2}, []string{casUsed}},
				{"Level 2 owner, another's certificate", store.CertificateSearchParams{Sponsor: uni, Owner: uniL2, FamilyName: "Nguyen Thi"}, nil},
				{"owner of another sponsor", store.CertificateSearchParams{Sponsor: uni, Owner: empL1}, nil},
				{"kind", store.CertificateSearchParams{Sponsor: employer, Kind: rules.CoS, Nationality: "PRT"}, []string{cosAssign}},
				{"other kind", store.CertificateSearchParams{Sponsor: uni, Kind: rules.CoS}, nil},
				{"after", store.CertificateSearchParams{Sponsor: uni, After: casUsed}, []string{casAssign}},
				{"limit", store.CertificateSearchParams{Sponsor: uni, Limit: 1}, []string{casUsed}},
			} {
				got, err := r.CertificateSearch(ctx, tc.p)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				if !slices.Equal(numbersOf(got), tc.want) {
					t.Errorf("%s: got %v; want %v", tc.name, numbersOf(got), tc.want)
				}
			}
			got, err := r.CertificateSearch(ctx, store.CertificateSearchParams{Sponsor: uni, FamilyName: "Okafor"})
			if err != nil || len(got) != 1 {
				t.Fatalf("search: %v, %v", got, err)
			}
			same(t, "found certificate, with its histories", got[0], fixtureCert(t, casUsed))
		})
	}
}

// twoSponsors returns a register of n CAS of uni and n of a second
// sponsor, alike but for their numbers: every even one of each is family
// name "Even", status changed at base plus its position in seconds, and
// the second sponsor's carry a sponsor reference. It returns uni's numbers.
func twoSponsors(n int, base time.Time) (*register.Fixture, []string) {
	f, numbers := manyCAS(n, func(i int, c *rules.Certificate) {
		if i%2 == 0 {
			c.Person.FamilyName = "Even"
		}
		c.Status = rules.StatusAssigned
		c.StatusHistory = []rules.StatusChange{{Status: rules.StatusAssigned, At: base.Add(time.Duration(i) * time.Second), By: "system"}}
	})
	other := "ZZOTHER01"
	f.Sponsors = append(f.Sponsors, rules.Sponsor{Licence: other, Name: "Other", Status: rules.LicenceARated, Nation: "SCOTLAND"})
	for i := range n {
		c := f.Certificates[i]
		c.Number, c.Sponsor = fmt.Sprintf("CAS%011d", n+i), other
		c.Activity = []rules.ActivityReport{{Ref: "R" + c.Number, Type: rules.StudentAbsent, SponsorReference: "REF",
			ReportedAt: base, ReportedBy: "u"}}
		f.Certificates = append(f.Certificates, c)
	}
	return f, numbers
}

func testSearchPaging(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 40
	f, numbers := twoSponsors(n, at("2026-01-01T00:00:00Z"))
	load(t, s, f)
	var want []string
	for i, num := range numbers {
		if i%2 == 0 {
			want = append(want, num)
		}
	}
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > n {
			t.Fatal("paging does not end")
		}
		page, err := s.CertificateSearch(ctx, store.CertificateSearchParams{Sponsor: uni, Kind: rules.CAS, FamilyName: "Even", After: after, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 7 {
			t.Fatalf("page of %d; limit 7", len(page))
		}
		if len(page) == 0 {
			break
		}
		got = append(got, numbersOf(page)...)
		after = page[len(page)-1].Number
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged search: got %v; want %v", got, want)
	}
}

// changes collects what CertificateChanges yields for p.
func changes(t *testing.T, r store.Reader, p store.CertificateChangesParams) []store.CertificateChange {
	t.Helper()
	var out []store.CertificateChange
	for c, err := range r.CertificateChanges(context.Background(), p) {
		if err != nil {
			t.Fatalf("CertificateChanges(%+v): %v", p, err)
		}
		out = append(out, c)
	}
	return out
}

func changedNumbers(list []store.CertificateChange) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.Certificate.Number
	}
	return out
}

func testChanges(t *testing.T, s store.Store) {
	for name, r := range readers(t, s) {
		t.Run(name, func(t *testing.T) {
			usedAt, assignedAt := at("2026-07-01T00:00:00.123456789Z"), at("2026-10-01T12:00:00Z")
			for _, tc := range []struct {
				name string
				p    store.CertificateChangesParams
				want []string
			}{
				{"every certificate", store.CertificateChangesParams{Sponsor: uni, Kind: rules.CAS}, []string{casUsed, casAssign}},
				{"since the earlier change, boundary included", store.CertificateChangesParams{Sponsor: uni, Since: usedAt}, []string{casUsed, casAssign}},
				{"since a nanosecond after it", store.CertificateChangesParams{Sponsor: uni, Since: usedAt.Add(time.Nanosecond)}, []string{casAssign}},
				{"since the later change, boundary included", store.CertificateChangesParams{Sponsor: uni, Since: assignedAt}, []string{casAssign}},
				{"since a nanosecond after the last", store.CertificateChangesParams{Sponsor: uni, Since: assignedAt.Add(time.Nanosecond)}, nil},
				{"since in another zone", store.CertificateChangesParams{Sponsor: uni, Since: assignedAt.In(time.FixedZone("", 2*3600))}, []string{casAssign}},
				{"no status history, every certificate", store.CertificateChangesParams{Sponsor: scottish}, []string{casBare}},
				{"no status history, since", store.CertificateChangesParams{Sponsor: scottish, Since: at("2000-01-01T00:00:00Z")}, nil},
				{"Level 2 owner", store.CertificateChangesParams{Sponsor: uni, Owner: uniL2}, []string{casUsed}},
				{"owner of another sponsor", store.CertificateChangesParams{Sponsor: uni, Owner: empL1}, nil},
				{"other kind", store.CertificateChangesParams{Sponsor: uni, Kind: rules.CoS}, nil},
				{"CoS", store.CertificateChangesParams{Sponsor: employer, Kind: rules.CoS}, []string{cosAssign, cosUsed}},
				{"no sponsor matches nothing", store.CertificateChangesParams{}, nil},
			} {
				if got := changedNumbers(changes(t, r, tc.p)); !slices.Equal(got, tc.want) {
					t.Errorf("%s: got %v; want %v", tc.name, got, tc.want)
				}
			}
			got := changes(t, r, store.CertificateChangesParams{Sponsor: uni, Kind: rules.CAS})
			bare := func(n string) *rules.Certificate {
				c := fixtureCert(t, n)
				c.StatusHistory, c.FeeHistory, c.Activity = nil, nil, nil
				return c
			}
			same(t, "changes", got, []store.CertificateChange{
				{Certificate: bare(casUsed), Changed: usedAt, SponsorReference: "S2600417"},
				{Certificate: bare(casAssign), Changed: assignedAt},
			})
			got = changes(t, r, store.CertificateChangesParams{Sponsor: scottish})
			same(t, "a change without status history", got, []store.CertificateChange{{Certificate: bare(casBare)}})
		})
	}
}

func testChangesMany(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 2500
	base := at("2026-01-01T00:00:00Z")
	f, numbers := twoSponsors(n, base)
	load(t, s, f)
	// Since the middle one: the second half, in number order, none of the
	// other sponsor's.
	got := changes(t, s, store.CertificateChangesParams{Sponsor: uni, Kind: rules.CAS, Since: base.Add(n / 2 * time.Second)})
	if !slices.Equal(changedNumbers(got), numbers[n/2:]) {
		t.Fatalf("got %d changes; want the %d from %s on", len(got), n-n/2, numbers[n/2])
	}
	for i, c := range got {
		if want := base.Add(time.Duration(n/2+i) * time.Second); !c.Changed.Equal(want) || c.SponsorReference != "" {
			t.Fatalf("change %d: %v, %q; want %v and no sponsor reference", i, c.Changed, c.SponsorReference, want)
		}
	}
	// The other sponsor's carry their reference.
	other := changes(t, s, store.CertificateChangesParams{Sponsor: "ZZOTHER01"})
	if len(other) != n || other[0].SponsorReference != "REF" {
		t.Fatalf("other sponsor: %d changes, first %+v", len(other), other[0])
	}
	// A caller that stops early ends the read, and the store goes on.
	seen := 0
	for _, err := range s.CertificateChanges(ctx, store.CertificateChangesParams{Sponsor: uni}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen++; seen == 3 {
			break
		}
	}
	if seen != 3 {
		t.Fatalf("iterated %d; want to stop at 3", seen)
	}
	if _, err := s.Sponsor(ctx, uni); err != nil {
		t.Fatalf("after an early stop: %v", err)
	}
}
