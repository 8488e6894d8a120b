package rules

// Explanation is what a sponsor reads about a rule beside a finding of it:
// what the finding means, in plain English, and how to fix it. Every rule
// of the catalogue has one (explanations), shown by `bdt rules --explain`,
// in docs/rules.md and in the summary page's section on the rules it cites.
type Explanation struct {
	Meaning string `json:"meaning"`
	Fix     string `json:"fix"`
}

// The headings an explanation's two parts go under, wherever one is shown.
const (
	MeaningHeading = "What this means"
	FixHeading     = "How to fix it"
)

// explanations holds the explanation of every rule of the catalogue
// (TestEveryRuleExplained); written in catalogue order, never modified.
var explanations = map[RuleID]Explanation{
	FSize: {
		"The file is larger than this processor accepts, so it was refused before anything in it was read. Nothing in it was applied.",
		"Split the records into several smaller files, each with its own file id and record count, and upload those.",
	},
	FWellformed: {
		"The file is not well-formed XML: a tag is not closed, a character is not allowed, or the file declares a DOCTYPE or entities, which are refused for safety. Nothing in it was applied.",
		"Export the file again from your student or HR system, or open it in an XML editor at the line and column given and correct it. Remove any DOCTYPE line.",
	},
	FKind: {
		"The file's first element and its namespace do not name a kind of file and schema version this processor knows, so it could not tell what the file is. Nothing in it was applied.",
		"Check that the file is a bulk data transfer file (fee update, student activity, no-show, sponsor note, worker activity or withdrawal) and that its namespace is one `bdt schema` lists.",
	},
	FSchema: {
		"Part of the file outside any one record — the header, the root element, or a record where none may be — does not follow the file's schema. Nothing in it was applied.",
		"Correct the element named at the line and column given, as the message says; the header's elements and their order are in the schema for the file's kind (`bdt schema`).",
	},
	FCount: {
		"The number of records the header declares is not the number of records in the file, so the file may have been cut short or joined with another. Nothing in it was applied.",
		"Set the header's record count to the number of records in the file, or export the file again if records are missing.",
	},
	FSponsor: {
		"The sponsor licence number in the header is not a licence in the register. Nothing in the file was applied.",
		"Put your own sponsor licence number in the header, exactly as it appears in the Sponsorship Management System.",
	},
	FChannel: {
		"The file names a different sponsor licence from the sponsor whose folder it was uploaded to. One sponsor cannot send files for another. Nothing in it was applied.",
		"Upload the file to the folder of the licence it names, or put your own licence number in its header.",
	},
	FLicenceAccess: {
		"The sponsor licence is revoked or has expired, so it has no access to the Sponsorship Management System. Nothing in the file was applied.",
		"Contact the Home Office about the licence; files can be processed again once the licence has access.",
	},
	FLicenceSuspended: {
		"The sponsor licence is suspended or dormant. While it is, bulk fee updates and viewing or exporting certificates are not allowed; other files are still processed.",
		"Wait until the licence is no longer suspended or dormant, then upload the file again.",
	},
	FRoute: {
		"The licence does not hold the route this kind of file needs: student files need the Student route, worker activity needs a Worker or Temporary Worker route. Nothing in the file was applied.",
		"Check that the file was uploaded for the right licence; a licence without the route cannot send this kind of file.",
	},
	FUser: {
		"The user named in the header is not an active Level 1 or Level 2 user of this sponsor, so nobody the file may be sent by is named; or the file was uploaded through the portal or the API by another user than the one it names. Nothing in it was applied.",
		"Name an active Level 1 or Level 2 user of your licence in the header, with their user id exactly as in the Sponsorship Management System. When you upload through the portal or the API, name yourself: the user who is signed in, or whose token sends the file.",
	},
	FDuplicate: {
		"This file was processed before (the same file id from this sponsor, or exactly the same content), so it was not applied a second time. The earlier file's reports say what happened to its records.",
		"Nothing, if the earlier file is the one you meant. To send corrections, give the corrected file a new file id and include only the records to change.",
	},

	RCertFound: {
		"No CAS or CoS with this number belongs to your licence: the number is mistyped, or it is another sponsor's. The record was not applied.",
		"Check the certificate number against the Sponsorship Management System and correct it in the record.",
	},
	RCertOwner: {
		"The user who sent the file is a Level 2 user, who may act only on the certificates they created and assigned or that were transferred to them. This certificate is not one of them. The record was not applied.",
		"Have a Level 1 user send the record, or have the certificate transferred to this user first.",
	},
	RRecordDuplicate: {
		"The same certificate appears more than once for the same kind of change in this file. The first was processed; this repeat was not applied.",
		"Keep one record per certificate for each kind of change, combining the changes into it.",
	},
	RIdentity: {
		"The family name or date of birth in the record does not match the person on the certificate, so the record may be about someone else. The record was not applied.",
		"Check the certificate number and the person's details against the Sponsorship Management System and correct whichever is wrong.",
	},
	RActivityUsed: {
		"Activity, including a no-show, can be reported only against a certificate that has been used for a visa application (status USED). This one has another status. The record was not applied.",
		"Check the certificate number; if the person has not yet applied for a visa, there is nothing to report on this certificate yet.",
	},
	RActivityKind: {
		"The activity type does not fit the certificate: student activity types are for a CAS, worker activity types for a CoS. The record was not applied.",
		"Use an activity type of the certificate's kind, or correct the certificate number.",
	},
	RActivityDate: {
		"The event date is in the future, or before the certificate was assigned. Only an early completion that is due may be dated ahead. The record was not applied.",
		"Correct the event date to the day the event happened.",
	},
	RActivityWithdrawalAddress: {
		"Reporting that sponsorship is withdrawn needs the person's last residential address, and the record does not give it. The record was not applied.",
		"Add the person's last known residential address to the record.",
	},
	RActivityEarlyCompletion: {
		"An early completion needs the earlier completion date, and it must be before the course end date on the CAS. The record does not give one, or gives one that is not earlier. The record was not applied.",
		"Give the date the course actually finished, before the end date on the CAS.",
	},
	RActivityPrevious: {
		"Withdrawing a previous notification must name the date of an earlier report that still stands, and give the reason. The record does not, so the record was not applied.",
		"Give the event date of the earlier report you are withdrawing, as it was reported, and the reason it is withdrawn.",
	},
	RActivityAbsence: {
		"A worker's absence without permission can be reported only once it has lasted more than 10 consecutive working days by the event date, and the first day of absence must be given and be on or before the event date. The record was not applied.",
		"Give the first day of absence; report it once more than 10 working days (of your nation's calendar) have passed.",
	},
	RActivityLate: {
		"The event was reported more than 10 working days after it happened. The record was applied, but the late report is recorded.",
		"Nothing to correct in this file. Report future events within 10 working days.",
	},
	RFeeAssigned: {
		"Fee details can change only on a CAS with status ASSIGNED. This CAS has another status. The record was not applied.",
		"Check the CAS number; a CAS that is used, withdrawn or expired no longer takes fee updates.",
	},
	RFeePresent: {
		"The fee update changes nothing: it gives none of the paid-to-date amounts. The record was not applied.",
		"Give at least one paid-to-date amount, or leave the record out of the file.",
	},
	RFeeAmount: {
		"An amount is not pounds and pence as the screens take it: it must be written like 1234 or 1234.99, without a currency sign, and never negative. The record was not applied.",
		"Write the amount in pounds with at most two decimal places, like 9250 or 9250.00.",
	},
	RFeeExceeds: {
		"The course fees paid to date are more than the first-year course fee on the CAS. The record was applied; the warning asks you to check the figure.",
		"Check the amount; if it is right, there is nothing to do. If the first-year fee on the CAS is wrong, correct it in the Sponsorship Management System.",
	},
	RNoteStatus: {
		"A sponsor note can go only on a CAS that is ASSIGNED or EXPIRED, or a CoS that is ASSIGNED. This certificate has another status. The record was not applied.",
		"Check the certificate number; a note cannot be added to a certificate in its current status.",
	},
	RCosWithdraw: {
		"Only a CoS with status ASSIGNED can be withdrawn. This one has another status. The record was not applied.",
		"Check the CoS number; a CoS already used, withdrawn or expired cannot be withdrawn.",
	},
	RCasWithdraw: {
		"Only a live CAS (status ASSIGNED) can be withdrawn. This one is not yet live or no longer is. The record was not applied.",
		"Check the CAS number; a CAS still being prepared can be cancelled in the Sponsorship Management System instead.",
	},
	RCosTransfer: {
		"A CoS can be transferred only to an active Level 1 or Level 2 user of the same sponsor. The user named is not one. The record was not applied.",
		"Name an active Level 1 or Level 2 user of your licence, with their user id exactly as in the Sponsorship Management System.",
	},
	RSchema: {
		"A value in this record does not follow the file's schema: it has the wrong form, is missing, is not allowed there, or is out of order, as the message says. This record was not applied; the file's other records were processed as usual.",
		"Correct the element the message names in this record, and upload a file with just the corrected records.",
	},
}

// Explain returns the explanation of the rule with the given id.
func Explain(id RuleID) (Explanation, bool) {
	e, ok := explanations[id]
	return e, ok
}
