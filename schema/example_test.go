package schema_test

import (
	"fmt"
	"strings"

	"bdt/schema"
)

func ExampleValidator_Validate() {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<FeeUpdate xmlns="urn:uk:gov:ukvi:sms:bdt:feeupdate:v1">
  <Header>
    <SponsorLicenceNumber>4NUV7KB58</SponsorLicenceNumber>
    <SMSUserId>fees.office</SMSUserId>
    <BulkUpdateFileId>FEES-2026-07-17</BulkUpdateFileId>
    <CreatedAt>2026-07-17T16:45:00Z</CreatedAt>
    <RecordCount>2</RecordCount>
  </Header>
  <CASFeeUpdate>
    <CASNumber>CAS26000000101</CASNumber>
    <CourseFeesPaidToDate>9250.00</CourseFeesPaidToDate>
  </CASFeeUpdate>
  <CASFeeUpdate>
    <CASNumber>CAS26000000102</CASNumber>
    <CourseFeesPaidToDate>£12.5</CourseFeesPaidToDate>
  </CASFeeUpdate>
</FeeUpdate>
`
	res, err := schema.Default().Validate(strings.NewReader(doc), nil, schema.Options{})
	if err != nil {
		panic(err) // only reading the input can fail
	}
	fmt.Println(res.Format.Name, res.Records, "records, valid:", res.Valid())
	for _, is := range res.Issues {
		fmt.Println(is)
		fmt.Println(" ", is.Path, "in record", is.Record)
	}
	// Output:
	// feeupdate-v1 2 records, valid: false
	// 16:55: F.SCHEMA: CourseFeesPaidToDate: '£12.5' is not a valid amount; it must be an amount in pounds such as 1234 or 1234.99, with no £ sign, no commas and no leading zeros
	//   /FeeUpdate/CASFeeUpdate[2]/CourseFeesPaidToDate in record 2
}
