package transform

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"xfwatch/gen"
)

// TestTrailingMatchesFull: ticks of risk_daily and hotspot_daily after
// late petitions and orders (a burst in one cell that moves its week's
// CUSUM), with nothing stored, into a new month, after a record dated in
// the month before and after the regions change leave exactly the rows a full run of the months gives, and
// recompute only the days from the Monday of the earliest record stored.
func TestTrailingMatchesFull(t *testing.T) {
	f := newFx(t)
	ctx := context.Background()
	defer func(m time.Duration) { WatermarkMargin = m }(WatermarkMargin)
	WatermarkMargin = 0 // the records below come after each run, not during it
	if _, err := (gen.Bulk{DB: f.DB, Start: date("2025-12-01"), Days: 120, Seed: 5, Petitions: 8000, Orders: 2000}).Fill(ctx); err != nil {
		t.Fatal(err)
	}
	chain := []string{"daily_counts", "weekly_counts", "petition_flags", "hotspot_weekly", "risk_daily", "hotspot_daily"}
	trailing := []string{"risk_daily", "hotspot_daily"}
	for _, name := range chain {
		tr, _ := ByName(name)
		if _, err := f.runner.Run(ctx, tr, date("2025-12-01"), date("2026-03-20"), date("2026-03-20"), false); err != nil {
			t.Fatal(err)
		}
	}
	// check compares a month of the table with the full SELECT of it.
	check := func(name string, month time.Time, asOf time.Time) {
		t.Helper()
		missing, extra, rows := f.againstFull(name, asOf, month, month.AddDate(0, 1, 0), "", " WHERE day >= {from:Date} AND day < {to:Date}")
		if missing+extra > 0 || rows == 0 {
			t.Errorf("%s, %s: %d rows of the full run missing, %d rows not in it (%d rows)", name, month.Format("2006-01"), missing, extra, rows)
		}
	}
	march, april := date("2026-03-01"), date("2026-04-01")

	// A burst of petitions in one cell on Wednesday 2026-03-11, orders on
	// 03-18 and petitions on the day: the rows from Monday 03-09 on change.
	f.exec(`INSERT INTO petitions (case_id, received_at, channel, receiving_level, origin_region, county_code, township_code,
			category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, subject, has_content, topic, partition, offset)
		SELECT concat(case_id, '-burst', toString(k)), toDateTime64('2026-03-11 10:00:00', 3, 'Asia/Shanghai') + toIntervalMinute(k), channel,
			receiving_level, origin_region, county_code, township_code, category, 6, abnormal, concat(petitioner_key, toString(k)), key_kind,
			responsible_unit, subject, has_content, 'late', 0, rowNumberInAllBlocks()
		FROM (SELECT * FROM petitions WHERE township_code != '' ORDER BY case_id LIMIT 1) ARRAY JOIN range(40) AS k`)
	f.exec(`INSERT INTO hotline_orders (order_id, received_at, channel, kind, region, county_code, township_code, category,
			caller_key, assigned_unit, topic, partition, offset)
		SELECT concat(order_id, '-late'), toDateTime64('2026-03-18 09:00:00', 3, 'Asia/Shanghai'), channel, kind, region, county_code, township_code,
			category, caller_key, assigned_unit, 'late', 0, rowNumberInAllBlocks()
		FROM hotline_orders ORDER BY order_id LIMIT 30`)
	f.exec(`INSERT INTO petitions (case_id, received_at, channel, receiving_level, origin_region, county_code, township_code,
			category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, subject, has_content, topic, partition, offset)
		SELECT concat(case_id, '-today'), toDateTime64('2026-03-20 08:00:00', 3, 'Asia/Shanghai'), channel, receiving_level, origin_region,
			county_code, township_code, category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, subject, has_content,
			'late', 1, rowNumberInAllBlocks()
		FROM petitions ORDER BY case_id DESC LIMIT 20`)
	res := f.tick(chain, date("2026-03-20"))
	for _, name := range trailing {
		check(name, march, date("2026-03-20"))
		if got := f.copied(name, res[name]); got != "2026-03-09" {
			t.Errorf("%s after records dated from 2026-03-11: computed from %q, want 2026-03-09", name, got)
		}
	}

	// Nothing stored since: nothing to recompute.
	res = f.tick(chain, date("2026-03-20"))
	for _, name := range trailing {
		check(name, march, date("2026-03-20"))
		if len(res[name].SQL) > 0 {
			t.Errorf("%s with nothing stored since: ran %d statements", name, len(res[name].SQL))
		}
	}

	// A new month with nothing stored: April whole, March left as it is.
	res = f.tick(chain, date("2026-04-01"))
	for _, name := range trailing {
		check(name, march, date("2026-04-01"))
		check(name, april, date("2026-04-01"))
		if got, months := f.copied(name, res[name]), res[name].Months; got != "" || !slices.Equal(months, []time.Time{april}) {
			t.Errorf("%s on a new month: computed from %q, months %v; want April whole", name, got, months)
		}
	}

	// late inserts ten petitions received at when, their IDs suffixed id.
	late := func(id, when string, part int) {
		f.exec(`INSERT INTO petitions (case_id, received_at, channel, receiving_level, origin_region, county_code, township_code,
			category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, subject, has_content, topic, partition, offset)
		SELECT concat(case_id, '` + id + `'), toDateTime64('` + when + `', 3, 'Asia/Shanghai'), channel, receiving_level, origin_region,
			county_code, township_code, category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, subject, has_content,
			'late', ` + fmt.Sprint(part) + `, rowNumberInAllBlocks()
		FROM petitions ORDER BY case_id LIMIT 10`)
	}
	// Then petitions dated 03-31: from its Monday, 03-30, to April's end.
	late("-eom", "2026-03-31 23:00:00", 2)
	res = f.tick(chain, date("2026-04-01"))
	for _, name := range trailing {
		check(name, march, date("2026-04-01"))
		check(name, april, date("2026-04-01"))
		if got, months := f.copied(name, res[name]), res[name].Months; got != "2026-03-30" || !slices.Equal(months, []time.Time{march, april}) {
			t.Errorf("%s after a petition dated 2026-03-31: computed from %q, months %v; want 2026-03-30, March and April", name, got, months)
		}
	}

	// A run stopped between dropping March and attaching its successor (the
	// attach refused: the staging twin has a column the table lacks) leaves
	// March empty; the next tick must not copy its first days from there.
	// The run stopped is a trailing one (after a petition dated 03-25), then
	// a full one (a tick as of a day before the recorded one).
	stopped := func(asOf time.Time) {
		t.Helper()
		f.exec(`ALTER TABLE risk_daily_staging ADD COLUMN stray UInt8`)
		for _, name := range chain {
			_, err := f.tickOne(name, asOf)
			if name == "risk_daily" {
				if err == nil {
					t.Fatal("risk_daily attached a month from a staging twin of another structure")
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := f.tsv(`SELECT count() FROM risk_daily WHERE day >= '2026-03-01' AND day < '2026-04-01'`); n != "0\n" {
			t.Fatalf("the stopped run left %q rows of March; the test needs the month dropped", n)
		}
		f.exec(`ALTER TABLE risk_daily_staging DROP COLUMN stray`)
		late("-after"+day(asOf), "2026-03-26 09:00:00", 4)
		res := f.tick(chain, date("2026-04-01"))
		for _, name := range trailing {
			check(name, march, date("2026-04-01"))
			check(name, april, date("2026-04-01"))
		}
		if got := f.copied("risk_daily", res["risk_daily"]); got != "" {
			t.Errorf("risk_daily after a run as of %s stopped between a drop and an attach: copied the days before %s from the table", day(asOf), got)
		}
	}
	late("-stopped", "2026-03-25 09:00:00", 3)
	stopped(date("2026-04-01"))
	stopped(date("2026-03-31"))

	// The regions' populations change: a full run of the months.
	f.exec(`ALTER TABLE regions UPDATE population = population + 5000 WHERE level = 'county' SETTINGS mutations_sync = 2`)
	res = f.tick(chain, date("2026-04-01"))
	for _, name := range trailing {
		check(name, march, date("2026-04-01"))
		check(name, april, date("2026-04-01"))
		if got := f.copied(name, res[name]); got != "" || len(res[name].Months) != 2 {
			t.Errorf("%s after the regions changed: computed from %q, months %v; want a full run of March and April", name, got, res[name].Months)
		}
	}
}
