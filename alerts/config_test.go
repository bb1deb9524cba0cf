package alerts

import (
	"errors"
	"strings"
	"testing"
)

func TestDefaultRules(t *testing.T) {
	c, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"hotspot_surge": "yellow", "collective_petition": "orange", "beijing_abnormal": "red",
		"repeat_petitioner": "orange", "hotline_escalation_risk": "yellow", "unit_backlog": "yellow", "zero_report_missing": "orange"}
	if len(c.Rules) != len(want) {
		t.Fatalf("%d rules, want %d", len(c.Rules), len(want))
	}
	for _, r := range c.Rules {
		if want[r.Name] != r.Severity {
			t.Errorf("rule %s severity %s, want %s", r.Name, r.Severity, want[r.Name])
		}
	}
	if r, _ := c.Rule("collective_petition"); r.Params["min_headcount"] != 5 || r.Params["red_headcount"] != 50 {
		t.Errorf("collective thresholds %v", r.Params)
	}
	if c.RepeatInterval.Hours() != 4 || c.ResolveAfter.Hours() != 48 {
		t.Errorf("defaults %v %v", c.RepeatInterval, c.ResolveAfter)
	}
}

func TestBadRuleFilesNameLineAndReason(t *testing.T) {
	f := func(yaml string, line int, reason string) {
		t.Helper()
		_, err := ParseConfig([]byte(yaml), "rules.yaml")
		var e *Error
		if !errors.As(err, &e) || e.Line != line || !strings.Contains(e.Msg, reason) {
			t.Errorf("%q: got %v, want line %d: %s", yaml, err, line, reason)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "rules.yaml:") {
			t.Errorf("error %q does not start with the file name", err)
		}
	}
	f("rules:\n  - name: a\n    kind: nonsense\n    severity: red\n", 2, `kind "nonsense" is not one of`)
	f("rules:\n  - name: a\n    kind: collective\n    severity: purple\n", 2, `severity "purple"`)
	f("rules:\n  - name: a\n    kind: collective\n    severity: red\n    params:\n      min_heads: 3\n", 6, `takes no parameter "min_heads"`)
	f("rules:\n  - name: a\n    kind: collective\n    severity: red\n    params:\n      min_headcount: -1\n", 6, "at least 0")
	f("rules:\n  - name: a\n    kind: collective\n    severity: red\n  - name: a\n    kind: repeat\n    severity: red\n", 5, "appears twice")
	f("rules:\n  - name: a\n    kind: collective\n    severity: red\n    sevrity: red\n", 5, `unknown key "sevrity"`)
	f("rules: [\n", 1, "not valid YAML")
	f("defaults:\n  repeat_interval: soon\n", 1, "not a duration")
	f("receivers:\n  - name: d\n    type: dingtalk\n    url: not a url\n", 2, "must be an http(s) URL")
	f("receivers:\n  - name: d\n    type: pager\n", 2, `type "pager"`)
	f("receivers:\n  - name: log\n    type: log\nroutes:\n  - receivers: [nobody]\n", 5, `receiver "nobody", which is not defined`)
	f("rules:\n  - name: h\n    kind: hotspot\n    severity: red\n    params:\n      levels: [city]\n", 6, `level "city"`)
}
