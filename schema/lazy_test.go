package schema

import (
	"sync"
	"testing"
)

// TestDefaultCompilesEveryXSD: Default compiles each embedded XSD when a
// file of its format is first validated; every one of them must compile,
// also when first needed by many goroutines at once.
func TestDefaultCompilesEveryXSD(t *testing.T) {
	v := Default()
	if len(v.Formats()) == 0 {
		t.Fatal("no formats")
	}
	var wg sync.WaitGroup
	for _, f := range v.Formats() {
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, types, err := v.compiled[f.Name].get()
				if err != nil || s == nil || len(types.elem) == 0 {
					t.Errorf("%s: schema %v, %d element types, error %v", f.Name, s != nil, len(types.elem), err)
				}
			}()
		}
	}
	wg.Wait()
}

// TestRegexpsCompile: every regular expression of the package (lazyRE,
// compiled when first used) compiles, those of messages no test reads
// included.
func TestRegexpsCompile(t *testing.T) {
	if len(lazyREs) < 30 {
		t.Fatalf("%d regular expressions registered, want the package's ~35", len(lazyREs))
	}
	for i, re := range lazyREs {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("expression %d: %v", i, p)
				}
			}()
			if re() == nil {
				t.Errorf("expression %d: nil", i)
			}
		}()
	}
}
