package alerts

import (
	"context"
	"math"
	"time"

	"xfwatch/warehouse"
)

// factors are the sensitive periods' threshold factors. A threshold is
// scaled by the factor in force on the day that matters: the record's day
// for event rules (a collective petition filed during 两会 is judged by
// 两会's factor even after it ends), the evaluation day for state rules.
type factors struct {
	periods []period
}

type period struct {
	start, end time.Time // calendar days, inclusive (UTC midnight)
	factor     float64
	region     string // "" for the whole city
}

func loadFactors(ctx context.Context, db *warehouse.DB) (*factors, error) {
	rows, err := db.Query(ctx, "SELECT start, end, threshold_factor, region FROM "+db.Table("sensitive_periods"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	f := &factors{}
	for rows.Next() {
		var p period
		if err := rows.Scan(&p.start, &p.end, &p.factor, &p.region); err != nil {
			return nil, err
		}
		f.periods = append(f.periods, p)
	}
	return f, rows.Err()
}

// at is the factor for a county on a day: the lowest in force there, 1 when
// no period is.
func (f *factors) at(county string, t time.Time) float64 {
	day := warehouse.CityDay(t)
	x := 1.0
	for _, p := range f.periods {
		if (p.region == "" || p.region == county) && !day.Before(p.start) && !day.After(p.end) {
			x = math.Min(x, p.factor)
		}
	}
	return x
}

// lowest is the lowest factor in force anywhere between from and to (for
// pre-filtering in SQL).
func (f *factors) lowest(from, to time.Time) float64 {
	x := 1.0
	for _, p := range f.periods {
		if !p.end.Before(from) && !p.start.After(to) {
			x = math.Min(x, p.factor)
		}
	}
	return x
}
