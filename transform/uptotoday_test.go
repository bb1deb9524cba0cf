package transform

import (
	"context"
	"testing"
	"time"

	"xfwatch/gen"
)

// TestNoRowsForDaysToCome: the transforms that give a row for every day
// (or week) of their window, records or not, stop at today. A backfill on
// the 20th leaves no row after it, and up to it the rows a full SELECT of
// those days gives; the next day's tick, with no record stored since, adds
// that day (the trailing ones recompute it alone) and a Monday's tick its
// week; a month still to come is cleared, not filled with empty days.
func TestNoRowsForDaysToCome(t *testing.T) {
	f := newFx(t)
	ctx := context.Background()
	defer func(m time.Duration) { WatermarkMargin = m }(WatermarkMargin)
	WatermarkMargin = 0 // the records below come before each run, not during it
	if _, err := (gen.Bulk{DB: f.DB, Start: date("2026-02-01"), Days: 48, Seed: 7, Petitions: 6000, Orders: 2000}).Fill(ctx); err != nil {
		t.Fatal(err)
	}
	// a sensitive period from the 16th to the 25th: reports due every day
	f.exec(`INSERT INTO sensitive_periods (name, start, end, zero_report_required, region) VALUES ('test period', '2026-03-16', '2026-03-25', true, '')`)
	var now time.Time
	f.runner.Now = func() time.Time { return now }
	at := func(s string) { now = date(s).Add(2 * time.Hour) } // 10:00 in Shanghai
	chain := []string{"daily_counts", "weekly_counts", "petition_flags", "hotspot_weekly", "risk_daily", "hotspot_daily", "zero_report_compliance"}
	grid := map[string]string{"hotspot_weekly": "week", "risk_daily": "day", "hotspot_daily": "day", "zero_report_compliance": "day"}
	// check: the latest day (week) each grid table holds is want's, and
	// its March up to then is what a full SELECT of those days gives.
	check := func(asOf time.Time, want map[string]string) {
		t.Helper()
		for name, col := range grid {
			if got := f.tsv(`SELECT max(` + col + `) FROM ` + name); got != want[name]+"\n" {
				t.Errorf("%s as of %s: the latest %s is %q, want %s", name, day(asOf), col, got, want[name])
			}
			to := date(want[name]).AddDate(0, 0, 1)
			missing, extra, rows := f.againstFull(name, asOf, date("2026-03-01"), to, "", " WHERE "+col+" >= {from:Date} AND "+col+" < {to:Date}")
			if missing+extra > 0 || rows == 0 {
				t.Errorf("%s as of %s: %d rows of the full run missing, %d rows not in it (%d rows)", name, day(asOf), missing, extra, rows)
			}
		}
	}

	at("2026-03-20")
	for _, name := range chain {
		tr, _ := ByName(name)
		if _, err := f.runner.Run(ctx, tr, date("2026-02-01"), date("2026-03-20"), date("2026-03-20"), false); err != nil {
			t.Fatal(err)
		}
	}
	check(date("2026-03-20"), map[string]string{"hotspot_weekly": "2026-03-16", "risk_daily": "2026-03-20",
		"hotspot_daily": "2026-03-20", "zero_report_compliance": "2026-03-20"})

	// The next day, nothing stored since: the trailing transforms compute
	// that day alone.
	at("2026-03-21")
	res := f.tick(chain, date("2026-03-21"))
	check(date("2026-03-21"), map[string]string{"hotspot_weekly": "2026-03-16", "risk_daily": "2026-03-21",
		"hotspot_daily": "2026-03-21", "zero_report_compliance": "2026-03-21"})
	for _, name := range []string{"risk_daily", "hotspot_daily"} {
		if len(res[name].SQL) == 0 {
			t.Errorf("%s on a new day with nothing stored: no run", name)
		}
		if got := f.copied(name, res[name]); got != "2026-03-21" {
			t.Errorf("%s on a new day with nothing stored: computed from %q, want 2026-03-21", name, got)
		}
	}
	// The same day again, nothing stored: nothing to recompute.
	res = f.tick(chain, date("2026-03-21"))
	for _, name := range []string{"risk_daily", "hotspot_daily"} {
		if len(res[name].SQL) > 0 {
			t.Errorf("%s with nothing stored since on the same day: ran %d statements", name, len(res[name].SQL))
		}
	}
	// Monday the 23rd: its week.
	at("2026-03-23")
	f.tick(chain, date("2026-03-23"))
	check(date("2026-03-23"), map[string]string{"hotspot_weekly": "2026-03-23", "risk_daily": "2026-03-23",
		"hotspot_daily": "2026-03-23", "zero_report_compliance": "2026-03-23"})

	// A run over March and April on the 23rd: April, still to come, is
	// cleared (a stray row of it stands in for a month filled before).
	f.exec(`INSERT INTO hotspot_daily (day, region, region_level, county_code, category, source, n) VALUES ('2026-04-05', '320102', 'county', '320102', 'other', 'petitions', 1)`)
	tr, _ := ByName("hotspot_daily")
	if _, err := f.runner.Run(ctx, tr, date("2026-03-01"), date("2026-04-30"), date("2026-03-23"), false); err != nil {
		t.Fatal(err)
	}
	if got := f.tsv(`SELECT count() FROM hotspot_daily WHERE day >= '2026-03-24'`); got != "0\n" {
		t.Errorf("hotspot_daily after a run over March and April on the 23rd: %q rows after it, want none", got)
	}
	check(date("2026-03-23"), map[string]string{"hotspot_weekly": "2026-03-23", "risk_daily": "2026-03-23",
		"hotspot_daily": "2026-03-23", "zero_report_compliance": "2026-03-23"})
}
