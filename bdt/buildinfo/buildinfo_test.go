package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"bdt/schema"
)

func TestReadRuntime(t *testing.T) {
	i := Read()
	if i.GoVersion != runtime.Version() {
		t.Errorf("GoVersion = %q, want %q", i.GoVersion, runtime.Version())
	}
	if i.Libxml2 != schema.LibxmlVersion() || i.Libxml2 == "" {
		t.Errorf("Libxml2 = %q, want %q", i.Libxml2, schema.LibxmlVersion())
	}
	if i.Version == "" {
		t.Error("Version is empty; want the module version or (devel)")
	}
}

func TestFromBuild(t *testing.T) {
	i := Info{Version: "(devel)"}
	i.fromBuild(&debug.BuildInfo{
		Main: debug.Module{Path: "bdt", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123456789abcdef"},
			{Key: "vcs.time", Value: "2026-12-07T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	})
	want := Info{Version: "v1.4.0", Revision: "0123456789abcdef", RevisionTime: "2026-12-07T10:00:00Z", Modified: true}
	if i != want {
		t.Fatalf("fromBuild = %+v, want %+v", i, want)
	}
}

func TestText(t *testing.T) {
	got := Info{Version: "(devel)", GoVersion: "go1.26.8", Libxml2: "2.9.14"}.Text()
	want := "version:        (devel)\nrevision:       unknown\nrevision_time:  unknown\nmodified:       false\ngo:             go1.26.8\nlibxml2:        2.9.14\n"
	if got != want {
		t.Fatalf("Text() =\n%s\nwant\n%s", got, want)
	}
	if strings.Count(got, "\n") != len(Info{}.Fields()) {
		t.Fatal("Text has not one line per field")
	}
}
