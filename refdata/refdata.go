package refdata

import (
	"embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed data/*.csv data/*.yaml
var defaults embed.FS

// City is the city the deployment serves.
type City struct {
	Code     string `yaml:"code"`
	Name     string `yaml:"name"`
	Province string `yaml:"province"`
	Map      string `yaml:"map"`
}

// Region is a county or township.
type Region struct {
	Code       string `yaml:"code"`
	Name       string `yaml:"name"`
	Level      string `yaml:"level"` // county | township
	Parent     string `yaml:"parent"`
	Population uint32 `yaml:"population"`
}

// Village is a 村/社区 code; valid as an origin region.
type Village struct {
	Code     string `yaml:"code"`
	Name     string `yaml:"name"`
	Township string `yaml:"township"`
}

// Unit is a 责任单位.
type Unit struct {
	Code   string `yaml:"code"`
	Name   string `yaml:"name"`
	Kind   string `yaml:"kind"` // government | department | petition_bureau | hotline
	Region string `yaml:"region"`
	Level  string `yaml:"level"` // city | county | township
	Parent string `yaml:"parent"`
}

// Period is a sensitive period (敏感时期).
type Period struct {
	Name               string  `yaml:"name"`
	Start              Date    `yaml:"start"`
	End                Date    `yaml:"end"`
	ZeroReportRequired bool    `yaml:"zero_report_required"`
	ThresholdFactor    float64 `yaml:"threshold_factor"`
	Region             string  `yaml:"region"`
}

// Date is a calendar day.
type Date struct{ time.Time }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return Date{t}, nil
}

// UnmarshalYAML reads YYYY-MM-DD.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDate(n.Value)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func (d Date) String() string { return d.Format(time.DateOnly) }

// Contains reports whether day t (any time on it) falls in the period.
func (p Period) Contains(day time.Time) bool {
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	return !d.Before(p.Start.Time) && !d.After(p.End.Time)
}

// Set is a complete reference data set.
type Set struct {
	City     City
	Regions  []Region
	Villages []Village
	Units    []Unit
	Periods  []Period
}

// Files names the sources of a Set; empty fields take the defaults.
type Files struct {
	City, Regions, Villages, Units, Periods string
}

