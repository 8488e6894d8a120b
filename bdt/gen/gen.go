// Package gen makes deterministic synthetic data for benchmarks and tests: a
// register fixture (register-v1) of N sponsors with their SMS users and CAS
// and CoS in every status, and BDT files of each kind with M records each, a
// chosen share of them rejected by a record rule, a chosen share accepted
// with a warning and, optionally, a share invalid against the XSD.
//
// The same Config gives the same bytes: every value comes from the seed,
// never from the clock or from map order. Memory does not grow with the
// number of records: files and fixture are written as they are made.
//
// Layout of the output directory:
//
//	register.xml                   the register fixture (bdt register import)
//	inbox/<licence>/<name>.xml     the uploads, one folder per sponsor
//	gen.json                       the Manifest: what was asked, and per file
//	                               what bdt run must decide
//
// Every record names a certificate of its own, so a file's outcome does not
// depend on the order its sponsor's files are processed in, nor on other
// sponsors' files: exactly the records planned invalid are rejected, each by
// the rule the Manifest names, and the others are accepted (those planned
// with a warning carry exactly one). Process the files with `bdt run --now`
// set to Manifest.Now: the deadlines (R.ACTIVITY.LATE) and dates
// (R.ACTIVITY.DATE) are counted from it.
package gen

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"bdt/rules"
	"bdt/schema"
)

// DefaultNow is the processing time the data is built around when
// Config.Now is zero: Monday 23 November 2026, 02:00 UTC.
var DefaultNow = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

// Kinds are the file formats Generate writes, in the order it writes them.
var Kinds = []string{"feeupdate-v1", "feeupdate-v2", "noshow-v1", "studentactivity-v1", "workeractivity-v1"}

// Config says what to generate.
type Config struct {
	Seed     uint64
	Sponsors int // 1 to 999
	Records  int // records per file
	// Files is the number of files per sponsor and format (default 1).
	Files int
	// Formats are the formats of the files (format names such as
	// "feeupdate-v2"); empty means every one of Kinds.
	Formats []string
	// Invalid is the share of records rejected by a record rule (0 to 1);
	// Warnings the share accepted with one warning; SchemaInvalid the share
	// invalid against the XSD (any makes the whole file REJECTED with
	// F.SCHEMA). The three shares are of distinct records.
	Invalid, Warnings, SchemaInvalid float64
	// Now is the processing time dates are chosen around (default DefaultNow).
	Now time.Time
}

// Manifest describes what Generate wrote (gen.json).
type Manifest struct {
	Seed          uint64     `json:"seed"`
	Sponsors      int        `json:"sponsors"`
	Records       int        `json:"records"`
	FilesPer      int        `json:"files_per_sponsor_and_format"`
	Invalid       float64    `json:"invalid"`
	Warnings      float64    `json:"warnings"`
	SchemaInvalid float64    `json:"schema_invalid"`
	Now           string     `json:"now"` // RFC 3339: pass to bdt run --now
	Register      string     `json:"register"`
	Licences      []string   `json:"licences"`
	Certificates  int        `json:"certificates"`
	Files         []FileInfo `json:"files"`
}

// FileInfo is one generated BDT file and what processing it must give.
type FileInfo struct {
	Key           string `json:"key"` // <licence>/<name>.xml under inbox/
	Format        string `json:"format"`
	Licence       string `json:"licence"`
	FileID        string `json:"file_id"`
	Bytes         int64  `json:"bytes"`
	Records       int    `json:"records"`
	Invalid       int    `json:"invalid"`        // records a record rule rejects
	Warnings      int    `json:"warnings"`       // records accepted with one warning
	SchemaInvalid int    `json:"schema_invalid"` // records invalid against the XSD
	// Rules counts, by rule id, the records whose findings include that
	// rule (the rejecting rule of each invalid record, the warning of each
	// warned one).
	Rules map[rules.RuleID]int `json:"rules"`
}

// Accepted is how many records bdt run --schema-errors=file accepts: none
// when a record is schema-invalid (the file is rejected). Under bdt run's
// default, --schema-errors=record, each schema-invalid record is rejected
// alone (R.SCHEMA) and Records - Invalid - SchemaInvalid are accepted.
func (f FileInfo) Accepted() int {
	if f.SchemaInvalid > 0 {
		return 0
	}
	return f.Records - f.Invalid
}

// Rejected is how many records bdt run rejects.
func (f FileInfo) Rejected() int { return f.Records - f.Accepted() }

// ManifestName is the file name of the manifest in the output directory.
const ManifestName = "gen.json"

