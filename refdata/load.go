package refdata

import (
	"context"
	"fmt"

	"xfwatch/warehouse"
)

// Report says what Load changed.
type Report struct {
	Table   string
	Rows    int
	Changed bool
}

// Load replaces the warehouse's reference tables with s. Tables whose
// content is already s are left untouched.
func Load(ctx context.Context, db *warehouse.DB, s *Set) ([]Report, error) {
	countyOf := func(code string) string { return CountyOf(code) }
	var regions, villages, units, periods [][]any
	for _, r := range s.Regions {
		regions = append(regions, []any{r.Code, r.Name, r.Level, r.Parent, r.Population, countyOf(r.Code)})
	}
	for _, v := range s.Villages {
		villages = append(villages, []any{v.Code, v.Name, v.Township, countyOf(v.Code)})
	}
	for _, u := range s.Units {
		units = append(units, []any{u.Code, u.Name, u.Kind, u.Region, u.Level, u.Parent})
	}
	for _, p := range s.Periods {
		periods = append(periods, []any{p.Name, p.Start.Time, p.End.Time, p.ZeroReportRequired, p.ThresholdFactor, p.Region})
	}
	steps := []struct {
		table   string
		columns []string
		rows    [][]any
	}{
		{"regions", []string{"code", "name", "level", "parent", "population", "county_code"}, regions},
		{"region_villages", []string{"code", "name", "township_code", "county_code"}, villages},
		{"units", []string{"code", "name", "kind", "region", "level", "parent"}, units},
		{"sensitive_periods", []string{"name", "start", "end", "zero_report_required", "threshold_factor", "region"}, periods},
	}
	var out []Report
	for _, st := range steps {
		changed, err := db.Replace(ctx, st.table, st.columns, st.rows)
		if err != nil {
			return out, fmt.Errorf("refdata load: %w", err)
		}
		out = append(out, Report{Table: st.table, Rows: len(st.rows), Changed: changed})
	}
	return out, nil
}
