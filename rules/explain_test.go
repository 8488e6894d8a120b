package rules

import "testing"

// TestEveryRuleExplained checks that every rule of the catalogue has an
// explanation with both parts, and that no explanation is of a rule the
// catalogue does not hold.
func TestEveryRuleExplained(t *testing.T) {
	for _, r := range Catalogue() {
		e, ok := Explain(r.ID)
		if !ok {
			t.Errorf("%s has no explanation", r.ID)
			continue
		}
		if e.Meaning == "" || e.Fix == "" {
			t.Errorf("%s: explanation %+v lacks a part (%s / %s)", r.ID, e, MeaningHeading, FixHeading)
		}
	}
	for id := range explanations {
		if _, ok := Lookup(id); !ok {
			t.Errorf("explanation of %s, which is not in the catalogue", id)
		}
	}
}
