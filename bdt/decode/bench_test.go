package decode_test

import (
	"os"
	"path/filepath"
	"testing"

	"bdt/bdt/decode"
	"bdt/bdt/gen"
	"bdt/schema"
)

// collector keeps every record the validator hands over.
type collector struct {
	format schema.Format
	recs   []*schema.Record
}

func (c *collector) Header(h *schema.Header) error { c.format = h.Format; return nil }
func (c *collector) Record(r *schema.Record) error { c.recs = append(c.recs, r); return nil }

// BenchmarkDecode decodes records of generated files of each kind (the
// validator's node trees into the engine's operations), one per iteration.
func BenchmarkDecode(b *testing.B) {
	dir := b.TempDir()
	m, err := gen.Generate(gen.Config{Seed: 1, Sponsors: 1, Records: 2000, Invalid: 0.1, Warnings: 0.02}, dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, fi := range m.Files {
		f, err := os.Open(filepath.Join(dir, "inbox", fi.Key))
		if err != nil {
			b.Fatal(err)
		}
		c := &collector{}
		res, err := schema.Default().Validate(f, c, schema.Options{})
		f.Close()
		if err != nil || !res.Valid() {
			b.Fatalf("%s: %v %v", fi.Key, err, res.Issues)
		}
		b.Run(fi.Format, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := decode.Decode(c.format, c.recs[i%len(c.recs)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
