package dashboards

import (
	"context"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"xfwatch/warehouse/whtest"
)

// The last period of a trend query is usually still in progress. A metric
// kept by day compares it with as many days of its comparison period, not
// with the whole of it: on the 8th of December, 12月1–8日 against 11月1–8日
// (环比) or 2025年12月1–8日 (同比). A metric kept by month does the same
// from its rows by day (repeat_monthly's and three_visits_monthly's from
// petition_flags). Today's count at the grain of a day is not compared
// until the day has ended; a rate is (a rate of part of a day is still a
// rate).
func TestPeriodInProgressComparedLikeForLike(t *testing.T) {
	r := whtest.NewRecords(t)
	day := func(s string, n int) []any {
		return []any{whtest.Date(s), "620102", "county", "620102", "housing", "petitions", n}
	}
	var rows [][]any
	for d := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC); d.Before(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
		rows = append(rows, day(d.Format(time.DateOnly), 1)) // December 2025: 1 a day
	}
	for d := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC); d.Before(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
		rows = append(rows, day(d.Format(time.DateOnly), 1)) // November 2026: 1 a day
	}
	for d := 1; d <= 8; d++ {
		rows = append(rows, day(time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), 2)) // 1–8 December: 2 a day
	}
	r.Insert("hotspot_daily", "day, region, region_level, county_code, category, source, n", rows...)
	r.Insert("three_visits_monthly", "month, county_code, type, n",
		[]any{whtest.Date("2026-11-01"), "620102", "city_collective", 5}, []any{whtest.Date("2026-12-01"), "620102", "city_collective", 2},
		[]any{whtest.Date("2025-06-01"), "620102", "city_collective", 3}, []any{whtest.Date("2025-11-01"), "620102", "city_collective", 1})
	r.Insert("repeat_monthly", "month, region, region_level, petitions, repeats, repeat_rate, collective",
		[]any{whtest.Date("2026-11-01"), "620102", "county", 12, 6, 0.5, 1}, []any{whtest.Date("2026-12-01"), "620102", "county", 8, 4, 0.5, 2})
	// petition_flags, which those two are summed from: the days they are
	// compared by (2026-11-01 to 08 and 2025-12-01 to 08) and days after.
	flag := func(id, at string, repeat, collective bool, threeVisit string) []any {
		return []any{id, whtest.At(at), "620102", "620102001", "housing", "city", 1, repeat, collective, threeVisit}
	}
	r.Insert("petition_flags", "case_id, received_at, county_code, township_code, category, receiving_level, headcount, is_repeat, is_collective, three_visit_type",
		flag("X1", "2025-12-02 10:00", false, true, "city_collective"), flag("X2", "2025-12-05 10:00", false, true, "city_collective"),
		flag("X3", "2025-12-08 23:00", false, true, "city_collective"), flag("X4", "2025-12-08 09:00", false, true, "city_collective"),
		flag("X5", "2025-12-20 10:00", false, true, "city_collective"), // after the 8th: not compared with
		flag("X6", "2025-11-15 10:00", false, true, "city_collective"), // November 2025, a whole month: its monthly row counts
		flag("N1", "2026-11-02 10:00", true, true, "city_collective"), flag("N2", "2026-11-05 10:00", true, false, ""),
		flag("N3", "2026-11-08 22:00", false, true, "city_collective"), flag("N4", "2026-11-08 08:00", false, true, "city_collective"),
		flag("N5", "2026-11-09 10:00", true, true, "city_collective"), flag("N6", "2026-11-28 10:00", true, true, "city_collective"))
	r.Insert("unit_monthly", "month, unit, conclude_due, concluded_on_time",
		[]any{whtest.Date("2026-11-01"), "G620102", 10, 5}, []any{whtest.Date("2026-12-01"), "G620102", 4, 3})
	r.Flush()
	s := &Server{db: r.DB, ref: &refCache{db: r.DB}, cache: newCache(), cfg: Config{CacheTTL: -1}}
	leader := &User{Name: "leader", Role: "leader"}
	latest := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)

	type want struct {
		period      string
		value, base float64
		change      float64 // NaN: none
		through     string
		partial     bool
	}
	for _, c := range []struct {
		query string
		rows  []want
	}{
		{"metric=petitions&grain=month&compare=mom&from=2026-11-01&to=2026-12-31", []want{
			{"2026-11-01", 30, 0, math.NaN(), "2026-11-30", false}, // October has no rows: a zero, no change
			{"2026-12-01", 16, 8, 1, "2026-12-08", true},           // against 1–8 November, not all 30 days
		}},
		{"metric=petitions&grain=month&compare=yoy&from=2026-12-01", []want{
			{"2026-12-01", 16, 8, 1, "2026-12-08", true}, // against 1–8 December 2025
		}},
		{"metric=petitions&grain=month&compare=mom&from=2026-11-01&to=2026-11-30", []want{
			{"2026-11-01", 30, 0, math.NaN(), "2026-11-30", false}, // a query ending with its month: nothing in progress
		}},
		{"metric=three_visits&grain=month&compare=mom&from=2026-11-01", []want{
			{"2026-11-01", 5, 0, math.NaN(), "2026-11-30", false},
			{"2026-12-01", 2, 3, -1.0 / 3, "2026-12-08", true}, // against 1–8 November's 三访, by day, not November's 5
		}},
		{"metric=three_visits&grain=month&compare=yoy&from=2026-12-01", []want{
			{"2026-12-01", 2, 4, -0.5, "2026-12-08", true}, // against 1–8 December 2025's
		}},
		{"metric=repeats&grain=month&compare=mom&from=2026-12-01", []want{
			{"2026-12-01", 4, 2, 1, "2026-12-08", true}, // 2 repeats on 1–8 November, not November's 6
		}},
		{"metric=collective&grain=month&compare=mom&from=2026-12-01", []want{
			{"2026-12-01", 2, 3, -1.0 / 3, "2026-12-08", true},
		}},
		{"metric=repeat_rate&grain=month&compare=mom&from=2026-12-01", []want{
			{"2026-12-01", 0.5, 0.5, 0, "2026-12-08", true}, // 2 of 4 petitions on 1–8 November
		}},
		{"metric=three_visits&grain=year&compare=yoy&from=2026-01-01", []want{
			{"2026-01-01", 7, 8, -0.125, "2026-12-08", true}, // the year so far against the same days of the last: its whole months' rows and 1–8 December's
		}},
		{"metric=petitions&grain=day&compare=mom&from=2026-12-07", []want{
			{"2026-12-07", 2, 2, 0, "2026-12-07", false},
			{"2026-12-08", 2, 2, math.NaN(), "2026-12-08", true}, // today, not over: no part of a day to compare with
		}},
		{"metric=conclude_on_time_rate&grain=month&compare=mom&from=2026-11-01", []want{
			{"2026-11-01", 0.5, 0, math.NaN(), "2026-11-30", false},
			{"2026-12-01", 0.75, 0.5, 0.5, "2026-12-08", true}, // a rate is compared
		}},
	} {
		q, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatal(err)
		}
		tq, err := ParseTrendQuery(q, latest)
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		tq.Today = latest // the 8th, in the city, not over
		res, err := s.Trends(context.Background(), leader, tq)
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if len(res.Rows) != len(c.rows) {
			t.Fatalf("%s: %d rows, want %d", c.query, len(res.Rows), len(c.rows))
		}
		// Every export says each row's last day with data.
		for _, format := range []string{"csv", "json"} {
			b, _, err := EncodeTrends(res, format)
			if err != nil {
				t.Fatal(err)
			}
			last := c.rows[len(c.rows)-1].through
			if !strings.Contains(string(b), last) || format == "csv" && !strings.Contains(string(b), "数据截至") {
				t.Errorf("%s as %s does not say its data end on %s:\n%s", c.query, format, last, b)
			}
		}
		for i, w := range c.rows {
			g := res.Rows[i]
			val := func(p *float64) float64 {
				if p == nil {
					return math.NaN()
				}
				return *p
			}
			eq := func(a, b float64) bool { return math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) < 1e-9 }
			if g.Period.Format(time.DateOnly) != w.period || !eq(val(g.Value), w.value) || (w.base != 0 || g.Base != nil) && !eq(val(g.Base), w.base) ||
				!eq(val(g.Change), w.change) || g.Through.Format(time.DateOnly) != w.through || g.InProgress != w.partial {
				t.Errorf("%s row %d: period %s value %v base %v change %v through %s partial %v; want %+v", c.query, i,
					g.Period.Format(time.DateOnly), val(g.Value), val(g.Base), val(g.Change), g.Through.Format(time.DateOnly), g.InProgress, w)
			}
		}
	}
}
