// Package schema holds the published XSDs of every BDT file kind, embedded in
// the binary, and the streaming libxml2 validator that checks a file against
// them.
package schema

import (
	"embed"
	"sort"
)

// files holds the XSDs. Each kind has its own namespace carrying its version;
// common.xsd holds the types they share and is included by each.
//
//go:embed xsd/*.xsd
var files embed.FS

// Format is one version of one kind of document: a BDT file kind, the register
// fixture, the result report, or an export of certificates.
type Format struct {
	Name          string // "feeupdate-v2": the name `bdt schema show` takes
	Kind          string // "noshow", "feeupdate", "studentactivity", "workeractivity", "register", "result", "casexport", "cosexport"
	Version       string // "1", "2"
	Namespace     string // target namespace; it alone identifies kind and version
	Root          string // local name of the root element
	Record        string // local name of a record element (a direct child of the root); "" if none
	FileIDElement string // local name of the header element that carries the file id
	File          string // XSD path inside the embedded FS, e.g. "xsd/feeupdate-v2.xsd"
	Title         string // one line for people
}

// NamespaceBase prefixes every namespace of this project's schemas.
const NamespaceBase = "urn:uk:gov:ukvi:sms:bdt:"

// formats is the catalogue of every format the binary knows.
var formats = []Format{
	{Name: "noshow-v1", Kind: "noshow", Version: "1", Namespace: NamespaceBase + "noshow:v1",
		Root: "NoShowReport", Record: "NoShow", FileIDElement: "BulkReportingID",
		File: "xsd/noshow-v1.xsd", Title: "No-show report: students who never enrolled"},
	{Name: "feeupdate-v1", Kind: "feeupdate", Version: "1", Namespace: NamespaceBase + "feeupdate:v1",
		Root: "FeeUpdate", Record: "CASFeeUpdate", FileIDElement: "BulkUpdateFileId",
		File: "xsd/feeupdate-v1.xsd", Title: "Fee update (version 1): fees paid on assigned CAS"},
	{Name: "feeupdate-v2", Kind: "feeupdate", Version: "2", Namespace: NamespaceBase + "feeupdate:v2",
		Root: "FeeUpdate", Record: "CASFeeUpdate", FileIDElement: "BulkUpdateFileId",
		File: "xsd/feeupdate-v2.xsd", Title: "Fee update (version 2): adds the student's identity cross-check"},
	{Name: "studentactivity-v1", Kind: "studentactivity", Version: "1", Namespace: NamespaceBase + "studentactivity:v1",
		Root: "StudentActivityReport", Record: "StudentActivity", FileIDElement: "BulkReportingID",
		File: "xsd/studentactivity-v1.xsd", Title: "Student activity report: changes in students' circumstances (CAS)"},
	{Name: "workeractivity-v1", Kind: "workeractivity", Version: "1", Namespace: NamespaceBase + "workeractivity:v1",
		Root: "WorkerActivityReport", Record: "WorkerActivity", FileIDElement: "BulkReportingID",
		File: "xsd/workeractivity-v1.xsd", Title: "Worker activity report: changes in workers' circumstances (CoS)"},
	{Name: "register-v1", Kind: "register", Version: "1", Namespace: NamespaceBase + "register:v1",
		Root: "Register", File: "xsd/register-v1.xsd", Title: "Sponsor register fixture: sponsors, users, CAS and CoS"},
	{Name: "result-v1", Kind: "result", Version: "1", Namespace: NamespaceBase + "result:v1",
		Root: "BDTResult", File: "xsd/result-v1.xsd", Title: "Result report: the outcome of one file and of each of its records"},
	{Name: "casexport-v1", Kind: "casexport", Version: "1", Namespace: NamespaceBase + "casexport:v1",
		Root: "CASExport", File: "xsd/casexport-v1.xsd", Title: "CAS export: a sponsor's CAS changed since an instant (bdt export cas)"},
	{Name: "cosexport-v1", Kind: "cosexport", Version: "1", Namespace: NamespaceBase + "cosexport:v1",
		Root: "CoSExport", File: "xsd/cosexport-v1.xsd", Title: "CoS export: a sponsor's CoS changed since an instant (bdt export cos)"},
}

// Formats returns every known format, sorted by name.
func Formats() []Format {
	out := append([]Format(nil), formats...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ByNamespace returns the format whose target namespace is ns.
func ByNamespace(ns string) (Format, bool) {
	for _, f := range formats {
		if f.Namespace == ns {
			return f, true
		}
	}
	return Format{}, false
}

// ByName returns the format called name (e.g. "feeupdate-v2").
func ByName(name string) (Format, bool) {
	for _, f := range formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}

// Source returns the text of an embedded XSD by its path in the catalogue
// ("xsd/common.xsd" included).
func Source(file string) ([]byte, error) { return files.ReadFile(file) }

// FS returns the embedded XSD files, for tools that resolve includes.
func FS() embed.FS { return files }