func (c *Config) normalise() error {
	if c.Files == 0 {
		c.Files = 1
	}
	if c.Now.IsZero() {
		c.Now = DefaultNow
	}
	if len(c.Formats) == 0 {
		c.Formats = Kinds
	}
	switch {
	case c.Sponsors < 1 || c.Sponsors > 999:
		return errors.New("gen: sponsors must be 1 to 999")
	case c.Records < 1 || c.Records > 9_000_000:
		return errors.New("gen: records must be 1 to 9,000,000")
	case c.Files < 1 || c.Files > 99:
		return errors.New("gen: files must be 1 to 99")
	case int64(c.Files)*int64(c.Records)*int64(len(c.Formats)) > 9_000_000:
		return errors.New("gen: at most 9,000,000 records per sponsor")
	}
	for _, s := range []float64{c.Invalid, c.Warnings, c.SchemaInvalid} {
		if s < 0 || s > 1 || math.IsNaN(s) {
			return errors.New("gen: shares must be between 0 and 1")
		}
	}
	if c.Invalid+c.Warnings+c.SchemaInvalid > 1 {
		return errors.New("gen: invalid, warning and schema-invalid shares add up to more than 1")
	}
	var fs []string
	for _, k := range Kinds {
		if slices.Contains(c.Formats, k) {
			fs = append(fs, k)
		}
	}
	for _, f := range c.Formats {
		if !slices.Contains(Kinds, f) {
			return fmt.Errorf("gen: unknown format %q (known: %s)", f, strings.Join(Kinds, ", "))
		}
	}
	c.Formats = fs
	return nil
}

// ParseFormats turns kind names (noshow, feeupdate, studentactivity,
// workeractivity: the latest version), format names (feeupdate-v1) and
// "all", comma-separated, into format names.
func ParseFormats(list []string) ([]string, error) {
	var out []string
	add := func(f string) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	for _, item := range list {
		for _, k := range strings.Split(item, ",") {
			k = strings.TrimSpace(k)
			switch {
			case k == "":
			case k == "all":
				for _, f := range Kinds {
					add(f)
				}
			case slices.Contains(Kinds, k):
				add(k)
			default:
				latest := ""
				for _, f := range Kinds {
					if strings.TrimSuffix(f, f[strings.LastIndex(f, "-"):]) == k {
						latest = f
					}
				}
				if latest == "" {
					return nil, fmt.Errorf("unknown kind %q (known: all, noshow, feeupdate, studentactivity, workeractivity, or a format such as feeupdate-v1)", k)
				}
				add(latest)
			}
		}
	}
	return out, nil
}

// Generate writes the register fixture, the inbox files and the manifest
// under dir (created if needed) and returns the manifest.
func Generate(cfg Config, dir string) (*Manifest, error) {
	if err := cfg.normalise(); err != nil {
		return nil, err
	}
	g := newGenerator(cfg)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	m := &Manifest{Seed: cfg.Seed, Sponsors: cfg.Sponsors, Records: cfg.Records, FilesPer: cfg.Files,
		Invalid: cfg.Invalid, Warnings: cfg.Warnings, SchemaInvalid: cfg.SchemaInvalid,
		Now: cfg.Now.UTC().Format(time.RFC3339), Register: "register.xml"}
	for _, s := range g.sponsors {
		m.Licences = append(m.Licences, s.licence)
	}
	if _, err := writeFile(filepath.Join(dir, m.Register), g.writeRegister); err != nil {
		return nil, err
	}
	m.Certificates = g.certs
	for _, p := range g.plans() {
		key := p.sponsor.licence + "/" + p.name()
		path := filepath.Join(dir, "inbox", filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		fp := g.plan(p)
		size, err := writeFile(path, func(w *writer) { g.writeFile(w, fp) })
		if err != nil {
			return nil, err
		}
		m.Files = append(m.Files, FileInfo{Key: key, Format: p.format.Name, Licence: p.sponsor.licence,
			FileID: p.fileID(), Bytes: size, Records: cfg.Records, Invalid: fp.invalid, Warnings: fp.warnings,
			SchemaInvalid: fp.schema, Rules: fp.rules})
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestName), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	return m, nil
}

// ReadManifest reads gen.json from dir.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	m := &Manifest{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestName, err)
	}
	return m, nil
}

// writeFile creates path and fills it through fill.
func writeFile(path string, fill func(*writer)) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := newWriter(f)
	fill(w)
	if err := w.flush(); err != nil {
		f.Close()
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	return w.n, nil
}

// formatOf returns the catalogue entry of a format name Kinds holds.
func formatOf(name string) schema.Format {
	f, ok := schema.ByName(name)
	if !ok {
		panic("gen: no format " + name)
	}
	return f
}
