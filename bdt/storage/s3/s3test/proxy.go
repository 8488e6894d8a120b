package s3test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// Proxy is a reverse proxy in front of a Server that can inject the
// failures S3 clients meet: error responses (503 SlowDown) and object
// downloads cut part way. Requests pass through unchanged (signatures stay
// valid: the Host header is kept).
type Proxy struct {
	// URL is the proxy's endpoint, to be used instead of Server.Endpoint.
	URL string

	requests  atomic.Int64
	failNext  atomic.Int64
	failEvery atomic.Int64
	failed    atomic.Int64
	cutAfter  atomic.Int64 // bytes of an object GET's body let through; 0 for no cut
	cuts      atomic.Int64
	corrupt   atomic.Bool
}

// Proxy starts a fault-injecting proxy in front of s, stopped when the
// test ends.
func (s *Server) Proxy(t testing.TB) *Proxy {
	t.Helper()
	target, err := url.Parse(s.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{}
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := p.requests.Add(1)
		if every := p.failEvery.Load(); p.takeFailure() || (every > 0 && n%every == 0) {
			p.failed.Add(1)
			w.Header().Set("Content-Type", "application/xml")
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate (injected by s3test).</Message></Error>`)
			return
		}
		if n := p.cutAfter.Load(); n > 0 && isObjectGet(r) {
			p.cuts.Add(1)
			w = &cutWriter{ResponseWriter: w, left: n}
		}
		if p.corrupt.Load() && isObjectGet(r) {
			w = &flipWriter{ResponseWriter: w}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// FailNext answers the next n requests with 503 SlowDown, without passing
// them on.
func (p *Proxy) FailNext(n int) { p.failNext.Store(int64(n)) }

// CutObjectReads makes every object download (a GET that is not a listing)
// stop after n bytes of its body, the connection dropped; 0 stops cutting.
func (p *Proxy) CutObjectReads(n int64) { p.cutAfter.Store(n) }

// FailEvery answers every n-th request with 503 SlowDown (0 stops).
func (p *Proxy) FailEvery(n int) { p.failEvery.Store(int64(n)) }

// Failed returns how many requests were answered with an injected error.
func (p *Proxy) Failed() int64 { return p.failed.Load() }

// takeFailure reports whether this request is one FailNext asked to fail.
func (p *Proxy) takeFailure() bool {
	for {
		n := p.failNext.Load()
		if n <= 0 {
			return false
		}
		if p.failNext.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// CorruptObjectReads makes every object download arrive with one bit of its
// first byte flipped (false stops it).
func (p *Proxy) CorruptObjectReads(on bool) { p.corrupt.Store(on) }

// Requests returns how many requests reached the proxy.
func (p *Proxy) Requests() int64 { return p.requests.Load() }

// Cuts returns how many downloads were cut.
func (p *Proxy) Cuts() int64 { return p.cuts.Load() }

// isObjectGet reports whether r downloads an object (path-style:
// GET /bucket/key without a listing's query).
func isObjectGet(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	_, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return key != "" && !r.URL.Query().Has("list-type")
}

var errCut = errors.New("s3test: response cut")

// cutWriter passes the first left bytes of a body through, flushing them to
// the client, and then fails, which makes the proxy drop the connection.
type cutWriter struct {
	http.ResponseWriter
	left int64
}

func (w *cutWriter) Write(b []byte) (int, error) {
	if w.left <= 0 {
		return 0, errCut
	}
	short := int64(len(b)) > w.left
	if short {
		b = b[:w.left]
	}
	n, err := w.ResponseWriter.Write(b)
	w.left -= int64(n)
	w.Flush()
	if err == nil && short {
		err = errCut
	}
	return n, err
}

func (w *cutWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *cutWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// flipWriter flips the lowest bit of the first byte of a body.
type flipWriter struct {
	http.ResponseWriter
	done bool
}

func (w *flipWriter) Write(b []byte) (int, error) {
	if !w.done && len(b) > 0 {
		w.done = true
		c := append([]byte(nil), b...)
		c[0] ^= 1
		return w.ResponseWriter.Write(c)
	}
	return w.ResponseWriter.Write(b)
}

func (w *flipWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *flipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
