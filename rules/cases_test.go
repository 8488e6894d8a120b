package rules

import (
	"strings"
	"testing"
)

// ruleCase is one row of the rule tables: a decision about one rule, that
// must either fire or not.
type ruleCase struct {
	rule  RuleID
	fires bool
	name  string
	run   func() Decision
	// others allows error findings of other rules beside this one (when it
	// fires), or at all (when it does not); without it a firing case holds
	// no other error and a passing case is accepted.
	others bool
	// findingsOnly marks a check that gives findings, not an engine decision
	// (CheckFile, CheckActor): the Ref and Changes invariants do not apply.
	findingsOnly bool
	check        func(t *testing.T, d Decision)
}

func fires(rule RuleID, name string, run func() Decision) ruleCase {
	return ruleCase{rule: rule, fires: true, name: name, run: run}
}

func passes(rule RuleID, name string, run func() Decision) ruleCase {
	return ruleCase{rule: rule, fires: false, name: name, run: run}
}

func (c ruleCase) withOthers() ruleCase { c.others = true; return c }
func (c ruleCase) then(check func(t *testing.T, d Decision)) ruleCase {
	c.check = check
	return c
}

func ev(a Actor, op Op, st State) func() Decision {
	return func() Decision { return Evaluate(a, op, st) }
}

func action(a Actor, op Op, st State) func() Decision {
	return func() Decision { return EvaluateAction(a, op, st) }
}

// testName is the subtest name: the rule id, then "fires ..." or "passes ...".
func (c ruleCase) testName() string {
	verb := "passes "
	if c.fires {
		verb = "fires "
	}
	return string(c.rule) + "/" + verb + c.name
}

// runCases runs every case as a subtest named by testName.
func runCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.testName(), func(t *testing.T) {
			d := c.run()
			if !c.findingsOnly {
				checkInvariants(t, d)
			}
			mine := findingsOf(d, c.rule)
			rule, ok := Lookup(c.rule)
			if !ok {
				t.Fatalf("case cites unknown rule %s", c.rule)
			}
			var otherErrors []string
			for _, f := range d.Findings {
				if f.Rule != c.rule && f.Severity == Error {
					otherErrors = append(otherErrors, string(f.Rule)+": "+f.Message)
				}
			}
			if c.fires {
				if len(mine) == 0 {
					t.Fatalf("%s did not fire; findings: %+v", c.rule, d.Findings)
				}
				if !c.others && len(otherErrors) > 0 {
					t.Errorf("other errors beside %s: %s", c.rule, strings.Join(otherErrors, "; "))
				}
				switch {
				case rule.Severity == Error && d.Accepted():
					t.Errorf("error %s fired but the decision is accepted", c.rule)
				case rule.Severity == Warning && !c.others && !d.Accepted():
					t.Errorf("warning %s fired and the decision is rejected: %+v", c.rule, d.Findings)
				}
				for _, f := range mine {
					t.Logf("%s [%s] %s", f.Rule, f.Field, f.Message)
				}
			} else {
				if len(mine) > 0 {
					t.Fatalf("%s fired: %+v", c.rule, mine)
				}
				if !c.others && len(otherErrors) > 0 {
					t.Errorf("not accepted: %s", strings.Join(otherErrors, "; "))
				}
			}
			if c.check != nil {
				c.check(t, d)
			}
		})
	}
}

// allCases is every rule table; TestCatalogueCoverage walks it.
func allCases() []ruleCase {
	var all []ruleCase
	for _, cs := range [][]ruleCase{fileCases(), actorCases(), certCases(), activityCases(), feeCases(), noteCases(), cosCases(), casWithdrawCases(), batchCases()} {
		all = append(all, cs...)
	}
	return all
}

// pipelineRules are the file rules the pipeline decides itself (size, XML,
// kind from the root element, schema, count, duplicate files): this package
// only catalogues them and builds their findings (TestNewFinding), so the
// coverage meta-test does not ask for a firing and a passing case of each
// here. F.KIND is not among them: CheckFile refuses an unknown kind too.
var pipelineRules = map[RuleID]bool{
	FSize: true, FWellformed: true, FSchema: true, FCount: true, FDuplicate: true,
}

// TestCatalogueCoverage fails when a rule of the catalogue has no case in
// the tables where it fires, or none where it does not.
func TestCatalogueCoverage(t *testing.T) {
	firing, passing := map[RuleID]int{}, map[RuleID]int{}
	for _, c := range allCases() {
		if _, ok := Lookup(c.rule); !ok {
			t.Errorf("case %q cites unknown rule %s", c.testName(), c.rule)
		}
		if c.fires {
			firing[c.rule]++
		} else {
			passing[c.rule]++
		}
	}
	for _, r := range Catalogue() {
		if pipelineRules[r.ID] {
			if firing[r.ID]+passing[r.ID] > 0 {
				t.Errorf("%s is listed as decided by the pipeline but has cases here; take it off pipelineRules", r.ID)
			}
			continue
		}
		if firing[r.ID] == 0 {
			t.Errorf("%s has no case where it fires", r.ID)
		}
		if passing[r.ID] == 0 {
			t.Errorf("%s has no case where it does not fire", r.ID)
		}
	}
}
