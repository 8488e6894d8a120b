package rules_test

import (
	"fmt"

	"bdt/rules"
)

// A file uploaded through the portal by one user that names another is
// refused with F.USER: it is never processed as the user it names. Naming
// the uploader, it passes.
func ExampleCheckFile() {
	sponsor := &rules.Sponsor{Licence: "4NUV7KB58", Status: rules.LicenceARated, Routes: []rules.Route{rules.RouteStudent}}
	named := &rules.User{ID: "jsmith01", Sponsor: "4NUV7KB58", Level: rules.Level1, Status: rules.UserActive}
	h := rules.FileHeader{Kind: rules.KindNoShow, Licence: "4NUV7KB58", FolderLicence: "4NUV7KB58",
		UserID: "jsmith01", FileID: "NS-2026-12-07", Submitter: "akhan02"}
	for _, f := range rules.CheckFile(h, sponsor, named) {
		fmt.Println(f.Rule, f.Field, f.Message)
	}
	h.Submitter = "jsmith01"
	fmt.Println("findings when it names its uploader:", len(rules.CheckFile(h, sponsor, named)))
	// Output:
	// F.USER SMSUserId The file names SMS user jsmith01, but it was uploaded by akhan02. A file uploaded through the portal or the API must name the user who uploads it.
	// findings when it names its uploader: 0
}
