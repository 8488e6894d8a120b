package portal

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
)

// maxFormBytes bounds a urlencoded form's body (sign-in, password, a
// look-up): far above any real one.
const maxFormBytes = 64 << 10

// partsKey is the context key of a multipart form's reader, after the
// guard has read its first part (the CSRF token).
type partsKey struct{}

// csrfToken returns the CSRF token r's form carries: a urlencoded body's
// csrfField, or the first part of a multipart body when that part is
// csrfField (an upload form puts it first). A multipart reader is left in
// the context of the request it returns, for the handler to read the
// remaining parts (formParts), so that a file part is streamed, never
// buffered. The token is "" when there is none.
func csrfToken(r *http.Request) (string, *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
		return r.PostFormValue(csrfField), r
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return "", r
		}
		part, err := mr.NextPart()
		if err != nil || part.FormName() != csrfField {
			return "", r
		}
		b, err := io.ReadAll(io.LimitReader(part, 256))
		if err != nil {
			return "", r
		}
		return string(b), r.WithContext(context.WithValue(r.Context(), partsKey{}, mr))
	}
	return "", r
}

// formParts returns the rest of a multipart form whose first part, the
// CSRF token, the guard has read; nil when r has none.
func formParts(r *http.Request) *multipart.Reader {
	mr, _ := r.Context().Value(partsKey{}).(*multipart.Reader)
	return mr
}
