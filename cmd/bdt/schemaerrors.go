package main

import (
	"github.com/spf13/pflag"

	"bdt/schema"
)

// schemaErrorsUsage is the usage text of --schema-errors.
const schemaErrorsUsage = "what a schema error inside one record rejects: record (that record alone, R.SCHEMA) or file (the whole file, F.SCHEMA)"

// scopeValue is a schema.Scope as a flag value: "record" or "file".
type scopeValue struct{ s *schema.Scope }

func (v scopeValue) String() string { return v.s.String() }

func (v scopeValue) Set(name string) error {
	s, err := schema.ParseScope(name)
	if err != nil {
		return err
	}
	*v.s = s
	return nil
}

func (v scopeValue) Type() string { return "record|file" }

// schemaErrorsFlag adds --schema-errors to fs, defaulting to record (the
// flag of bdt run, bdt serve and bdt validate).
func schemaErrorsFlag(fs *pflag.FlagSet, scope *schema.Scope) {
	*scope = schema.RecordScope
	fs.Var(scopeValue{scope}, "schema-errors", schemaErrorsUsage)
}
