package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"bdt/bdt/runner"
	"bdt/bdt/storage"
	_ "bdt/bdt/storage/s3" // s3:// locations
	"bdt/bdt/store/open"
	"bdt/schema"
)

// runOptions are the flags of `bdt run` (and, later, `bdt serve`).
type runOptions struct {
	db, inbox, outbox, archive string
	s3Endpoint                 string
	dryRun                     bool
	now                        string
	workers                    int
	logFormat, logLevel        string
	maxSize                    int64
	maxErrors                  int
	schemaErrors               schema.Scope
	leaseTTL                   time.Duration
	fileMode, dirMode          string
}

func (o *runOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	dbFlag(f, &o.db, dbUsage+mustExist)
	f.StringVar(&o.inbox, "inbox", "./inbox", "inbox location: files sit in inbox/<licence>/<name>.xml")
	f.StringVar(&o.outbox, "outbox", "./outbox", "outbox location: reports are written to outbox/<licence>/")
	f.StringVar(&o.archive, "archive", "./archive", "archive location: processed files are moved here")
	f.StringVar(&o.s3Endpoint, "s3-endpoint", os.Getenv("BDT_S3_ENDPOINT"),
		"URL of an S3-compatible server for s3://bucket/prefix locations, addressed path-style (default $BDT_S3_ENDPOINT; none: AWS S3)")
	f.BoolVar(&o.dryRun, "dry-run", false, "validate and decide everything, write reports marked as a dry run, change nothing")
	f.StringVar(&o.now, "now", "", "processing time (RFC 3339) the rules use, for reproducible reports; default: the clock")
	f.IntVar(&o.workers, "workers", 1, "files of different sponsors processed in parallel")
	f.StringVar(&o.logFormat, "log-format", "auto", "auto (console on a terminal, JSON otherwise), console or json")
	f.StringVar(&o.logLevel, "log-level", "info", "least severe log lines shown: debug, info, warn or error")
	f.Int64Var(&o.maxSize, "max-size", runner.DefaultMaxSize, "size limit of one file in bytes (F.SIZE)")
	f.IntVar(&o.maxErrors, "max-errors", 1000, "cap on schema errors reported per file")
	schemaErrorsFlag(f, &o.schemaErrors)
	f.StringVar(&o.fileMode, "file-mode", "", "permissions of reports and archived files, in octal (e.g. 0640); default: 0666 under the umask (0644 under 022)")
	f.StringVar(&o.dirMode, "dir-mode", "", "permissions of the folders bdt creates in the outbox and archive, in octal (e.g. 0750); default: 0777 under the umask (0755 under 022)")
	f.DurationVar(&o.leaseTTL, "lease-ttl", runner.DefaultLeaseTTL,
		"how long a sponsor's files stay claimed by a replica that stopped renewing its claim (crashed) before another takes them over")
}

// config opens what the options name. The caller closes the store.
func (o *runOptions) config(ctx context.Context) (runner.Config, error) {
	var cfg runner.Config
	if o.workers < 1 {
		return cfg, exitWith(exitUsage, "--workers must be at least 1")
	}
	switch o.logFormat {
	case "auto", "console", "json":
	default:
		return cfg, exitWith(exitUsage, "--log-format must be auto, console or json")
	}
	if _, err := logLevel(o.logLevel); err != nil {
		return cfg, err
	}
	t, err := parseNow(o.now, "2026-11-23T02:00:00Z")
	if err != nil {
		return cfg, err
	}
	var modes storage.Modes
	if modes.File, err = parseMode("--file-mode", o.fileMode); err != nil {
		return cfg, err
	}
	if modes.Dir, err = parseMode("--dir-mode", o.dirMode); err != nil {
		return cfg, err
	}
	if o.now != "" {
		cfg.Now = func() time.Time { return t }
	}
	// The register and the inbox first, which must exist: a run without
	// them leaves nothing behind (no outbox or archive folder made).
	if cfg.Store, err = openRegister(ctx, open.Present, o.db); err != nil {
		return cfg, err
	}
	opt := storage.Options{S3Endpoint: o.s3Endpoint}
	if cfg.Inbox, err = openInbox(ctx, o.inbox, opt); err != nil {
		cfg.Store.Close()
		return cfg, err
	}
	for _, l := range []struct {
		loc string
		dst *storage.Storage
	}{{o.outbox, &cfg.Outbox}, {o.archive, &cfg.Archive}} {
		if *l.dst, err = storage.Open(ctx, l.loc, storage.Options{S3Endpoint: o.s3Endpoint, Modes: modes}); err != nil {
			cfg.Store.Close()
			if ferr := locationFolderError(l.loc); ferr != nil {
				return cfg, ferr
			}
			return cfg, exitWith(exitUsage, "%v", err)
		}
	}
	cfg.DryRun, cfg.Workers, cfg.MaxSize, cfg.MaxErrors = o.dryRun, o.workers, o.maxSize, o.maxErrors
	cfg.LeaseTTL, cfg.SchemaErrors = o.leaseTTL, o.schemaErrors
	return cfg, nil
}

// printer returns the log and progress printer of verb (run or serve, the
// daemon) as the options ask, having logged the line verb starts with.
func (o *runOptions) printer(cmd *cobra.Command, verb string) *printer {
	level, _ := logLevel(o.logLevel) // checked by config
	p := newPrinter(o.logFormat, level, cmd.OutOrStdout(), cmd.ErrOrStderr(), verb == "serve")
	logStart(p.log, verb)
	return p
}

// newRunCommand returns "run".
func newRunCommand() *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Process every pending file in the inbox now, then exit",
		Long: `Process every pending file in the inbox now, then exit.

Each file in inbox/<licence>/ is validated against its XSD, every record is
decided by the rules engine, and the accepted ones are applied to the register
in one transaction per file. Three reports per file go to outbox/<licence>/:
NAME.result.xml, NAME.errors.csv and NAME.summary.html; the file then moves to
the archive. One sponsor's files are taken in order of their creation
timestamp, then file id.

Exit status: 0 when every file was processed (even if records were rejected),
1 when a file could not be processed for an infrastructure reason (it stays
pending for the next run), 2 on usage errors.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			cfg, err := o.config(ctx)
			if err != nil {
				return err
			}
			defer cfg.Store.Close()
			defer filesGC(cfg.Workers)()
			p := o.printer(cmd, "run")
			cfg.Observer = p
			sum, err := runner.New(cfg).Run(ctx)
			p.Close(sum)
			if err != nil {
				return p.Failed(err)
			}
			if n := sum.Failed(); n > 0 {
				return p.Failed(fmt.Errorf("%d file(s) could not be processed and stay pending", n))
			}
			return nil
		},
	}
	o.addFlags(cmd)
	return cmd
}

// parseMode parses the value of flag (--file-mode, --dir-mode): permission
// bits in octal, or "" for none (the umask decides).
func parseMode(flag, s string) (fs.FileMode, error) {
	if s == "" {
		return 0, nil
	}
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m == 0 || m > 0o777 {
		return 0, exitWith(exitUsage, "%s %q: want permission bits in octal, such as 0640 or 0750", flag, s)
	}
	return fs.FileMode(m), nil
}

// fmtCount formats n, or "-" for an unknown (negative) count.
func fmtCount(n int) string {
	if n < 0 {
		return "-"
	}
	return fmt.Sprint(n)
}
