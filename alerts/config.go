package alerts

import (
	_ "embed"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed default.yaml
var defaultRules []byte

// DefaultConfig returns the shipped rules (default.yaml).
func DefaultConfig() (*Config, error) {
	return ParseConfig(defaultRules, "(built-in) alerts/default.yaml")
}

// LoadConfig reads a rules file; "" is the shipped one.
func LoadConfig(path string) (*Config, error) {
	if path == "" {
		return DefaultConfig()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read alert rules: %w", err)
	}
	return ParseConfig(b, path)
}

// Severities from most to least urgent.
var Severities = []string{"red", "orange", "yellow", "blue"}

// SeverityLabel is the Chinese name.
var SeverityLabel = map[string]string{"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}

func severityRank(s string) int {
	for i, x := range Severities {
		if x == s {
			return i
		}
	}
	return len(Severities)
}

// Config is a parsed rules file.
type Config struct {
	RepeatInterval time.Duration
	ResolveAfter   time.Duration
	Lookback       time.Duration
	Rules          []Rule
	Receivers      []Receiver
	Routes         []Route
}

// Rule is one alert rule.
type Rule struct {
	Name     string
	Kind     string
	Severity string
	Title    string
	Params   map[string]float64
	Levels   []string // hotspot: region levels
	Line     int
}

// Receiver is a notification destination.
type Receiver struct {
	Name   string
	Type   string // webhook | dingtalk | wecom | log
	URL    string
	Secret string // dingtalk signed mode
}

// Route sends matching notifications to receivers.
type Route struct {
	Severities []string
	Regions    []string
	Receivers  []string
}

// kinds lists each built-in rule kind and the params it takes, with defaults.
var kinds = map[string]map[string]float64{
	"hotspot":          {"min_count": 3, "orange_risk": 70},
	"collective":       {"min_headcount": 5, "red_headcount": 50},
	"beijing_abnormal": {},
	"repeat":           {"min_visits_30d": 3},
	"hotline_risk":     {},
	"backlog":          {"max_backlog": 10},
	"zero_report":      {},
}

// Error is a problem in a rules file, with its place.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

type rawConfig struct {
	Defaults struct {
		RepeatInterval string `yaml:"repeat_interval"`
		ResolveAfter   string `yaml:"resolve_after"`
		Lookback       string `yaml:"lookback"`
	} `yaml:"defaults"`
	Rules     []yaml.Node `yaml:"rules"`
	Receivers []yaml.Node `yaml:"receivers"`
	Routes    []yaml.Node `yaml:"routes"`
}

// ParseConfig parses and validates a rules file; errors name the line.
func ParseConfig(b []byte, file string) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, &Error{File: file, Line: lineOf(err), Msg: "not valid YAML: " + err.Error()}
	}
	if len(doc.Content) == 0 {
		return nil, &Error{File: file, Line: 1, Msg: "empty rules file"}
	}
	root := doc.Content[0]
	if err := knownKeys(file, root, "defaults", "rules", "receivers", "routes"); err != nil {
		return nil, err
	}
	var raw rawConfig
	if err := root.Decode(&raw); err != nil {
		return nil, &Error{File: file, Line: lineOf(err), Msg: err.Error()}
	}
	c := &Config{RepeatInterval: 4 * time.Hour, ResolveAfter: 48 * time.Hour, Lookback: 7 * 24 * time.Hour}
	dur := func(s string, into *time.Duration, name string) error {
		if s == "" {
			return nil
		}
		d, err := parseDuration(s)
		if err != nil || d < 0 {
			return &Error{File: file, Line: keyLine(root, "defaults"), Msg: fmt.Sprintf("defaults.%s %q is not a duration (e.g. 30m, 4h, 2d)", name, s)}
		}
		*into = d
		return nil
	}
	for _, d := range []struct {
		s    string
		into *time.Duration
		name string
	}{{raw.Defaults.RepeatInterval, &c.RepeatInterval, "repeat_interval"}, {raw.Defaults.ResolveAfter, &c.ResolveAfter, "resolve_after"}, {raw.Defaults.Lookback, &c.Lookback, "lookback"}} {
		if err := dur(d.s, d.into, d.name); err != nil {
			return nil, err
		}
	}
	names := map[string]bool{}
	for _, n := range raw.Rules {
		r, err := parseRule(file, &n)
		if err != nil {
			return nil, err
		}
		if names[r.Name] {
			return nil, &Error{File: file, Line: n.Line, Msg: fmt.Sprintf("rule %q appears twice", r.Name)}
		}
		names[r.Name] = true
		c.Rules = append(c.Rules, r)
	}
	receivers := map[string]bool{}
	for _, n := range raw.Receivers {
		var r struct {
			Name, Type, URL, Secret string
		}
		if err := knownKeys(file, &n, "name", "type", "url", "secret"); err != nil {
			return nil, err
		}
		if err := n.Decode(&r); err != nil {
			return nil, &Error{File: file, Line: n.Line, Msg: err.Error()}
		}
		switch r.Type {
		case "log":
		case "webhook", "dingtalk", "wecom":
			u, err := url.Parse(r.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return nil, &Error{File: file, Line: n.Line, Msg: fmt.Sprintf("receiver %q: url %q must be an http(s) URL", r.Name, r.URL)}
			}
		default:
			return nil, &Error{File: file, Line: n.Line, Msg: fmt.Sprintf("receiver %q: type %q must be webhook, dingtalk, wecom or log", r.Name, r.Type)}
		}
		if r.Name == "" || receivers[r.Name] {
			return nil, &Error{File: file, Line: n.Line, Msg: fmt.Sprintf("receiver name %q is empty or used twice", r.Name)}
		}
		receivers[r.Name] = true
		c.Receivers = append(c.Receivers, Receiver{Name: r.Name, Type: r.Type, URL: r.URL, Secret: os.ExpandEnv(r.Secret)})
	}
	for _, n := range raw.Routes {
		var r struct {
			Match struct {
				Severity []string
				Region   []string
			}
			Receivers []string
		}
		if err := knownKeys(file, &n, "match", "receivers"); err != nil {
			return nil, err
		}
		if err := n.Decode(&r); err != nil {
			return nil, &Error{File: file, Line: n.Line, Msg: err.Error()}
		}
		for _, s := range r.Match.Severity {
			if severityRank(s) == len(Severities) {
				return nil, &Error{File: file, Line: n.Line, Msg: fmt.Sprintf("route severity %q must be red, orange, yellow or blue", s)}
			}
		}
		if len(r.Receivers) == 0 {
			return nil, &Error{File: file, Line: n.Line, Msg: "route has no receivers"}
		}
		for _, name := range r.Receivers {
			if !receivers[name] {
				return nil, &Error{File: file, Line: n.Line, Msg: fmt.Sprintf("route names receiver %q, which is not defined under receivers", name)}
			}
		}
		c.Routes = append(c.Routes, Route{Severities: r.Match.Severity, Regions: r.Match.Region, Receivers: r.Receivers})
	}
	return c, nil
}

