// Package evaluate scores the warehouse's indicators against the ground
// truth the generator planted: did the detectors find the surges, how many
// alarms had no planted cause, how late were they, and do the flag tables
// find every planted repeat, skip-level, collective, 三访, escalation and
// missing 零报告. It reads indicator tables; it computes nothing itself.
package evaluate

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/gen"
	"xfwatch/warehouse"
)

// Found is how many planted cases of a kind an indicator table flags.
type Found struct {
	Kind           string
	Planted, Found int
}

// Report of one evaluation.
type Report struct {
	Surges, SurgesDetected int
	LagDays                []int // per detected surge: first alarm day minus first surge day
	FalseAlarms            int   // county × category alarm days outside planted surges
	FalseAlarmsMin3        int   // of them with at least 3 petitions that day
	Missed                 []gen.Surge
	DistrictMonths         float64 // 8 districts × months evaluated
	Cases                  []Found
}

// Recall is the share of planted surges detected.
func (r Report) Recall() float64 {
	if r.Surges == 0 {
		return 0
	}
	return float64(r.SurgesDetected) / float64(r.Surges)
}

// FalseAlarmsPerDistrictMonth is what the name says.
func (r Report) FalseAlarmsPerDistrictMonth() float64 {
	if r.DistrictMonths == 0 {
		return 0
	}
	return float64(r.FalseAlarms) / r.DistrictMonths
}

// MedianLag is the median detection lag in days (-1 if none detected).
func (r Report) MedianLag() int {
	if len(r.LagDays) == 0 {
		return -1
	}
	l := append([]int(nil), r.LagDays...)
	for i := range l {
		for j := i + 1; j < len(l); j++ {
			if l[j] < l[i] {
				l[i], l[j] = l[j], l[i]
			}
		}
	}
	return l[len(l)/2]
}

// surgeMarginDays: alarms this many days after a surge ends still belong to it.
const surgeMarginDays = 3

