package main

import (
	"strings"

	"github.com/spf13/cobra"

	"bdt/rules"
)

// newCoSCommand returns "cos", which groups the one-at-a-time actions on
// CoS (manual 9, guide 10): report worker activity, add a sponsor note,
// withdraw a CoS, transfer one or a batch of CoS to another user, and show
// one. It behaves as the cas verb does (actions.go): the sponsor is the
// acting user's, a rejected action changes nothing and exits 1.
func newCoSCommand() *cobra.Command {
	cos := &cobra.Command{
		Use:   "cos",
		Short: "Act on CoS as an SMS user: report worker activity, add a note, withdraw, transfer, show",
		Long: `Act on CoS as an SMS user, as on the SMS screens (manual 9, guide 10), through
the same rules as bulk files. The sponsor is the acting user's own sponsor.
An accepted action prints its confirmation reference and exits 0; a rejected
one prints its findings, changes nothing, and exits 1.`,
		RunE: groupUsage,
	}
	cos.AddCommand(newReportCommand(rules.CoS), newNoteCommand(rules.CoS), newWithdrawCommand(rules.CoS), newCoSTransferCommand(), newShowCommand(rules.CoS))
	return cos
}

// newCoSTransferCommand returns "cos transfer".
func newCoSTransferCommand() *cobra.Command {
	var (
		af actorFlags
		to string
	)
	cmd := &cobra.Command{
		Use:   "transfer --to USER --user ID CoS [CoS...]",
		Short: "Transfer one CoS or a batch of CoS to another user of the sponsor",
		Long: `Transfer the ownership of one or more CoS to another Active Level 1 or Level 2
user of the same sponsor (R.COS.TRANSFER). The batch moves as a whole or not
at all: if any CoS cannot be transferred, none is.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return exitWith(exitUsage, "give at least one CoS number")
			}
			if strings.TrimSpace(to) == "" {
				return exitWith(exitUsage, "--to is required: the user the CoS are transferred to")
			}
			certs := make([]string, len(args))
			for i, a := range args {
				certs[i] = strings.TrimSpace(a)
			}
			return perform(cmd, &af, rules.TransferCoS{Certs: certs, ToUser: to})
		},
	}
	af.add(cmd)
	cmd.Flags().StringVar(&to, "to", "", "the `USER` id the CoS are transferred to (required)")
	return cmd
}
