package dashboards

import (
	"context"
	"testing"
	"time"

	"xfwatch/warehouse/whtest"
)

// The cockpit opens on the latest day the indicators hold, also when the
// engine's own clock (UTC) has not reached it yet: from 00:00 to 08:00 in
// the city the transforms have today's rows and the engine's today() is
// still yesterday.
func TestLatestDayIsTheLatestStored(t *testing.T) {
	r := whtest.NewRecords(t)
	utc := time.Now().UTC()
	today := time.Date(utc.Year(), utc.Month(), utc.Day(), 0, 0, 0, 0, time.UTC)
	ahead := today.AddDate(0, 0, 1) // the city's today, at 01:00 there
	cols := "day, region, region_level, county_code, category, risk"
	r.Insert("risk_daily", cols,
		[]any{today.AddDate(0, 0, -1), "620102", "county", "620102", "housing", 40},
		[]any{ahead, "620102", "county", "620102", "housing", 55})
	r.Flush()
	s := &Server{db: r.DB}
	got, err := s.readLatestDay(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(ahead) {
		t.Errorf("latest day %s, want %s", got.Format(time.DateOnly), ahead.Format(time.DateOnly))
	}
}

// The KPI cards show the last complete month: not the data's month before
// its last day, nor on its last day while that day is today.
func TestKPIMonthIsTheLastComplete(t *testing.T) {
	d := func(s string) time.Time { return whtest.Date(s) }
	for _, c := range []struct{ latest, today, want string }{
		{"2026-12-08", "2026-12-08", "2026-11-01"},
		{"2026-11-30", "2026-11-30", "2026-10-01"}, // the 30th, not over
		{"2026-11-30", "2026-12-01", "2026-11-01"}, // over: November is complete
		{"2026-11-30", "2026-12-03", "2026-11-01"}, // data that stopped on the 30th
		{"2026-11-15", "2026-12-03", "2026-10-01"},
	} {
		if got := kpiMonth(d(c.latest), d(c.today)); !got.Equal(d(c.want)) {
			t.Errorf("data to %s, today %s: the KPI month is %s, want %s", c.latest, c.today, got.Format("2006-01"), c.want[:7])
		}
	}
}
