package main

import (
	"strconv"

	"github.com/spf13/cobra"

	"bdt/rules"
)

// newCASCommand returns "cas", which groups the one-at-a-time actions of
// the SMS screens on one CAS (manual 5): report student activity (a no-show
// included), update the fees, add a sponsor note, withdraw it, and show it. They go
// through the same rules engine as bulk files (bdt/action); actions.go holds
// what they share with the CoS actions (cos.go).
func newCASCommand() *cobra.Command {
	cas := &cobra.Command{
		Use:   "cas",
		Short: "Act on one CAS as an SMS user: report student activity, update fees, add a note, withdraw, show",
		Long: `Act on one CAS as an SMS user, as on the SMS screens (manual 5), through the
same rules as bulk files. The sponsor is the acting user's own sponsor.
An accepted action prints its confirmation reference and exits 0; a rejected
one prints its findings, changes nothing, and exits 1.`,
		RunE: groupUsage,
	}
	cas.AddCommand(newReportCommand(rules.CAS), newCASFeesCommand(), newNoteCommand(rules.CAS), newWithdrawCommand(rules.CAS), newShowCommand(rules.CAS))
	return cas
}

// newCASFeesCommand returns "cas fees".
func newCASFeesCommand() *cobra.Command {
	var (
		af         actorFlags
		amounts    = map[string]*string{}
		includes   string
		familyName string
		dob        rules.Date
		sponsorRef string
	)
	const includesFlag = "includes-accommodation"
	flags := []struct{ name, field, usage string }{
		{"course-fees-first-year", rules.FieldCourseFeesFirstYear, "course fees for the first year only"},
		{"course-fees-paid", rules.FieldCourseFeesPaid, "course fees paid to date"},
		{"boarding-fees-paid", rules.FieldBoardingFeesPaid, "boarding fees paid to date"},
		{"accommodation-fees-paid", rules.FieldAccommodationFeesPaid, "accommodation fees paid to date"},
	}
	cmd := &cobra.Command{
		Use:   "fees CAS --user ID [--course-fees-paid AMOUNT] ...",
		Short: "Update the fees of an ASSIGNED CAS",
		Long: `Update the fee details of one ASSIGNED CAS (R.FEE.* rules). Amounts are pounds
sterling written 1234 or 1234.99: no £ sign, no commas, never negative. At
least one "paid to date" amount must be given. The fee history keeps the
values before and after every update.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := oneCert(rules.CAS, args)
			if err != nil {
				return err
			}
			op := rules.UpdateFees{Cert: n, FamilyName: familyName, DateOfBirth: dob, SponsorReference: sponsorRef,
				RawAmounts: map[string]string{}}
			for _, f := range flags {
				if cmd.Flags().Changed(f.name) {
					op.RawAmounts[f.field] = *amounts[f.name]
				}
			}
			if cmd.Flags().Changed(includesFlag) {
				b, err := strconv.ParseBool(includes)
				if err != nil {
					return exitWith(exitUsage, "--%s %q: want true or false", includesFlag, includes)
				}
				op.Fees.IncludesAccommodation = &b
			}
			return perform(cmd, &af, op)
		},
	}
	af.add(cmd)
	fs := cmd.Flags()
	for _, f := range flags {
		amounts[f.name] = fs.String(f.name, "", "the "+f.usage+", as an `AMOUNT` such as 1234 or 1234.99")
	}
	fs.StringVar(&includes, includesFlag, "", "whether the course fees include accommodation: `true|false`")
	fs.StringVar(&familyName, "family-name", "", "the student's family `NAME`, checked against the CAS (R.IDENTITY)")
	dateFlag(fs, &dob, "dob", "the student's date of birth, a `DATE` YYYY-MM-DD, checked against the CAS (R.IDENTITY)")
	fs.StringVar(&sponsorRef, "sponsor-reference", "", "the sponsor's own `REFERENCE` for the update")
	return cmd
}
