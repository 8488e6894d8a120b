package daemon

import (
	"fmt"
	stdlog "log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// ServerLimits bound what HTTP clients can hold of the process: how long a
// connection may take to send a request, to be answered, or sit idle, and
// how many connections it may have open at once. Without them, clients
// that keep connections open use up the process's file descriptors, and
// the runs fail. A zero field takes its default.
type ServerLimits struct {
	ReadHeaderTimeout time.Duration // default 10s
	ReadTimeout       time.Duration // the whole request; default 30s
	WriteTimeout      time.Duration // the whole answer; default 60s (above /readyz's 5s check)
	IdleTimeout       time.Duration // a kept-alive connection with no request; default 60s
	MaxConns          int           // connections open at once; further ones wait; default 64
	MaxHeaderBytes    int           // default 64 KiB
}

// withDefaults returns lim with its zero fields set to the defaults.
func (lim ServerLimits) withDefaults() ServerLimits {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&lim.ReadHeaderTimeout, 10*time.Second)
	def(&lim.ReadTimeout, 30*time.Second)
	def(&lim.WriteTimeout, 60*time.Second)
	def(&lim.IdleTimeout, 60*time.Second)
	if lim.MaxConns <= 0 {
		lim.MaxConns = 64
	}
	if lim.MaxHeaderBytes <= 0 {
		lim.MaxHeaderBytes = 64 << 10
	}
	return lim
}

// ListenHTTP listens on addr and returns a server for h with lim's
// timeouts, whose errors (a failed accept, say) go to log, and the listener
// to serve it on, which holds at most lim.MaxConns connections at once:
// further clients wait in the system's queue until one closes. Every HTTP
// endpoint of bdt is made here: srv.Serve(ln) serves it.
func ListenHTTP(addr string, h http.Handler, lim ServerLimits, log zerolog.Logger) (*http.Server, net.Listener, error) {
	lim = lim.withDefaults()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		ReadTimeout:       lim.ReadTimeout,
		WriteTimeout:      lim.WriteTimeout,
		IdleTimeout:       lim.IdleTimeout,
		MaxHeaderBytes:    lim.MaxHeaderBytes,
		ErrorLog:          stdlog.New(errorLog{log}, "", 0),
	}
	return srv, newLimitListener(ln, lim.MaxConns, log), nil
}

// errorLog writes net/http's own messages (accept errors, TLS handshakes,
// panics in handlers) as error lines of the log.
type errorLog struct{ l zerolog.Logger }

func (e errorLog) Write(p []byte) (int, error) {
	e.l.Error().Msg("http: " + strings.TrimSpace(strings.TrimPrefix(string(p), "http: ")))
	return len(p), nil
}

// limitListener accepts a connection only while fewer than cap are open.
type limitListener struct {
	net.Listener
	slots     chan struct{} // one token per open connection
	closed    chan struct{}
	closeOnce sync.Once
	log       zerolog.Logger
	open      atomic.Int64
	peak      atomic.Int64 // the most connections open at once
}

func newLimitListener(ln net.Listener, max int, log zerolog.Logger) *limitListener {
	return &limitListener{Listener: ln, slots: make(chan struct{}, max), closed: make(chan struct{}), log: log}
}

// Accept waits for a free slot, then for a connection.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	default:
		l.log.Warn().Int("max_conns", cap(l.slots)).Str("listen", l.Addr().String()).
			Msg("HTTP connections at their cap: new ones wait until one closes")
		select {
		case l.slots <- struct{}{}:
		case <-l.closed:
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	n := l.open.Add(1)
	for p := l.peak.Load(); n > p && !l.peak.CompareAndSwap(p, n); p = l.peak.Load() {
	}
	return &limitConn{Conn: c, l: l}, nil
}

// Close closes the listener and lets a waiting Accept return.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// limitConn gives its slot back when closed.
type limitConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.open.Add(-1)
		<-c.l.slots
	})
	return err
}
