package assess

import (
	"embed"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed rubrics/*.yaml
var shipped embed.FS

// Criterion is one line of a rubric.
type Criterion struct {
	ID        string  `yaml:"id" json:"id"`
	Standard  string  `yaml:"standard" json:"standard"`
	Label     string  `yaml:"label" json:"label"`
	Indicator string  `yaml:"indicator" json:"indicator"`
	Weight    float64 `yaml:"weight" json:"weight"`
	Floor     float64 `yaml:"floor" json:"floor"`
	Target    float64 `yaml:"target" json:"target"`
	Direction string  `yaml:"direction" json:"direction"`
	line      int
}

// Rubric is one year's 考核 rules.
type Rubric struct {
	Version   string  `yaml:"version"`
	Year      int     `yaml:"year"`
	PassScore float64 `yaml:"pass_score"`
	Shrinkage struct {
		MaxPriorStrength float64 `yaml:"max_prior_strength"`
	} `yaml:"shrinkage"`
	Bulletin struct {
		Bottom           int     `yaml:"bottom"`
		BacklogThreshold float64 `yaml:"backlog_threshold"`
	} `yaml:"bulletin"`
	Deductions struct {
		PerBulletin float64 `yaml:"per_bulletin"`
		PerOneEvent float64 `yaml:"per_one_event"`
		Cap         float64 `yaml:"cap"`
	} `yaml:"deductions"`
	Criteria []Criterion `yaml:"criteria"`
	File     string      `yaml:"-"`
}

// indicators a criterion may name, and whether each is a rate (k of n,
// shrunk) and which units it applies to.
var indicators = map[string]struct {
	Label    string
	Rate     bool
	Counties bool // county governments only
}{
	"accept_on_time_rate":       {"按期受理率", true, false},
	"conclude_on_time_rate":     {"按期办结率", true, false},
	"satisfaction_rate":         {"信访满意率（满意+基本满意）", true, false},
	"clearance_rate":            {"积案化解率", true, false},
	"local_resolution_share":    {"就地化解占比", true, false},
	"zero_report_rate":          {"零报告按时报送率", true, false},
	"hotline_response_rate":     {"12345 响应率", true, false},
	"hotline_resolution_rate":   {"12345 解决率", true, false},
	"hotline_satisfaction_rate": {"12345 满意率（基本满意按 0.9）", true, false},
	"repeat_rate":               {"重复访率", true, true},
	"three_visits_change":       {"三访同比变化（无三访计 -100%）", false, true},
}

// ParseRubric reads a rubric and checks it; errors name the file and line.
func ParseRubric(b []byte, file string) (*Rubric, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var r Rubric
	if err := root.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	r.File = file
	// Line numbers of the criteria, for the messages.
	if len(root.Content) == 1 {
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == "criteria" {
				for j, c := range m.Content[i+1].Content {
					if j < len(r.Criteria) {
						r.Criteria[j].line = c.Line
					}
				}
			}
		}
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

func (r *Rubric) validate() error {
	at := func(c Criterion) string { return fmt.Sprintf("%s:%d: criterion %q", r.File, c.line, c.ID) }
	switch {
	case r.Version == "":
		return fmt.Errorf("%s: version is missing (e.g. version: \"%d.1\")", r.File, r.Year)
	case r.Year < 2000 || r.Year > 2100:
		return fmt.Errorf("%s: year %d: give the assessment year, e.g. year: 2026", r.File, r.Year)
	case r.PassScore <= 0 || r.PassScore > 100:
		return fmt.Errorf("%s: pass_score %v: give the 达标 score, 0-100", r.File, r.PassScore)
	case len(r.Criteria) == 0:
		return fmt.Errorf("%s: no criteria", r.File)
	case r.Bulletin.Bottom < 0 || r.Bulletin.BacklogThreshold < 0:
		return fmt.Errorf("%s: bulletin.bottom and bulletin.backlog_threshold cannot be negative", r.File)
	case r.Deductions.PerBulletin < 0 || r.Deductions.PerOneEvent < 0 || r.Deductions.Cap < 0:
		return fmt.Errorf("%s: deductions cannot be negative", r.File)
	case r.Shrinkage.MaxPriorStrength < 0:
		return fmt.Errorf("%s: shrinkage.max_prior_strength cannot be negative", r.File)
	}
	if r.Shrinkage.MaxPriorStrength == 0 {
		r.Shrinkage.MaxPriorStrength = 200
	}
	seen := map[string]bool{}
	total := 0.0
	for _, c := range r.Criteria {
		ind, ok := indicators[c.Indicator]
		switch {
		case c.ID == "":
			return fmt.Errorf("%s:%d: a criterion has no id", r.File, c.line)
		case seen[c.ID]:
			return fmt.Errorf("%s: id appears twice", at(c))
		case !ok:
			return fmt.Errorf("%s: indicator %q is unknown; use one of %s", at(c), c.Indicator, strings.Join(indicatorNames(), ", "))
		case c.Label == "":
			return fmt.Errorf("%s: label is missing", at(c))
		case c.Weight <= 0:
			return fmt.Errorf("%s: weight %v must be positive", at(c), c.Weight)
		case c.Floor == c.Target:
			return fmt.Errorf("%s: floor and target are both %v; the score maps linearly between them", at(c), c.Floor)
		case c.Direction != "higher" && c.Direction != "lower":
			return fmt.Errorf("%s: direction %q: use higher or lower (which way is better)", at(c), c.Direction)
		case c.Direction == "higher" && c.Target < c.Floor:
			return fmt.Errorf("%s: direction higher but target %v is below floor %v", at(c), c.Target, c.Floor)
		case c.Direction == "lower" && c.Target > c.Floor:
			return fmt.Errorf("%s: direction lower but target %v is above floor %v", at(c), c.Target, c.Floor)
		case ind.Rate && (c.Floor < 0 || c.Floor > 1 || c.Target < 0 || c.Target > 1):
			return fmt.Errorf("%s: %s is a rate; floor and target must be between 0 and 1", at(c), c.Indicator)
		}
		seen[c.ID] = true
		total += c.Weight
	}
	if math.Abs(total-100) > 1e-9 {
		return fmt.Errorf("%s: the weights add up to %v, not 100", r.File, total)
	}
	return nil
}

func indicatorNames() []string {
	var out []string
	for n := range indicators {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Rubrics are the rubric files by year.
type Rubrics map[int]*Rubric

// LoadRubrics reads every *.yaml in dir ("" for the shipped ones); two
// files for one year are refused.
func LoadRubrics(dir string) (Rubrics, error) {
	var fsys fs.FS = shipped
	root := "rubrics"
	if dir != "" {
		fsys, root = os.DirFS(dir), "."
	}
	names, err := fs.Glob(fsys, filepath.Join(root, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no rubric files (*.yaml) in %s", dir)
	}
	out := Rubrics{}
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		label := n
		if dir != "" {
			label = filepath.Join(dir, n)
		}
		r, err := ParseRubric(b, label)
		if err != nil {
			return nil, err
		}
		if prev := out[r.Year]; prev != nil {
			return nil, fmt.Errorf("%s and %s are both for %d: keep one version per year", prev.File, r.File, r.Year)
		}
		out[r.Year] = r
	}
	return out, nil
}

// CurrentYear is the year that 考核 opens on at now: now's own, or, before
// that year's rubric is issued (early in a year, when the year before is
// the one being scored), the latest earlier year that has one.
func (rs Rubrics) CurrentYear(now time.Time) int {
	y := now.Year()
	if rs[y] != nil {
		return y
	}
	best := 0
	for ry := range rs {
		if ry < y && ry > best {
			best = ry
		}
	}
	if best == 0 {
		return y
	}
	return best
}

// For returns the rubric of a year.
func (rs Rubrics) For(year int) (*Rubric, error) {
	if r := rs[year]; r != nil {
		return r, nil
	}
	var years []string
	for y := range rs {
		years = append(years, fmt.Sprint(y))
	}
	sort.Strings(years)
	return nil, fmt.Errorf("no rubric for %d (have %s): add a rubric file with year: %d", year, strings.Join(years, ", "), year)
}