func parseRule(file string, n *yaml.Node) (Rule, error) {
	if err := knownKeys(file, n, "name", "kind", "severity", "title", "params"); err != nil {
		return Rule{}, err
	}
	var raw struct {
		Name, Kind, Severity, Title string
		Params                      map[string]yaml.Node
	}
	if err := n.Decode(&raw); err != nil {
		return Rule{}, &Error{File: file, Line: n.Line, Msg: err.Error()}
	}
	r := Rule{Name: raw.Name, Kind: raw.Kind, Severity: raw.Severity, Title: raw.Title, Line: n.Line, Params: map[string]float64{}}
	if r.Name == "" {
		return r, &Error{File: file, Line: n.Line, Msg: "rule has no name"}
	}
	defaults, ok := kinds[r.Kind]
	if !ok {
		var list []string
		for k := range kinds {
			list = append(list, k)
		}
		return r, &Error{File: file, Line: n.Line, Msg: fmt.Sprintf("rule %q: kind %q is not one of %s", r.Name, r.Kind, strings.Join(sorted(list), ", "))}
	}
	if severityRank(r.Severity) == len(Severities) {
		return r, &Error{File: file, Line: n.Line, Msg: fmt.Sprintf("rule %q: severity %q must be red, orange, yellow or blue", r.Name, r.Severity)}
	}
	for k, v := range defaults {
		r.Params[k] = v
	}
	for k, v := range raw.Params {
		if r.Kind == "hotspot" && k == "levels" {
			if err := v.Decode(&r.Levels); err != nil {
				return r, &Error{File: file, Line: v.Line, Msg: fmt.Sprintf("rule %q: levels must be a list of county and township", r.Name)}
			}
			for _, l := range r.Levels {
				if l != "county" && l != "township" {
					return r, &Error{File: file, Line: v.Line, Msg: fmt.Sprintf("rule %q: level %q must be county or township", r.Name, l)}
				}
			}
			continue
		}
		if _, ok := defaults[k]; !ok {
			return r, &Error{File: file, Line: v.Line, Msg: fmt.Sprintf("rule %q: kind %s takes no parameter %q", r.Name, r.Kind, k)}
		}
		var x float64
		if err := v.Decode(&x); err != nil || x < 0 {
			return r, &Error{File: file, Line: v.Line, Msg: fmt.Sprintf("rule %q: %s must be a number at least 0", r.Name, k)}
		}
		r.Params[k] = x
	}
	if r.Kind == "hotspot" && len(r.Levels) == 0 {
		r.Levels = []string{"county"}
	}
	return r, nil
}

