package portal

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"bdt/bdt/auth"
	"bdt/bdt/intake"
	"bdt/bdt/ledger"
)

// The channels an upload comes by, as the uploads metric and the log name
// them.
const (
	channelPortal = "portal"
	channelAPI    = "api"
)

// TransferTimeout is how long an upload's body, or a report's download,
// may take once its user is known (longTransfer): 100 MB at about 1 Mbit/s.
// Every other request has the listener's own, shorter, limits.
const TransferTimeout = 15 * time.Minute

// longTransfer gives the request w answers TransferTimeout from now to be
// read and answered, in place of the listener's limits. Only a handler
// behind a guard calls it, so that a client who has not shown who it is
// never holds a connection that long. The deadlines are the network's, on
// the wall clock.
func longTransfer(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	deadline := time.Now().Add(TransferTimeout)
	rc.SetReadDeadline(deadline) // not supported (a test's recorder): the listener's limits stay
	rc.SetWriteDeadline(deadline)
}

// receive stores an upload of p's user, from channel (channelPortal or
// channelAPI), in p's sponsor's inbox (intake.Receive, with Config.MaxSize
// enforced while body streams) and asks for a run (Config.Nudge). The
// client's file name is kept as data only. It logs the user, the licence,
// the ledger id and the size (never the content) and counts the upload by
// channel and result. errors.Is(err, intake.ErrTooLarge) when body is past
// the limit: nothing is kept.
func (s *Server) receive(r *http.Request, p *auth.Principal, channel, clientName string, body io.Reader) (*ledger.File, error) {
	f, err := intake.Receive(r.Context(), intake.ReceiveParams{
		Store: s.cfg.Store, Inbox: s.cfg.Inbox,
		Licence: p.Sponsor.Licence, User: p.User.ID, ClientName: clientName,
		Body: body, MaxSize: s.cfg.MaxSize, Now: s.cfg.Clock(),
	})
	log := s.uploadLog(channel, p)
	switch {
	case errors.Is(err, intake.ErrTooLarge):
		s.uploadTooLarge(channel, p)
		return nil, err
	case err != nil:
		s.metrics.uploads.WithLabelValues(channel, "failed").Inc()
		log.Error().Err(err).Msg("portal: upload failed")
		return nil, err
	}
	s.metrics.uploads.WithLabelValues(channel, "received").Inc()
	log.Info().Int64("file", f.ID).Int64("size", f.Size).Str("key", f.Key).Msg("portal: upload received")
	if s.cfg.Nudge != nil {
		s.cfg.Nudge("upload")
	}
	return f, nil
}

// uploadLog is the log of p's uploads by channel.
func (s *Server) uploadLog(channel string, p *auth.Principal) zerolog.Logger {
	return s.cfg.Log.With().Str("channel", channel).Str("user", p.User.ID).Str("licence", p.Sponsor.Licence).Logger()
}

// uploadTooLarge logs and counts an upload of p refused past
// Config.MaxSize: by receive while it streamed, or before, by a handler
// whose request's Content-Length says so.
func (s *Server) uploadTooLarge(channel string, p *auth.Principal) {
	s.metrics.uploads.WithLabelValues(channel, "too_large").Inc()
	log := s.uploadLog(channel, p)
	log.Warn().Int64("limit", s.cfg.MaxSize).Msg("portal: upload refused: over the size limit (F.SIZE)")
}
