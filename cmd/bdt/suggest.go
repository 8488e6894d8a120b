package main

// This file holds what bdt says to a mistyped verb or flag: the usage error
// and the names it may have meant.

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// suggestDistance is how many edits a typed name may be from a verb or flag
// for bdt to suggest it.
const suggestDistance = 2

// groupsSuggest makes every command of the tree under root that only groups
// others (root, files, register, schema, cas, cos…) answer an unknown verb
// with a usage error that suggests the verbs it may have meant, and every
// command answer an unknown flag the same way.
func groupsSuggest(root *cobra.Command) {
	root.SetFlagErrorFunc(flagError)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.SuggestionsMinimumDistance = suggestDistance
		if c.HasSubCommands() && c.Run == nil && c.RunE == nil {
			c.Args, c.RunE = cobra.ArbitraryArgs, groupUsage
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// groupUsage runs a command group itself: help without arguments, a usage
// error suggesting the nearest verbs for an unknown one.
func groupUsage(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return exitWith(exitUsage, "unknown command %q for %q%s; see %s --help",
			args[0], cmd.CommandPath(), didYouMean("", cmd.SuggestionsFor(args[0])), cmd.CommandPath())
	}
	return cmd.Help()
}

// flagError is every command's FlagErrorFunc: an unknown --flag is a usage
// error that suggests the command's nearest flags (a name a few edits away
// that is not mostly edits, or one that begins with what was typed).
func flagError(cmd *cobra.Command, err error) error {
	var ne *pflag.NotExistError
	if !errors.As(err, &ne) || ne.GetSpecifiedShortnames() != "" {
		return exitWith(exitUsage, "%v; see %s --help", err, cmd.CommandPath())
	}
	typed := ne.GetSpecifiedName()
	var near []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		d := editDistance(typed, f.Name)
		if !f.Hidden && (d <= suggestDistance && d < len(typed) || strings.HasPrefix(f.Name, typed)) {
			near = append(near, f.Name)
		}
	})
	return exitWith(exitUsage, "%v%s; see %s --help", err, didYouMean("--", near), cmd.CommandPath())
}

// didYouMean returns " (did you mean A or B?)" for names, each written after
// prefix, or "" for none.
func didYouMean(prefix string, names []string) string {
	if len(names) == 0 {
		return ""
	}
	for i, n := range names {
		names[i] = prefix + n
	}
	if len(names) == 1 {
		return fmt.Sprintf(" (did you mean %s?)", names[0])
	}
	return fmt.Sprintf(" (did you mean %s or %s?)", strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