// Read loads a Set from files (CSV or YAML, by extension), defaults for any
// not given, and validates it.
func Read(f Files) (*Set, error) {
	var s Set
	if err := readOne(f.City, "data/city.yaml", func(r io.Reader, ext string) error {
		return yaml.NewDecoder(r).Decode(&s.City)
	}); err != nil {
		return nil, err
	}
	steps := []struct {
		given, def string
		into       any
	}{
		{f.Regions, "data/regions.csv", &s.Regions},
		{f.Villages, "data/villages.csv", &s.Villages},
		{f.Units, "data/units.csv", &s.Units},
		{f.Periods, "data/sensitive_periods.yaml", &s.Periods},
	}
	for _, st := range steps {
		if err := readOne(st.given, st.def, func(r io.Reader, ext string) error {
			if ext == ".csv" {
				return decodeCSV(r, st.into)
			}
			return yaml.NewDecoder(r).Decode(st.into)
		}); err != nil {
			return nil, err
		}
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Default is the shipped demo city.
func Default() (*Set, error) { return Read(Files{}) }

func readOne(given, def string, decode func(io.Reader, string) error) error {
	var (
		r    io.ReadCloser
		err  error
		name = given
	)
	if given == "" {
		name = "(built-in) " + def
		r, err = defaults.Open(def)
	} else {
		r, err = os.Open(given)
	}
	if err != nil {
		return fmt.Errorf("cannot open %s: %w", name, err)
	}
	defer r.Close()
	ext := strings.ToLower(filepath.Ext(strings.TrimPrefix(name, "(built-in) ")))
	if ext != ".csv" && ext != ".yaml" && ext != ".yml" {
		return fmt.Errorf("%s: use a .csv, .yaml or .yml file", name)
	}
	if err := decode(r, ext); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

var (
	countyCode   = regexp.MustCompile(`^\d{6}$`)
	townshipCode = regexp.MustCompile(`^\d{9}$`)
	villageCode  = regexp.MustCompile(`^\d{12}$`)
	unitCode     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
)

// Validate checks codes, references and ranges, naming the row at fault.
func (s *Set) Validate() error {
	if !countyCode.MatchString(s.City.Code) || s.City.Name == "" {
		return fmt.Errorf("city: code must be 6 digits and name set, got %q %q", s.City.Code, s.City.Name)
	}
	regions := map[string]Region{}
	for i, r := range s.Regions {
		at := fmt.Sprintf("regions row %d (%s)", i+1, r.Code)
		switch r.Level {
		case "county":
			if !countyCode.MatchString(r.Code) || r.Parent != s.City.Code {
				return fmt.Errorf("%s: a county has a 6-digit code and the city %s as parent", at, s.City.Code)
			}
		case "township":
			if !townshipCode.MatchString(r.Code) || !strings.HasPrefix(r.Code, r.Parent) {
				return fmt.Errorf("%s: a township has a 9-digit code starting with its county's", at)
			}
		default:
			return fmt.Errorf("%s: level %q must be county or township", at, r.Level)
		}
		if r.Name == "" {
			return fmt.Errorf("%s: name is empty", at)
		}
		if _, dup := regions[r.Code]; dup {
			return fmt.Errorf("%s: code appears twice", at)
		}
		regions[r.Code] = r
	}
	for i, r := range s.Regions {
		if r.Level == "township" {
			if p, ok := regions[r.Parent]; !ok || p.Level != "county" {
				return fmt.Errorf("regions row %d (%s): parent %s is not a county in the file", i+1, r.Code, r.Parent)
			}
		}
	}
	seen := map[string]bool{}
	for i, v := range s.Villages {
		if !villageCode.MatchString(v.Code) || !strings.HasPrefix(v.Code, v.Township) {
			return fmt.Errorf("villages row %d (%s): a village has a 12-digit code starting with its township's", i+1, v.Code)
		}
		if t, ok := regions[v.Township]; !ok || t.Level != "township" {
			return fmt.Errorf("villages row %d (%s): township %s is not in the regions file", i+1, v.Code, v.Township)
		}
		if seen[v.Code] {
			return fmt.Errorf("villages row %d (%s): code appears twice", i+1, v.Code)
		}
		seen[v.Code] = true
	}
	units := map[string]bool{}
	for i, u := range s.Units {
		at := fmt.Sprintf("units row %d (%s)", i+1, u.Code)
		if !unitCode.MatchString(u.Code) {
			return fmt.Errorf("%s: code must be 1-32 of [A-Za-z0-9_-]", at)
		}
		if units[u.Code] {
			return fmt.Errorf("%s: code appears twice", at)
		}
		units[u.Code] = true
		switch u.Kind {
		case "government", "department", "petition_bureau", "hotline":
		default:
			return fmt.Errorf("%s: kind %q must be government, department, petition_bureau or hotline", at, u.Kind)
		}
		switch u.Level {
		case "city", "county", "township":
		default:
			return fmt.Errorf("%s: level %q must be city, county or township", at, u.Level)
		}
		if _, ok := regions[u.Region]; !ok && u.Region != s.City.Code {
			return fmt.Errorf("%s: region %s is neither the city nor in the regions file", at, u.Region)
		}
	}
	for i, p := range s.Periods {
		at := fmt.Sprintf("sensitive periods row %d (%s)", i+1, p.Name)
		if p.Name == "" || p.Start.IsZero() || p.End.IsZero() {
			return fmt.Errorf("%s: name, start and end are required", at)
		}
		if p.End.Before(p.Start.Time) {
			return fmt.Errorf("%s: end %s is before start %s", at, p.End, p.Start)
		}
		if p.ThresholdFactor <= 0 || p.ThresholdFactor > 10 {
			return fmt.Errorf("%s: threshold_factor %v must be in (0, 10]", at, p.ThresholdFactor)
		}
		if _, ok := regions[p.Region]; p.Region != "" && !ok {
			return fmt.Errorf("%s: region %s is not in the regions file", at, p.Region)
		}
	}
	return nil
}

// CountyOf returns the 6-digit county of a region code.
func CountyOf(code string) string {
	if len(code) < 6 {
		return ""
	}
	return code[:6]
}
