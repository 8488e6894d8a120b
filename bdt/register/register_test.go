package register_test

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"bdt/bdt/register"
	"bdt/bdt/store/storetest"
	"bdt/rules"
	"bdt/rules/calendar"
)

const samplePath = "../../samples/register.xml"

func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s:\ngot  %s\nwant %s", what, g, w)
	}
}

func encode(t *testing.T, f *register.Fixture) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f.Encode(&b); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return b.Bytes()
}

// The sample register is canonical: decoding and encoding it gives back
// the same bytes.
func TestSampleIsCanonical(t *testing.T) {
	want, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	f, err := register.Decode(bytes.NewReader(want))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if len(f.Sponsors) < 5 || len(f.Users) < 5 || len(f.Certificates) < 20 {
		t.Fatalf("sample decoded to %d sponsors, %d users, %d certificates", len(f.Sponsors), len(f.Users), len(f.Certificates))
	}
	if got := encode(t, f); !bytes.Equal(got, want) {
		t.Errorf("Encode(Decode(sample)) differs from the sample at byte %d", firstDiff(got, want))
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Every field of the model survives Encode then Decode.
func TestRoundTrip(t *testing.T) {
	f := storetest.Fixture()
	// Text the encoder escapes, and names with quotes.
	f.Sponsors[0].Name = `Queen's "New" College & <Friends>`
	f.Certificates[0].Person.FamilyName = "O'Brien"
	f.Certificates[0].Note = "line one\nline two\ttabbed & 'quoted'\r\n"
	got, err := register.Decode(bytes.NewReader(encode(t, f)))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	same(t, "Decode(Encode(f))", got, f)
}

// Encode writes canonical order whatever the order of f, and leaves f as it was.
func TestEncodeCanonicalOrder(t *testing.T) {
	f := storetest.Fixture()
	want := encode(t, f)
	shuffled := storetest.Fixture()
	rev := func(n int, swap func(i, j int)) {
		for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
			swap(i, j)
		}
	}
	rev(len(shuffled.Sponsors), func(i, j int) {
		shuffled.Sponsors[i], shuffled.Sponsors[j] = shuffled.Sponsors[j], shuffled.Sponsors[i]
	})
	rev(len(shuffled.Users), func(i, j int) { shuffled.Users[i], shuffled.Users[j] = shuffled.Users[j], shuffled.Users[i] })
	rev(len(shuffled.Certificates), func(i, j int) {
		shuffled.Certificates[i], shuffled.Certificates[j] = shuffled.Certificates[j], shuffled.Certificates[i]
	})
	routes := shuffled.Sponsors[1].Routes // the Scottish sponsor's
	routes[0], routes[1] = routes[1], routes[0]
	before := storetest.Fixture()
	before.Sponsors, before.Users, before.Certificates = append(before.Sponsors[:0:0], shuffled.Sponsors...),
		append(before.Users[:0:0], shuffled.Users...), append(before.Certificates[:0:0], shuffled.Certificates...)
	before.Sponsors[1].Routes = append([]rules.Route(nil), routes...)

	if got := encode(t, shuffled); !bytes.Equal(got, want) {
		t.Errorf("Encode of a shuffled fixture is not canonical:\n%s", got)
	}
	same(t, "fixture after Encode", shuffled, before)
}

func TestEncodeEmpty(t *testing.T) {
	got := string(encode(t, &register.Fixture{}))
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Register xmlns="urn:uk:gov:ukvi:sms:bdt:register:v1"></Register>` + "\n"
	if got != want {
		t.Errorf("Encode(empty) = %q; want %q", got, want)
	}
	f, err := register.Decode(strings.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "Decode(empty)", f, &register.Fixture{})
}

// What register-v1 cannot hold is refused rather than dropped.
func TestEncodeRefuses(t *testing.T) {
	m := rules.Money(100)
	tests := []struct {
		name string
		edit func(c *rules.Certificate)
	}{
		{"CAS with a job", func(c *rules.Certificate) { c.Job = &rules.Job{Title: "x"} }},
		{"CoS with a course", func(c *rules.Certificate) { c.Kind, c.Course = rules.CoS, &rules.Course{Title: "x"} }},
		{"CoS with fees", func(c *rules.Certificate) { c.Kind, c.Course, c.Fees = rules.CoS, nil, rules.Fees{CourseFeesPaid: &m} }},
		{"CoS with a fee history", func(c *rules.Certificate) {
			c.Kind, c.Course, c.Fees = rules.CoS, nil, rules.Fees{}
			c.FeeHistory = []rules.FeeChange{{}}
		}},
		{"unknown kind", func(c *rules.Certificate) { c.Kind = "VISA" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := storetest.Fixture()
			tt.edit(&f.Certificates[1])
			var b bytes.Buffer
			err := f.Encode(&b)
			if err == nil || !strings.Contains(err.Error(), f.Certificates[1].Number) {
				t.Errorf("Encode = %v; want an error naming %s", err, f.Certificates[1].Number)
			}
		})
	}
}

// Decode collapses whitespace in token-typed text, as the XSD reads it.
func TestDecodeCollapsesTokens(t *testing.T) {
	doc := `<Register xmlns="urn:uk:gov:ukvi:sms:bdt:register:v1">
  <Sponsors><Sponsor><SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>
    <Name>  University
      of   Wessex </Name><Status>A_RATED</Status><Nation>ENGLAND_AND_WALES</Nation></Sponsor></Sponsors>
  <Certificates><CAS><CASNumber>CAS26000000001</CASNumber><SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>
    <Status>USED</Status><Person><FamilyName> Nguyen  Thi </FamilyName></Person>
    <SponsorNote>  kept
  as written </SponsorNote></CAS></Certificates>
</Register>`
	f, err := register.Decode(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Sponsors[0].Name; got != "University of Wessex" {
		t.Errorf("sponsor name = %q", got)
	}
	if got := f.Certificates[0].Person.FamilyName; got != "Nguyen Thi" {
		t.Errorf("family name = %q", got)
	}
	if got := f.Certificates[0].Note; got != "  kept\n  as written " {
		t.Errorf("note = %q; want it as written (xs:string)", got)
	}
}

func TestDecodeErrors(t *testing.T) {
	const ns = `xmlns="urn:uk:gov:ukvi:sms:bdt:register:v1"`
	cas := func(inner string) string {
		return `<Register ` + ns + `>
<Certificates>
<CAS><CASNumber>CAS26000000001</CASNumber><SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>
<Status>USED</Status><Person><FamilyName>A</FamilyName></Person>` + inner + `</CAS>
</Certificates>
</Register>`
	}
	tests := []struct {
		name string
		doc  string
		want []string // substrings of the error
	}{
		{"empty", ``, []string{"no root element"}},
		{"not XML", `hello`, []string{"register:"}},
		{"wrong namespace", `<Register xmlns="urn:uk:gov:ukvi:sms:bdt:noshow:v1"/>`, []string{"line 1", "noshow"}},
		{"wrong root", `<NoShowReport ` + ns + `/>`, []string{"root element", "NoShowReport"}},
		{"DOCTYPE", `<!DOCTYPE Register [<!ENTITY x "y">]><Register ` + ns + `/>`, []string{"DOCTYPE"}},
		{"unknown section", "<Register " + ns + ">\n\n<Visas/></Register>", []string{"line 3", "Visas"}},
		{"unknown item", "<Register " + ns + "><Users>\n<Sponsor/></Users></Register>", []string{"line 2", "Sponsor"}},
		{"truncated", "<Register " + ns + "><Users><User>", []string{"register:"}},
		{"stray text", "<Register " + ns + ">hello</Register>", []string{"hello"}},
		{"bad level", "<Register " + ns + "><Users>\n<User><SMSUserId>u01</SMSUserId><Level>one</Level></User></Users></Register>",
			[]string{"line 2", "user u01", "Level"}},
		{"bad date", cas(`<AssignedOn>2026-02-30</AssignedOn>`), []string{"line 3", "CAS CAS26000000001", "AssignedOn", "2026-02-30"}},
		{"bad time", cas(`<StatusHistory><StatusChange><Status>USED</Status><At>2026-07-01T00:00:00</At></StatusChange></StatusHistory>`),
			[]string{"line 3", "StatusChange/At"}},
		{"bad money", cas(`<Fees><CourseFeesPaidToDate>12.5</CourseFeesPaidToDate></Fees>`), []string{"Fees/CourseFeesPaidToDate", "12.5"}},
		{"bad boolean", cas(`<Fees><CourseFeeIncludesAccomodationCosts>yes</CourseFeeIncludesAccomodationCosts></Fees>`),
			[]string{"CourseFeeIncludesAccomodationCosts"}},
		{"mismatched tags", strings.Replace(cas(``), "<CAS><CASNumber>", "<CoS><CoSNumber>", 1), []string{"register:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := register.Decode(strings.NewReader(tt.doc))
			if err == nil {
				t.Fatalf("Decode = %+v, nil; want an error", f)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// Dates decode to calendar dates and money to pence.
func TestDecodeValues(t *testing.T) {
	doc := `<Register xmlns="urn:uk:gov:ukvi:sms:bdt:register:v1"><Certificates>
<CoS><CoSNumber>COS26000000001</CoSNumber><SponsorLicenceNumber>NTMHWM0V3</SponsorLicenceNumber><Status>USED</Status>
<Person><FamilyName>F</FamilyName><DateOfBirth>1991-08-03</DateOfBirth></Person>
<Job><Title>Welder</Title><Salary>30100.5</Salary></Job></CoS></Certificates></Register>`
	if _, err := register.Decode(strings.NewReader(doc)); err == nil || !strings.Contains(err.Error(), "Job/Salary") {
		t.Errorf("one decimal of pence: err = %v; want a Job/Salary error", err)
	}
	doc = strings.Replace(doc, "30100.5", "30100.05", 1)
	f, err := register.Decode(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	c := f.Certificates[0]
	if c.Kind != rules.CoS || c.Job.SalaryPence != 3010005 || c.Person.DateOfBirth != calendar.MustDate("1991-08-03") {
		t.Errorf("decoded %+v, job %+v", c, c.Job)
	}
}
