package main

import (
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestNewRootCommandIsFresh checks that a command tree shares no flag with
// one built before it: what one run sets, the next run does not see.
func TestNewRootCommandIsFresh(t *testing.T) {
	first := newRootCommand()
	for _, args := range [][]string{
		{"run", "--db", "sqlite:other.db", "--workers", "4", "--dry-run"},
		{"cas", "note", "--text", "hello", "--append", "--user", "u1"},
		{"gen", "--kind", "noshow", "--kind", "feeupdate"},
		{"files", "list", "--db", "sqlite:other.db", "--limit", "3"},
	} {
		c, rest, err := first.Find(args)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if err := c.ParseFlags(rest); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	var check func(c *cobra.Command)
	check = func(c *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				if f.Changed || f.Value.String() != f.DefValue {
					t.Errorf("%s --%s = %q (changed %v), want its default %q", c.CommandPath(), f.Name, f.Value, f.Changed, f.DefValue)
				}
			})
		}
		for _, sub := range c.Commands() {
			check(sub)
		}
	}
	check(newRootCommand())
}