// knownKeys refuses a mapping key the format does not know (a typo would
// otherwise be silently ignored).
func knownKeys(file string, n *yaml.Node, keys ...string) error {
	if n.Kind != yaml.MappingNode {
		return &Error{File: file, Line: n.Line, Msg: "expected a mapping (key: value)"}
	}
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		ok := false
		for _, want := range keys {
			ok = ok || k.Value == want
		}
		if !ok {
			return &Error{File: file, Line: k.Line, Msg: fmt.Sprintf("unknown key %q (expected one of %s)", k.Value, strings.Join(keys, ", "))}
		}
	}
	return nil
}

func keyLine(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i].Line
		}
	}
	return n.Line
}

// lineOf finds "line N" in a yaml error.
func lineOf(err error) int {
	var line int
	if _, e := fmt.Sscanf(err.Error()[strings.Index(err.Error(), "line ")+5:], "%d", &line); e == nil {
		return line
	}
	return 1
}

// parseDuration accepts Go durations and days ("2d").
func parseDuration(s string) (time.Duration, error) {
	if strings.HasSuffix(s, "d") {
		var n float64
		if _, err := fmt.Sscanf(strings.TrimSuffix(s, "d"), "%g", &n); err != nil {
			return 0, err
		}
		return time.Duration(n * 24 * float64(time.Hour)), nil
	}
	return time.ParseDuration(s)
}

func sorted(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

// Rule returns the named rule.
func (c *Config) Rule(name string) (Rule, bool) {
	for _, r := range c.Rules {
		if r.Name == name {
			return r, true
		}
	}
	return Rule{}, false
}

// receiversFor lists the receivers of a notification of severity for region.
func (c *Config) receiversFor(severity, region string) []Receiver {
	seen := map[string]bool{}
	var out []Receiver
	for _, rt := range c.Routes {
		if len(rt.Severities) > 0 && !contains(rt.Severities, severity) {
			continue
		}
		if len(rt.Regions) > 0 {
			match := false
			for _, r := range rt.Regions {
				match = match || strings.HasPrefix(region, r)
			}
			if !match {
				continue
			}
		}
		for _, name := range rt.Receivers {
			if seen[name] {
				continue
			}
			seen[name] = true
			for _, r := range c.Receivers {
				if r.Name == name {
					out = append(out, r)
				}
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
