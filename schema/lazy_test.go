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
