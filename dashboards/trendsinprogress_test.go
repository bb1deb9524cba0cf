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
// (环比) or 2025年12月1–8日 (同比). A count kept by month is not compared
// until its month has ended, unless it keeps its year-earlier days (三访's
// n_last_year, for 同比), nor today's count at the grain of a day; a rate
// is (a rate of part of a month is still a rate).
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
	r.Insert("three_visits_monthly", "month, county_code, type, n, n_last_year", // n_last_year: the same days a year earlier
		[]any{whtest.Date("2026-11-01"), "620102", "city_collective", 5, 0}, []any{whtest.Date("2026-12-01"), "620102", "city_collective", 2, 4})
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
			{"2026-12-01", 2, 5, math.NaN(), "2026-12-08", true}, // a month's count, the month not over: no change yet
		}},
		{"metric=three_visits&grain=month&compare=yoy&from=2026-12-01", []want{
			{"2026-12-01", 2, 4, -0.5, "2026-12-08", true}, // 同比 from the same days a year earlier its row keeps
		}},
		{"metric=three_visits&grain=year&compare=yoy&from=2026-01-01", []want{
			{"2026-01-01", 7, 4, 0.75, "2026-12-08", true}, // the year so far against the same days of the last
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
