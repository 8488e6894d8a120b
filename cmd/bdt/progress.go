package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"bdt/bdt/runner"
)

// printer shows a run's progress: bars and a summary table on a terminal,
// or one JSON log line per file (zerolog) in a pipe or with --log-format json.
type printer struct {
	json   bool
	daemon bool // log every file (console or JSON); no bars, no table
	out    io.Writer
	log    zerolog.Logger
	mu     sync.Mutex
	prog   *mpb.Progress
	bars   map[string]*mpb.Bar
}

var _ runner.Observer = (*printer)(nil)

// Durations in log lines carry their unit: a Go duration string such as
// "1.234s" (zerolog's default is a bare number of milliseconds).
func init() { zerolog.DurationFieldFormat = zerolog.DurationFormatString }

// consoleTimeFormat is how the console log writes a line's time: the date
// with it, and the zone.
const consoleTimeFormat = time.RFC3339

// logLevel parses the value of --log-level.
func logLevel(s string) (zerolog.Level, error) {
	switch s {
	case "debug", "info", "warn", "error":
		return zerolog.ParseLevel(s)
	}
	return zerolog.NoLevel, exitWith(exitUsage, "--log-level must be debug, info, warn or error")
}

// newPrinter returns the printer of a run (or of the daemon's runs), logging
// in format (auto, console or json) the lines at level and above.
func newPrinter(format string, level zerolog.Level, out, errw io.Writer, daemon bool) *printer {
	p := &printer{out: out, bars: map[string]*mpb.Bar{}, daemon: daemon}
	switch format {
	case "json":
		p.json = true
	case "auto":
		f, ok := out.(*os.File)
		p.json = !ok || !isatty.IsTerminal(f.Fd())
	}
	if p.json {
		p.log = zerolog.New(out).Level(level).With().Timestamp().Logger()
	} else {
		f, ok := errw.(*os.File)
		tty := ok && isatty.IsTerminal(f.Fd())
		p.log = zerolog.New(zerolog.ConsoleWriter{Out: errw, TimeFormat: consoleTimeFormat, NoColor: !tty}).
			Level(level).With().Timestamp().Logger()
		if tty && !daemon {
			p.prog = mpb.New(mpb.WithOutput(errw), mpb.WithWidth(40))
		}
	}
	return p
}

func (p *printer) FileStarted(key string, size int64) {
	if p.prog == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bars[key] = p.prog.AddBar(0,
		mpb.PrependDecorators(decor.Name(key, decor.WCSyncSpaceR), decor.CountersNoUnit("%d / %d records", decor.WCSyncSpace)),
		mpb.AppendDecorators(decor.AverageSpeed(0, "%.0f rec/s", decor.WCSyncSpace)),
		mpb.BarRemoveOnComplete(),
	)
}

func (p *printer) RecordsDone(key string, done, declared int) {
	if p.prog == nil {
		return
	}
	p.mu.Lock()
	b := p.bars[key]
	p.mu.Unlock()
	if b == nil {
		return
	}
	if declared > 0 {
		b.SetTotal(int64(declared), false)
	}
	b.SetCurrent(int64(done))
}

func (p *printer) FileDone(r runner.FileResult) {
	p.mu.Lock()
	if b := p.bars[r.Key]; b != nil {
		b.Abort(true)
		delete(p.bars, r.Key)
	}
	p.mu.Unlock()
	ev := p.log.Info()
	if r.Err != nil {
		ev = p.log.Error().Err(r.Err)
	}
	ev = ev.Str("file", r.Key).Dur("elapsed", r.Elapsed)
	if e := r.Entry; e != nil {
		ev = ev.Str("status", string(e.Status)).Str("kind", e.Kind).Str("file_id", e.FileID).
			Int("declared", e.Declared).Int("read", e.Read).Int("accepted", e.Accepted).
			Int("rejected", e.Rejected).Int("warnings", e.Warnings)
	}
	if r.Recovered {
		ev = ev.Bool("recovered", true)
	}
	switch {
	case r.Err != nil:
		ev.Msg("file failed: it stays pending")
	case p.json || p.daemon:
		ev.Msg("file processed")
	}
}

// Failed logs err, why a run failed, at error level and returns the error
// bdt exits with. Its message is printed on standard error too, unless the
// log line just went there (the console format).
func (p *printer) Failed(err error) error {
	p.log.Error().Err(err).Msg("run failed")
	if p.json {
		return exitWith(exitFailed, "%v", err)
	}
	return exitWith(exitFailed, "")
}

func (p *printer) Skipped(key, reason string) {
	p.log.Warn().Str("entry", key).Str("reason", reason).Msg("inbox entry skipped")
}

// Close ends the progress display and, on a terminal, prints the summary table.
func (p *printer) Close(sum *runner.Summary) {
	if p.prog != nil {
		p.prog.Wait()
	}
	if p.json || sum == nil {
		return
	}
	if len(sum.Files) == 0 {
		fmt.Fprintln(p.out, "No pending files in the inbox.")
		return
	}
	tw := tabwriter.NewWriter(p.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "FILE\tSTATUS\tDECLARED\tREAD\tACCEPTED\tREJECTED\tWARNINGS\t")
	for _, r := range sum.Files {
		status := "FAILED: " + fmt.Sprint(r.Err)
		e := r.Entry
		if r.Err == nil && e != nil {
			status = string(e.Status)
			if r.Recovered {
				status += " (recovered)"
			}
		}
		if e == nil {
			fmt.Fprintf(tw, "%s\t%s\t\t\t\t\t\t\n", r.Key, status)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t\n", r.Key, status, fmtCount(e.Declared), e.Read, e.Accepted, e.Rejected, e.Warnings)
	}
	tw.Flush()
}
