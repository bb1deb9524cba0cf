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
