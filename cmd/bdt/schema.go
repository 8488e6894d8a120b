package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"bdt/schema"
)

// newSchemaCommand returns "schema": list and show the XSDs.
func newSchemaCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "List the published XSDs and print them",
		Long: `Schema lists the file formats bdt knows (name, target namespace, title)
and prints their XSDs, which are embedded in the binary. "show common"
prints common.xsd, the chameleon types every BDT kind includes.`,
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List every format: name, namespace, title",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return schemaList(cmd.OutOrStdout())
		},
	}
	show := &cobra.Command{
		Use:   "show NAME",
		Short: "Print the XSD of a format (e.g. feeupdate-v2), or common",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return schemaShow(cmd.OutOrStdout(), args[0])
		},
	}
	cmd.AddCommand(list, show)
	return cmd
}

func schemaList(out io.Writer) error {
	tw := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tNAMESPACE\tTITLE")
	for _, f := range schema.Formats() {
		if _, err := schema.Source(f.File); err != nil {
			continue // not embedded in this build
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Name, f.Namespace, f.Title)
	}
	fmt.Fprintf(tw, "%s\t%s\t%s\n", "common", "(none: included by each kind)", "Types shared by every BDT file kind")
	if err := tw.Flush(); err != nil {
		return exitWith(exitUsage, "write: %v", err)
	}
	return nil
}

func schemaShow(out io.Writer, name string) error {
	file := ""
	if f, ok := schema.ByName(name); ok {
		file = f.File
	} else if name == "common" || name == "common.xsd" {
		file = "xsd/common.xsd"
	}
	var src []byte
	var err error
	if file != "" {
		src, err = schema.Source(file)
	}
	if file == "" || err != nil {
		var names []string
		for _, f := range schema.Formats() {
			if _, err := schema.Source(f.File); err == nil {
				names = append(names, f.Name)
			}
		}
		names = append(names, "common")
		return exitWith(exitUsage, "no schema called %q (known: %s)", name, strings.Join(names, ", "))
	}
	if _, err := out.Write(src); err != nil {
		return exitWith(exitUsage, "write: %v", err)
	}
	if len(src) > 0 && src[len(src)-1] != '\n' {
		fmt.Fprintln(out)
	}
	return nil
}
