package portal_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"bdt/bdt/portal"
)

// openAPIDoc is the served document, as far as the checks read it.
type openAPIDoc struct {
	OpenAPI    string                                       `json:"openapi"`
	Paths      map[string]map[string]openAPIOp              `json:"paths"`
	Components struct{ Schemas map[string]json.RawMessage } `json:"components"`
}

type openAPIOp struct {
	Security  *[]any                        `json:"security"`
	Responses map[string]openAPIResponseRef `json:"responses"`
}

type openAPIResponseRef struct {
	Ref     string                                      `json:"$ref"`
	Content map[string]struct{ Schema json.RawMessage } `json:"content"`
}

// The OpenAPI document's paths and methods are exactly apiRoutes' (both
// ways), it is served without a token, and a real answer of each path
// has every field its schema requires (a hand check of "required",
// through $ref, allOf, properties and items: kin-openapi's 3.1 support
// did not earn a dependency for that).
func TestOpenAPI(t *testing.T) {
	s := newAPISite(t, folder, 1<<20)
	var doc openAPIDoc
	decode(t, s.get("/api/v1/openapi.json", "", http.StatusOK), &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	var routed []string
	for _, p := range portal.APIPatterns() {
		if p == "/api/" { // the catch-all: every other path is the one 404
			continue
		}
		routed = append(routed, p)
	}
	slices.Sort(documented)
	slices.Sort(routed)
	if !slices.Equal(documented, routed) {
		t.Errorf("OpenAPI paths:\n%v\nroutes:\n%v", documented, routed)
	}
	if sec := doc.Paths["/api/v1/openapi.json"]["get"].Security; sec == nil || len(*sec) != 0 {
		t.Error("openapi.json should be documented as needing no token")
	}

	// A real answer of each JSON path, checked against its schema.
	tok := s.token(wessexL1)
	id := s.upload(tok, "a.xml", sample(t, jsmithFile))
	s.run()
	check := func(path, method, status string, body []byte) {
		t.Helper()
		op := doc.Paths[path][method]
		r, ok := op.Responses[status]
		if !ok {
			t.Errorf("%s %s: no %s response documented", method, path, status)
			return
		}
		if r.Ref != "" {
			return // the shared problem responses: checked below
		}
		for ctype, c := range r.Content {
			if !strings.HasSuffix(ctype, "json") {
				continue
			}
			var v any
			decode(t, body, &v)
			if err := conforms(doc, c.Schema, v, path); err != nil {
				t.Errorf("%s %s %s: %v\n%s", method, path, status, err, body)
			}
		}
	}
	resp, b := s.do(http.MethodPost, "/api/v1/files", tok, strings.NewReader(sample(t, jsmithFile)))
	check("/api/v1/files", "post", fmt.Sprint(resp.StatusCode), b)
	check("/api/v1/files", "get", "200", s.get("/api/v1/files", tok, 200))
	check("/api/v1/files/{id}", "get", "200", s.get(fileURL(id), tok, 200))
	check("/api/v1/certificates/{number}", "get", "200", s.get("/api/v1/certificates/CAS26000000002", tok, 200))
	_, b = s.do(http.MethodGet, "/api/v1/files/999", tok, nil)
	var problem any
	decode(t, b, &problem)
	if err := conforms(doc, json.RawMessage(`{"$ref":"#/components/schemas/Problem"}`), problem, "problem"); err != nil {
		t.Errorf("a problem: %v", err)
	}
}

// conforms checks v against schema's required fields, recursively.
func conforms(doc openAPIDoc, schema json.RawMessage, v any, at string) error {
	var sc struct {
		Ref        string                     `json:"$ref"`
		AllOf      []json.RawMessage          `json:"allOf"`
		Type       string                     `json:"type"`
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
		Items      json.RawMessage            `json:"items"`
		Enum       []any                      `json:"enum"`
	}
	if err := json.Unmarshal(schema, &sc); err != nil {
		return err
	}
	if sc.Ref != "" {
		name := strings.TrimPrefix(sc.Ref, "#/components/schemas/")
		s, ok := doc.Components.Schemas[name]
		if !ok {
			return fmt.Errorf("%s: no schema %s", at, name)
		}
		return conforms(doc, s, v, at)
	}
	for _, a := range sc.AllOf {
		if err := conforms(doc, a, v, at); err != nil {
			return err
		}
	}
	if len(sc.Enum) > 0 && !slices.Contains(sc.Enum, v) {
		return fmt.Errorf("%s: %v is none of %v", at, v, sc.Enum)
	}
	switch x := v.(type) {
	case map[string]any:
		if sc.Type != "" && sc.Type != "object" {
			return fmt.Errorf("%s: an object, want %s", at, sc.Type)
		}
		for _, r := range sc.Required {
			if _, ok := x[r]; !ok {
				return fmt.Errorf("%s: no %q", at, r)
			}
		}
		for k, ps := range sc.Properties {
			if pv, ok := x[k]; ok {
				if err := conforms(doc, ps, pv, at+"."+k); err != nil {
					return err
				}
			}
		}
	case []any:
		if sc.Type != "" && sc.Type != "array" {
			return fmt.Errorf("%s: an array, want %s", at, sc.Type)
		}
		for i, e := range x {
			if len(sc.Items) > 0 {
				if err := conforms(doc, sc.Items, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	case string:
		if sc.Type != "" && sc.Type != "string" {
			return fmt.Errorf("%s: a string, want %s", at, sc.Type)
		}
	case float64:
		if sc.Type != "" && sc.Type != "integer" && sc.Type != "number" {
			return fmt.Errorf("%s: a number, want %s", at, sc.Type)
		}
	}
	return nil
}
