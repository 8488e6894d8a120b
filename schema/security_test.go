package schema_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"bdt/rules"
	"bdt/schema"
)

// TestNothingOutsideTheFileIsRead feeds documents that try to make the
// parser read a local file or the network (external entities, external
// DTDs, parameter entities, XInclude, xsi:schemaLocation) or expand entities
// exponentially. A DOCTYPE is refused outright (F.WELLFORMED) before libxml2
// sees it; nothing is fetched and the secret never shows up anywhere.
func TestNothingOutsideTheFileIsRead(t *testing.T) {
	const secret = "TOP-SECRET-7f3a9c"
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret.txt")
	if err := os.WriteFile(secretFile, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	secretDTD := filepath.Join(dir, "evil.dtd")
	if err := os.WriteFile(secretDTD, []byte(`<!ENTITY % all "<!ENTITY leak '`+secret+`'>">%all;`), 0o600); err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, secret)
	}))
	defer srv.Close()

	const root = `<FeeUpdate xmlns="` + feeNS + `">`
	body := func(cas string) string {
		return `  <Header><SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber><SMSUserId>fees.office</SMSUserId>` +
			`<BulkUpdateFileId>F-1</BulkUpdateFileId><CreatedAt>2026-07-17T16:45:00Z</CreatedAt><RecordCount>1</RecordCount></Header>
  <CASFeeUpdate><CASNumber>` + cas + `</CASNumber></CASFeeUpdate>
</FeeUpdate>
`
	}
	laughs := `<!DOCTYPE FeeUpdate [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
`
	doctypes := []struct {
		name string
		doc  string
		line int // of the DOCTYPE
	}{
		{"external entity: file", `<?xml version="1.0"?>
<!DOCTYPE FeeUpdate [<!ENTITY xxe SYSTEM "file://` + secretFile + `">]>
` + root + body("&xxe;"), 2},
		{"external entity: plain path", `<!DOCTYPE FeeUpdate [<!ENTITY xxe SYSTEM "` + secretFile + `">]>` + root + body("&xxe;"), 1},
		{"external entity: http", `<!DOCTYPE FeeUpdate [<!ENTITY xxe SYSTEM "` + srv.URL + `/xxe">]>
` + root + body("&xxe;"), 1},
		{"external DTD: http", `<!DOCTYPE FeeUpdate SYSTEM "` + srv.URL + `/evil.dtd">
` + root + body("CAS00000000001"), 1},
		{"external DTD: file", `<!DOCTYPE FeeUpdate SYSTEM "` + secretDTD + `">
` + root + body("&leak;"), 1},
		{"parameter entity", `<!DOCTYPE FeeUpdate [
  <!ENTITY % p SYSTEM "file://` + secretFile + `">
  %p;
  <!ENTITY % q SYSTEM "` + srv.URL + `/q">
  %q;
]>
` + root + body("CAS00000000001"), 1},
		{"billion laughs", laughs + root + body("&lol9;"), 1},
		{"internal entity", `<!DOCTYPE FeeUpdate [<!ENTITY c "CAS00000000001">]>` + root + body("&c;"), 1},
		{"after BOM, declaration, comment and PI", "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- x -->\n<?pi?>\n<!DOCTYPE FeeUpdate [<!ENTITY xxe SYSTEM \"file://" + secretFile + "\">]>\n" + root + body("&xxe;"), 4},
		{"UTF-16", string(utf16LE(`<?xml version="1.0" encoding="UTF-16"?>
<!DOCTYPE FeeUpdate [<!ENTITY xxe SYSTEM "file://` + secretFile + `">]>` + root + body("&xxe;"))), 2},
	}
	for _, tc := range doctypes {
		t.Run(tc.name, func(t *testing.T) {
			h := &recorder{}
			res := validate(t, []byte(tc.doc), h, schema.Options{})
			if len(res.Issues) != 1 {
				t.Fatalf("issues:\n%s", issueList(res.Issues))
			}
			is := res.Issues[0]
			if is.Rule != "F.WELLFORMED" || !is.Parser || is.Line != tc.line || is.Column != 1 || !strings.Contains(is.Message, "DOCTYPE") {
				t.Errorf("issue %#v, want F.WELLFORMED at %d:1 about the DOCTYPE", is, tc.line)
			}
			if len(h.events) != 0 || res.Records != 0 || res.Format.Name != "" {
				t.Errorf("a refused file was parsed: events %v, records %d, format %q", h.events, res.Records, res.Format.Name)
			}
			noSecret(t, res, h, secret)
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the HTTP server was asked %d times", n)
	}

	// Without a DOCTYPE: an entity reference is simply undefined, an
	// XInclude is an unexpected element, a schemaLocation hint is ignored.
	others := []struct {
		name string
		doc  string
		rule rules.RuleID
	}{
		{"entity without a DOCTYPE", root + body("&xxe;"), "F.WELLFORMED"},
		{"XInclude", root + strings.Replace(body("CAS00000000001"), "</CASNumber>",
			`</CASNumber><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://`+secretFile+`" parse="text"/>`, 1), "F.SCHEMA"},
		{"XInclude over http", root + strings.Replace(body("CAS00000000001"), "</CASNumber>",
			`</CASNumber><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="`+srv.URL+`/x" parse="text"/>`, 1), "F.SCHEMA"},
		{"xsi:schemaLocation", strings.Replace(root, ">", ` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="`+feeNS+` `+srv.URL+`/evil.xsd">`, 1) +
			body("CAS00000000001"), ""},
		{"xsi:noNamespaceSchemaLocation", strings.Replace(root, ">", ` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="file://`+secretFile+`">`, 1) +
			body("CAS00000000001"), ""},
	}
	for _, tc := range others {
		t.Run(tc.name, func(t *testing.T) {
			h := &recorder{}
			res := validate(t, []byte(tc.doc), h, schema.Options{})
			if tc.rule == "" {
				if !res.Valid() {
					t.Errorf("not valid:\n%s", issueList(res.Issues))
				}
			} else if len(res.Issues) == 0 || res.Issues[0].Rule != tc.rule {
				t.Errorf("issues:\n%s\nwant %s", issueList(res.Issues), tc.rule)
			}
			noSecret(t, res, h, secret)
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the HTTP server was asked %d times", n)
	}
}

// noSecret fails if secret appears in anything the validator returned.
func noSecret(t *testing.T, res *schema.Result, h *recorder, secret string) {
	t.Helper()
	var all bytes.Buffer
	fmt.Fprintf(&all, "%#v", res.Issues)
	if res.Header != nil {
		dumpNode(&all, res.Header.Node)
	}
	for _, r := range h.records {
		dumpNode(&all, r.Node)
	}
	if strings.Contains(all.String(), secret) {
		t.Errorf("the secret leaked into the result: %s", all.String())
	}
}

func dumpNode(b *bytes.Buffer, n *schema.Node) {
	if n == nil {
		return
	}
	fmt.Fprintf(b, "%s=%q;", n.Name, n.Text)
	for _, c := range n.Children {
		dumpNode(b, c)
	}
}
