package warehouse

import (
	"testing"
	"time"
)

// CityDay is the date in the city: 17:00 UTC on the 30th of November is
// 01:00 on the 1st of December there.
func TestCityDay(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 30, 15, 59, 0, 0, time.UTC), "2026-11-30"},
		{time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC), "2026-12-01"},
		{time.Date(2026, 12, 1, 1, 0, 0, 0, time.FixedZone("CST", 8*3600)), "2026-12-01"},
	} {
		got := CityDay(c.at)
		if got.Format(time.DateOnly) != c.want || got.Location() != time.UTC || got.Hour() != 0 {
			t.Errorf("CityDay(%s) = %s, want %s at midnight UTC", c.at, got, c.want)
		}
	}
}