// Indicators evaluates the indicator tables of db against truth.
func Indicators(ctx context.Context, db *warehouse.DB, truth *gen.Truth) (Report, error) {
	var r Report
	start, err := time.Parse(time.DateOnly, truth.Start)
	if err != nil {
		return r, err
	}
	end := start.AddDate(0, 0, truth.Days-1)
	// Skip the first 14 days: the detectors' baselines are still filling.
	evalFrom := start.AddDate(0, 0, 14)
	var counties uint64
	if err := db.QueryRow(ctx, "SELECT count() FROM "+db.Table("regions")+" WHERE level = 'county'").Scan(&counties); err != nil {
		return r, err
	}
	r.DistrictMonths = float64(counties) * end.Sub(evalFrom).Hours() / 24 / 30.44
	type cell struct{ county, category string }
	surgeDays := map[cell][][2]time.Time{}
	for _, s := range truth.Surges {
		from, _ := time.Parse(time.DateOnly, s.From)
		to, _ := time.Parse(time.DateOnly, s.To)
		surgeDays[cell{s.County, s.Category}] = append(surgeDays[cell{s.County, s.Category}], [2]time.Time{from, to.AddDate(0, 0, surgeMarginDays)})
	}
	rows, err := db.Query(ctx, "SELECT day, region, category, n FROM "+db.Table("hotspot_daily")+
		" WHERE region_level = 'county' AND source = 'petitions' AND alarm AND day >= {from:Date} AND day <= {to:Date} ORDER BY day",
		clickhouse.Named("from", evalFrom.Format(time.DateOnly)), clickhouse.Named("to", end.Format(time.DateOnly)))
	if err != nil {
		return r, err
	}
	firstAlarm := map[int]time.Time{}
	for rows.Next() {
		var d time.Time
		var region, category string
		var n uint32
		if err := rows.Scan(&d, &region, &category, &n); err != nil {
			rows.Close()
			return r, err
		}
		planted := false
		for _, w := range surgeDays[cell{region, category}] {
			if !d.Before(w[0]) && !d.After(w[1]) {
				planted = true
			}
		}
		if !planted {
			r.FalseAlarms++
			if n >= 3 {
				r.FalseAlarmsMin3++
			}
		}
		for i, s := range truth.Surges {
			from, _ := time.Parse(time.DateOnly, s.From)
			to, _ := time.Parse(time.DateOnly, s.To)
			if s.County == region && s.Category == category && !d.Before(from) && !d.After(to) {
				if _, seen := firstAlarm[i]; !seen {
					firstAlarm[i] = d
				}
			}
		}
	}
	rows.Close()
	for i, s := range truth.Surges {
		from, _ := time.Parse(time.DateOnly, s.From)
		if from.Before(evalFrom) {
			continue
		}
		r.Surges++
		if d, ok := firstAlarm[i]; ok {
			r.SurgesDetected++
			r.LagDays = append(r.LagDays, int(d.Sub(from).Hours()/24))
		} else {
			r.Missed = append(r.Missed, s)
		}
	}

	count := func(kind, query string, ids []string) error {
		if len(ids) == 0 {
			return nil
		}
		var n uint64
		if err := db.QueryRow(ctx, query, clickhouse.Named("ids", arrayLiteral(ids))).Scan(&n); err != nil {
			return fmt.Errorf("%s: %w", kind, err)
		}
		r.Cases = append(r.Cases, Found{Kind: kind, Planted: len(ids), Found: int(n)})
		return nil
	}
	flags := db.Table("petition_flags")
	var repeats, escal, collective, beijing, province, city, climbers []string
	for _, p := range truth.Repeaters {
		if len(p.CaseIDs) > 1 {
			repeats = append(repeats, p.CaseIDs[1:]...)
		}
	}
	for _, p := range truth.Climbers {
		if len(p.CaseIDs) == 3 {
			climbers = append(climbers, p.CaseIDs[2])
		}
	}
	for _, e := range truth.Escalations {
		escal = append(escal, e.CaseID)
	}
	for _, c := range truth.Collective {
		collective = append(collective, c.CaseID)
		switch c.Level {
		case "province":
			province = append(province, c.CaseID)
		case "city":
			city = append(city, c.CaseID)
		}
	}
	beijing = truth.BeijingAbnormal
	steps := []struct {
		kind, query string
		ids         []string
	}{
		{"重复访 (repeat petitions after the first)", "SELECT countIf(is_repeat) FROM " + flags + " WHERE case_id IN {ids:Array(String)}", repeats},
		{"越级访 (straight to city or province)", "SELECT countIf(is_skip_level) FROM " + flags + " WHERE case_id IN {ids:Array(String)}", truth.SkipLevel},
		{"集体访 (collective)", "SELECT countIf(is_collective) FROM " + flags + " WHERE case_id IN {ids:Array(String)}", collective},
		{"进京非正常上访", "SELECT countIf(three_visit_type = 'beijing_abnormal') FROM " + flags + " WHERE case_id IN {ids:Array(String)}", beijing},
		{"赴省集体上访", "SELECT countIf(three_visit_type = 'province_collective') FROM " + flags + " WHERE case_id IN {ids:Array(String)}", province},
		{"来市集体上访", "SELECT countIf(three_visit_type = 'city_collective') FROM " + flags + " WHERE case_id IN {ids:Array(String)}", city},
		{"hotline → petition escalations", "SELECT countIf(is_escalation) FROM " + flags + " WHERE case_id IN {ids:Array(String)}", escal},
		{"climbers reaching the province", "SELECT count() FROM " + db.Table("key_history") + " WHERE highest_level = 'province' AND petitioner_key IN (SELECT petitioner_key FROM " + db.Table("petitions") + " WHERE case_id IN {ids:Array(String)})", climbers},
	}
	for _, s := range steps {
		if err := count(s.kind, s.query, s.ids); err != nil {
			return r, err
		}
	}
	var missing []string
	for _, m := range truth.MissingReports {
		missing = append(missing, m.Unit+"|"+m.Day)
	}
	if err := count("missing 零报告", "SELECT countIf(NOT filed) FROM "+db.Table("zero_report_compliance")+
		" WHERE concat(unit, '|', toString(day)) IN {ids:Array(String)}", missing); err != nil {
		return r, err
	}
	return r, nil
}

// arrayLiteral formats ids for an Array(String) query parameter.
func arrayLiteral(ids []string) string {
	b := []byte{'['}
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '\'')
		for _, c := range []byte(id) {
			if c == '\'' || c == '\\' {
				b = append(b, '\\')
			}
			b = append(b, c)
		}
		b = append(b, '\'')
	}
	return string(append(b, ']'))
}

// Print writes the report as a short table.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "  hotspot surges     %d planted, %d detected (recall %.0f%%), median lag %d days\n",
		r.Surges, r.SurgesDetected, 100*r.Recall(), r.MedianLag())
	fmt.Fprintf(w, "  EARS alarms without a planted surge: %.1f per district-month (%.1f with at least 3 petitions that day)\n",
		r.FalseAlarmsPerDistrictMonth(), float64(r.FalseAlarmsMin3)/max(r.DistrictMonths, 1e-9))
	for _, s := range r.Missed {
		fmt.Fprintf(w, "    missed: %s %s %s..%s (%d extra petitions)\n", s.County, s.Category, s.From, s.To, s.Extra)
	}
	for _, c := range r.Cases {
		fmt.Fprintf(w, "  %-40s %d of %d planted found\n", c.Kind, c.Found, c.Planted)
	}
}
