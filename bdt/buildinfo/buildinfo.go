// Package buildinfo says which bdt is running: the module version, the VCS
// revision and time it was built from, the Go version and the libxml2
// library it runs with. `bdt version`, the start-up log line of `bdt run`
// and `bdt serve`, the admin endpoint's BDT-Version header and the metric
// bdt_build_info all read it from here.
//
// The version and revision come from the binary's build information
// (runtime/debug.ReadBuildInfo): a build inside a git work tree with
// -buildvcs records the revision, a build of a tagged module its version.
// A build without VCS information (the container's, whose context has no
// .git) sets them with
//
//	-ldflags "-X bdt/bdt/buildinfo.version=v1.2.0 -X bdt/bdt/buildinfo.revision=abc123"
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"bdt/schema"
)

// version and revision, when set by the linker (-X), win over the build
// information.
var version, revision string

// Info is what a bdt binary knows about itself.
type Info struct {
	Version      string // module version, "(devel)" for an untagged build
	Revision     string // VCS revision, "" when unknown
	RevisionTime string // VCS commit time (RFC 3339), "" when unknown
	Modified     bool   // the work tree had uncommitted changes
	GoVersion    string // runtime.Version()
	Libxml2      string // the libxml2 library in use, dotted ("2.9.14")
}

var (
	once sync.Once
	info Info
)

// Read returns this binary's Info, computed once.
func Read() Info {
	once.Do(func() {
		info = Info{Version: "(devel)", GoVersion: runtime.Version(), Libxml2: schema.LibxmlVersion()}
		if bi, ok := debug.ReadBuildInfo(); ok {
			info.fromBuild(bi)
		}
		if version != "" {
			info.Version = version
		}
		if revision != "" {
			info.Revision = revision
		}
	})
	return info
}

// fromBuild takes the module version and the vcs.* settings of bi.
func (i *Info) fromBuild(bi *debug.BuildInfo) {
	if v := bi.Main.Version; v != "" {
		i.Version = v
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Revision = s.Value
		case "vcs.time":
			i.RevisionTime = s.Value
		case "vcs.modified":
			i.Modified = s.Value == "true"
		}
	}
}

// Text is Info as `bdt version` prints it: one "name: value" line per field,
// unknown fields shown as "unknown".
func (i Info) Text() string {
	var b strings.Builder
	for _, f := range i.Fields() {
		v := f[1]
		if v == "" {
			v = "unknown"
		}
		fmt.Fprintf(&b, "%-15s %s\n", f[0]+":", v)
	}
	return b.String()
}

// Fields returns Info's fields as name and value pairs, in the order Text
// prints them; the names are those of the log line.
func (i Info) Fields() [][2]string {
	return [][2]string{
		{"version", i.Version},
		{"revision", i.Revision},
		{"revision_time", i.RevisionTime},
		{"modified", fmt.Sprint(i.Modified)},
		{"go", i.GoVersion},
		{"libxml2", i.Libxml2},
	}
}
