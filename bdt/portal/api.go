package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"unicode"
	"unicode/utf8"

	"bdt/bdt/intake"
	"bdt/rules"
)

// The listing's page sizes (GET /api/v1/files?limit=).
const (
	defaultPageSize = 50
	maxPageSize     = 500
)

// maxClientName bounds the name an upload is given (?name=), in bytes.
const maxClientName = 255

// apiRoutes are the /api/v1 paths, each behind the token guard but the
// OpenAPI document, which holds no data and is public. Every other path
// under /api/ answers the one not-found problem, to a token's bearer.
func (s *Server) apiRoutes() []route {
	return []route{
		{"POST " + apiBase + "/files", s.api(s.apiUpload)},
		{"GET " + apiBase + "/files", s.api(s.apiFiles)},
		{"GET " + apiBase + "/files/{id}", s.api(s.apiFile)},
		{"GET " + apiBase + "/files/{id}/{report}", s.api(s.apiReport)},
		{"GET " + apiBase + "/certificates/{number}", s.api(s.apiCertificate)},
		{"GET " + apiBase + "/openapi.json", http.HandlerFunc(serveOpenAPI)},
		{"/api/", s.api(func(w http.ResponseWriter, _ *http.Request) { writeProblem(w, problemNotFound) })},
	}
}

// badRequest is the problem of a request the API cannot read: a bad id or
// query; detail says which and how.
func badRequest(detail string) problem {
	return problem{Type: "about:blank", Title: "Bad Request", Status: http.StatusBadRequest, Detail: detail}
}

// apiUpload is POST /api/v1/files?name=NAME: the body is the file,
// streamed to the inbox.
func (s *Server) apiUpload(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	name := r.URL.Query().Get("name")
	if !goodClientName(name) {
		writeProblem(w, badRequest("The name must be at most 255 bytes of UTF-8 text, without control characters. It is kept as the file's name for you; bdt chooses where the file is stored."))
		return
	}
	if r.ContentLength > s.cfg.MaxSize {
		s.uploadTooLarge(channelAPI, p)
		writeProblem(w, s.problemTooLarge(r.ContentLength))
		return
	}
	longTransfer(w)
	f, err := s.receive(r, p, channelAPI, name, r.Body)
	switch {
	case errors.Is(err, intake.ErrTooLarge):
		writeProblem(w, s.problemTooLarge(-1))
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Location", fileLink(f.ID, ""))
	writeJSON(w, http.StatusAccepted, struct {
		ID     int64             `json:"id"`
		Status string            `json:"status"`
		Links  map[string]string `json:"links"`
	}{f.ID, string(f.Status), map[string]string{"self": fileLink(f.ID, "")}})
}

// problemTooLarge is the 413 of an upload past Config.MaxSize, with the
// F.SIZE finding; size is -1 when not known.
func (s *Server) problemTooLarge(size int64) problem {
	f := rules.SizeFinding(size, s.cfg.MaxSize)
	return problem{Type: "about:blank", Title: http.StatusText(http.StatusRequestEntityTooLarge),
		Status: http.StatusRequestEntityTooLarge, Detail: f.Message, Findings: findingsJSON([]rules.Finding{f}, 0)}
}

// goodClientName reports whether an upload's ?name= may be kept: bounded,
// UTF-8, printable. It is data only, never a path.
func goodClientName(s string) bool {
	if len(s) > maxClientName || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// apiFiles is GET /api/v1/files?limit=&after=: the sponsor's files newest
// first, and a next link while there are more.
func (s *Server) apiFiles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, after := defaultPageSize, int64(0)
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			writeProblem(w, badRequest("limit must be a whole number from 1 to 500."))
			return
		}
		limit = n
	}
	if v := q.Get("after"); v != "" {
		id, ok := parseID(v)
		if !ok {
			writeProblem(w, badRequest("after must be a file id: a whole number from 1."))
			return
		}
		after = id
	}
	files, err := s.fileList(r.Context(), principalOf(r), after, limit+1)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := struct {
		Files []fileJSON        `json:"files"`
		Links map[string]string `json:"links"`
	}{Files: []fileJSON{}, Links: map[string]string{}}
	for i, f := range files {
		if i == limit {
			next := url.Values{"after": {strconv.FormatInt(files[limit-1].ID, 10)}, "limit": {strconv.Itoa(limit)}}
			out.Links["next"] = apiBase + "/files?" + next.Encode()
			break
		}
		out.Files = append(out.Files, newFileJSON(f))
	}
	writeJSON(w, http.StatusOK, out)
}

// parseID reads a file id of a path or a query: a whole number from 1.
func parseID(v string) (int64, bool) {
	id, err := strconv.ParseInt(v, 10, 64)
	return id, err == nil && id > 0
}

// pathID is the {id} of r's path, or false after answering 400.
func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		writeProblem(w, badRequest("A file id is a whole number from 1, as the upload's answer or the listing gives it."))
	}
	return id, ok
}

// apiFile is GET /api/v1/files/{id}.
func (s *Server) apiFile(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	f, err := s.file(r.Context(), principalOf(r), id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if f == nil {
		writeProblem(w, problemNotFound)
		return
	}
	d, err := s.newFileDetail(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// apiReport is GET /api/v1/files/{id}/{report}.
func (s *Server) apiReport(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	name := r.PathValue("report")
	body, ctype, err := s.openReport(r.Context(), principalOf(r), id, name)
	switch {
	case errors.Is(err, errNotFound):
		writeProblem(w, problemNotFound)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if err := writeReport(w, id, name, ctype, body); err != nil {
		s.cfg.Log.Warn().Err(err).Int64("file", id).Str("report", name).Msg("portal: report not sent in full")
	}
}

// apiCertificate is GET /api/v1/certificates/{number}.
func (s *Server) apiCertificate(w http.ResponseWriter, r *http.Request) {
	v, fs, err := s.certificate(r.Context(), principalOf(r), r.PathValue("number"))
	switch {
	case err != nil:
		s.serverError(w, r, err)
	case v != nil:
		writeJSON(w, http.StatusOK, v)
	case len(fs) > 0:
		writeProblem(w, problem{Type: "about:blank", Title: "Forbidden", Status: http.StatusForbidden,
			Detail: fs[0].Message, Findings: findingsJSON(fs, 0)})
	default:
		writeProblem(w, problemNotFound)
	}
}
