package portal_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"bdt/bdt/store"
)

// A bad id or query is a 400 problem that says what is wrong.
func TestAPIBadRequests(t *testing.T) {
	s := newAPISite(t, folder, 1<<20)
	tok := s.token(wessexL1)
	for _, path := range []string{
		"/api/v1/files/abc", "/api/v1/files/0", "/api/v1/files/-1", "/api/v1/files/1.5", "/api/v1/files/99999999999999999999",
		"/api/v1/files/abc/result.xml",
		"/api/v1/files?limit=0", "/api/v1/files?limit=501", "/api/v1/files?limit=x", "/api/v1/files?after=0", "/api/v1/files?after=x",
	} {
		resp, b := s.do(http.MethodGet, path, tok, nil)
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/problem+json" || !bytes.Contains(b, []byte(`"detail"`)) {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
		}
	}
	for _, name := range []string{strings.Repeat("n", 256), "a%00b", "%ff"} {
		resp, b := s.do(http.MethodPost, "/api/v1/files?name="+name, tok, strings.NewReader("<x/>"))
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("upload named %q: %d %s", name, resp.StatusCode, b)
		}
	}
	if files, _ := s.Store.FileList(context.Background(), store.FileListParams{}); len(files) != 0 {
		t.Errorf("bad uploads left entries: %v", files)
	}
}

// The listing pages newest first by keyset: limit, and a next link while
// there are more.
func TestAPIListPages(t *testing.T) { drivers(t, testListPages) }

func testListPages(t *testing.T, reg registerOf) {
	s := newAPISiteOn(t, reg, folder, 1<<20)
	tok := s.token(wessexL1)
	var ids []int64
	for range 5 {
		ids = append(ids, s.upload(tok, "", "<x/>"))
	}
	var got []int64
	path := "/api/v1/files?limit=2"
	for pages := 0; path != ""; pages++ {
		if pages > 3 {
			t.Fatal("too many pages")
		}
		var list struct {
			Files []fileAnswer
			Links map[string]string
		}
		decode(t, s.get(path, tok, 200), &list)
		for _, f := range list.Files {
			got = append(got, f.ID)
		}
		path = list.Links["next"]
	}
	if len(got) != 5 {
		t.Fatalf("paged through %v, want 5 files", got)
	}
	for i, id := range got {
		if id != ids[4-i] {
			t.Errorf("page order %v, want newest first of %v", got, ids)
			break
		}
	}
	var list struct{ Files []fileAnswer }
	decode(t, s.get("/api/v1/files", tok, 200), &list)
	if len(list.Files) != 5 {
		t.Errorf("default limit: %d files", len(list.Files))
	}
}
