package gen

import (
	"encoding/json"
	"os"
)

// Truth lists what the generator planted, by record id, so that tests and
// reports can check what the indicators and alerts find.
type Truth struct {
	Start  string         `json:"start"`
	Days   int            `json:"days"`
	Seed   uint64         `json:"seed"`
	Counts map[string]int `json:"counts"` // records per topic, bad ones included
	Bad    int            `json:"bad_records"`

	Surges          []Surge      `json:"surges"`
	Repeaters       []Person     `json:"repeat_petitioners"`
	SkipLevel       []string     `json:"skip_level_cases"`
	Climbers        []Person     `json:"skip_level_climbers"`
	Collective      []Collective `json:"collective_petitions"`
	BeijingAbnormal []string     `json:"beijing_abnormal_cases"`
	Escalations     []Escalation `json:"hotline_escalations"`
	AtRisk          []Person     `json:"hotline_at_risk_callers"`
	MissingReports  []Missing    `json:"missing_zero_reports"`
	// Laggards are the units made to handle petitions worst (late, left
	// open, unsatisfied), with extra 三访 in the county: the bottom of 考核.
	Laggards []string `json:"laggard_units"`
}

// Surge is extra petitions in one county and category over some days.
type Surge struct {
	County   string   `json:"county"`
	Category string   `json:"category"`
	From     string   `json:"from"`
	To       string   `json:"to"`
	Extra    int      `json:"extra_petitions"`
	CaseIDs  []string `json:"case_ids"`
}

// Person is a planted petitioner or caller and the records they made.
type Person struct {
	Category string   `json:"category"`
	CaseIDs  []string `json:"case_ids,omitempty"`
	OrderIDs []string `json:"order_ids,omitempty"`
}

// Collective is a planted 集体访.
type Collective struct {
	CaseID    string `json:"case_id"`
	Headcount int    `json:"headcount"`
	Level     string `json:"receiving_level"`
	County    string `json:"county"`
	Day       string `json:"day"`
}

// Escalation is a caller whose complaints became a petition.
type Escalation struct {
	OrderIDs []string `json:"order_ids"`
	CaseID   string   `json:"case_id"`
	Category string   `json:"category"`
}

// Missing is a unit-day without the required report.
type Missing struct {
	Unit string `json:"unit"`
	Day  string `json:"day"`
}

// Write saves the truth as indented JSON.
func (t *Truth) Write(path string) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadTruth loads a truth file.
func ReadTruth(path string) (*Truth, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t Truth
	return &t, json.Unmarshal(b, &t)
}
