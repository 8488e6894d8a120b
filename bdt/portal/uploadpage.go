package portal

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"bdt/bdt/intake"
	"bdt/rules"
)

// uploadField is the upload form's file input: the part after csrfField.
const uploadField = "file"

// uploadData is the upload page's own.
type uploadData struct {
	MaxSize int64
}

// uploadPage is GET /upload: the form.
func (s *Server) uploadPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "upload", view{Title: "Upload a file", Data: uploadData{s.cfg.MaxSize}})
}

// uploadPost is POST /upload: the file part, after the CSRF token the
// guard read, is streamed into the sponsor's inbox (s.receive), never
// held whole; the browser is then sent to the file's page. A file past
// the size limit is the form again with F.SIZE's message, and 413.
func (s *Server) uploadPost(w http.ResponseWriter, r *http.Request) {
	again := func(status int, message string) {
		s.render(w, r, status, "upload", view{Title: "Upload a file", Errors: []fieldError{{uploadField, message}}, Data: uploadData{s.cfg.MaxSize}})
	}
	longTransfer(w)
	mr := formParts(r)
	if mr == nil {
		again(http.StatusBadRequest, "Select a BDT file to upload")
		return
	}
	part, err := mr.NextPart()
	if err != nil || part.FormName() != uploadField || part.FileName() == "" {
		again(http.StatusBadRequest, "Select a BDT file to upload")
		return
	}
	f, err := s.receive(r, principalOf(r), channelPortal, part.FileName(), part)
	switch {
	case errors.Is(err, intake.ErrTooLarge):
		// The browser is still sending: read on (up to the limit again) so
		// that it gets this answer rather than a reset connection.
		io.Copy(io.Discard, io.LimitReader(r.Body, s.cfg.MaxSize))
		again(http.StatusRequestEntityTooLarge, rules.SizeFinding(-1, s.cfg.MaxSize).Message)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/files/%d", f.ID), http.StatusSeeOther)
}
