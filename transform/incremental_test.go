package transform

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"xfwatch/gen"
	"xfwatch/warehouse"
)

// TestIncrementalMatchesFull: after late petitions and events of every kind
// arrive, and as the as-of day moves by one day, the incremental runs of
// key_history and case_status leave exactly the rows a full recompute gives
// while recomputing only a small part of the table; forty days on (a dirty
// set too large to pay) the rows are right too.
func TestIncrementalMatchesFull(t *testing.T) {
	f := newFx(t)
	ctx := context.Background()
	defer func(m time.Duration) { WatermarkMargin = m }(WatermarkMargin)
	WatermarkMargin = 0 // the records below come after each run, not during it
	if _, err := (gen.Bulk{DB: f.DB, Start: date("2025-03-01"), Days: 400, Seed: 3, Petitions: 20000, Orders: 2000}).Fill(ctx); err != nil {
		t.Fatal(err)
	}
	incremental := []string{"daily_counts", "weekly_counts", "petition_flags", "key_history", "case_status", "hotline_status"}
	// The monthly petition_flags is backfilled over every month first.
	first, last := date("2025-03-01"), date("2026-04-30")
	backfill := func(name string, asOf time.Time) Result {
		t.Helper()
		tr, _ := ByName(name)
		res, err := f.runner.Run(ctx, tr, first, last, asOf, false)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	run := func(name string, asOf time.Time) Result {
		t.Helper()
		tr, _ := ByName(name)
		res, err := f.runner.RunIncremental(ctx, tr, asOf.AddDate(0, 0, -1), asOf, asOf)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// check compares the table with the transform's full SELECT as of asOf.
	check := func(name string, asOf time.Time) {
		t.Helper()
		// A row keeps the as-of day it was computed for; its values must
		// hold as of asOf all the same.
		cols, _ := quotedColumns(name)
		stored := strings.Replace(cols, "`as_of`", "toDate({as_of:Date}) AS `as_of`", 1)
		if missing, extra, _ := f.againstFull(name, asOf, first, last.AddDate(0, 0, 1), stored, ""); missing+extra > 0 {
			t.Errorf("%s as of %s: %d rows of the full recompute missing, %d rows not in it", name, day(asOf), missing, extra)
		}
	}
	asOf := date("2026-03-15")
	for _, name := range incremental {
		backfill(name, asOf)
		check(name, asOf)
	}
	total := map[string]uint64{}
	for _, name := range incremental {
		total[name] = f.TSVUint("SELECT count() FROM " + name)
	}

	// Late records: village cases escalated by a later city petition of the
	// same key and category, cases reopened, reviewed, concluded, evaluated,
	// and a petition dated in the past.
	f.exec(`INSERT INTO petitions (case_id, received_at, channel, receiving_level, origin_region, county_code, township_code,
			category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, subject, has_content, topic, partition, offset)
		SELECT concat(case_id, '-up'), received_at + INTERVAL 3 DAY, channel, 'city', origin_region, county_code, township_code,
			category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, subject, has_content, 'late', 0, rowNumberInAllBlocks()
		FROM petitions WHERE receiving_level IN ('village', 'township') AND received_at > '2026-02-01' AND received_at < '2026-03-10' ORDER BY case_id LIMIT 300`)
	f.exec(`INSERT INTO petitions (case_id, received_at, channel, receiving_level, origin_region, county_code, township_code,
			category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, subject, has_content, topic, partition, offset)
		SELECT concat(case_id, '-old'), received_at - INTERVAL 20 DAY, channel, 'province', origin_region, county_code, township_code,
			category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, subject, has_content, 'late', 1, rowNumberInAllBlocks()
		FROM petitions WHERE received_at > '2026-02-01' AND received_at < '2026-03-01' ORDER BY case_id DESC LIMIT 200`)
	f.exec(`INSERT INTO hotline_orders (order_id, received_at, channel, kind, region, county_code, township_code, category,
			caller_key, assigned_unit, topic, partition, offset)
		SELECT concat(order_id, '-late'), received_at - INTERVAL 2 DAY, channel, kind, region, county_code, township_code, category,
			caller_key, assigned_unit, 'late', 0, rowNumberInAllBlocks()
		FROM hotline_orders WHERE received_at > '2026-02-15' AND received_at < '2026-03-10' ORDER BY order_id LIMIT 100`)
	// Two complaints by petitioners shortly before their petitions: escalations.
	f.exec(`INSERT INTO hotline_orders (order_id, received_at, channel, kind, region, county_code, township_code, category,
			caller_key, assigned_unit, topic, partition, offset)
		SELECT concat(case_id, '-o', toString(k)), received_at - toIntervalDay(4 + k), 'phone', 'complaint', origin_region, county_code, township_code,
			category, petitioner_key, responsible_unit, 'late', 1, rowNumberInAllBlocks()
		FROM petitions ARRAY JOIN [1, 2] AS k
		WHERE received_at > '2026-02-20' AND received_at < '2026-03-10' ORDER BY case_id LIMIT 200`)
	for i, typ := range []string{"reopened", "review_requested", "concluded", "evaluated", "extended"} {
		f.exec(fmt.Sprintf(`INSERT INTO events (event_id, ref_kind, ref, at, type, unit, result, satisfaction, leader, has_note, topic, partition, offset)
			SELECT concat(event_id, '-%[1]s'), 'petition', ref, at + INTERVAL 1 DAY, '%[1]s', unit, result,
				if('%[1]s' = 'evaluated', 'unsatisfied', ''), leader, has_note, 'late', %[2]d, rowNumberInAllBlocks()
			FROM events WHERE ref_kind = 'petition' AND at < '2026-03-13' AND cityHash64(ref, %[2]d) %% 40 = 0 LIMIT 1 BY ref`, typ, i+2))
	}
	// Late events of earlier orders: a second conclusion with the other
	// result, and an evaluation, some past the 60 days after their month.
	f.exec(`INSERT INTO events (event_id, ref_kind, ref, at, type, unit, result, satisfaction, leader, has_note, topic, partition, offset)
		SELECT concat(event_id, '-late', toString(k)), 'hotline', ref, at + toIntervalDay(k * 40), ['concluded', 'evaluated'][k], unit,
			if(k = 1, if(result = 'resolved', 'unresolved', 'resolved'), ''), if(k = 2, 'basic', ''), leader, has_note, 'late', 12, rowNumberInAllBlocks()
		FROM events ARRAY JOIN [1, 2] AS k
		WHERE ref_kind = 'hotline' AND type = 'concluded' AND at < '2026-03-13' AND cityHash64(ref) % 20 = 0`)

	// Open cases on the clocks' edges the next day (2026-03-16), which that
	// day moves from their rows: accepted and extended, 91 days old then
	// (a backlog by age, not overdue), and rejected, past the accept
	// deadline (their clocks stopped).
	f.exec(`INSERT INTO petitions (case_id, received_at, channel, receiving_level, origin_region, county_code, township_code,
			category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, subject, has_content, topic, partition, offset)
		SELECT concat(case_id, '-edge', toString(k)), toDateTime64(if(k = 0, '2025-12-15 10:00:00', '2026-01-05 10:00:00'), 3, 'Asia/Shanghai'),
			channel, receiving_level, origin_region, county_code, township_code,
			category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, subject, has_content, 'late', 10, rowNumberInAllBlocks()
		FROM petitions ARRAY JOIN [0, 1] AS k WHERE received_at < '2026-03-01' ORDER BY case_id LIMIT 40`)
	f.exec(`INSERT INTO events (event_id, ref_kind, ref, at, type, unit, result, satisfaction, leader, has_note, topic, partition, offset)
		SELECT concat(case_id, '-', e.1), 'petition', case_id, toDateTime64(e.2, 3, 'Asia/Shanghai'), e.1, responsible_unit, '', '', '', false,
			'late', 11, rowNumberInAllBlocks()
		FROM petitions ARRAY JOIN if(endsWith(case_id, '-edge0'), [('accepted', '2025-12-20 09:00:00'), ('extended', '2026-01-10 09:00:00')],
			[('rejected', '2026-01-08 09:00:00')]) AS e
		WHERE case_id LIKE '%-edge_'`)

	for _, step := range []struct {
		asOf string
		what string
		full bool // the dirty set may exceed a third: a full run is fine
	}{{"2026-03-15", "late records, same day", false}, {"2026-03-16", "next day", false}, {"2026-04-25", "forty days on", true}} {
		asOf := date(step.asOf)
		for _, name := range incremental {
			res := run(name, asOf)
			check(name, asOf)
			if !step.full && (res.Rows > total[name]/3 || (step.asOf == "2026-03-15" && res.Rows == 0)) {
				t.Errorf("%s, %s: the run rewrote %d of %d rows; want an incremental run", name, step.what, res.Rows, total[name])
			}
			// A new day's run writes its deletes into the parts: counting
			// the rows stored without applying patches gives the rows left.
			if step.asOf == "2026-03-16" {
				f.waitMutations(name)
				if stored, left := f.TSV("SELECT count() FROM "+name+" SETTINGS apply_patch_parts = 0"), f.TSV("SELECT count() FROM "+name); stored != left {
					t.Errorf("%s, %s: %s rows stored, %s left: the deletes were not applied", name, step.what, strings.TrimSpace(stored), strings.TrimSpace(left))
				}
			}
			if cols, _ := warehouse.Columns(name); !slices.Contains(cols, "as_of") {
				continue
			}
			if got := f.TSV("SELECT max(as_of) FROM " + name); got != step.asOf+"\n" {
				t.Errorf("%s, %s: as_of values %q", name, step.what, got)
			}
		}
	}

	// case_status and petition_flags read their dirty petitions into a
	// scratch table, emptied after.
	f.expect("SELECT count() FROM case_status_scratch_picked", "0")
	f.expect("SELECT count() FROM petition_flags_scratch_month", "0")

	// A changed configuration, and a run that stopped half-way, make the
	// next run a full one.
	f.runner.Config.ReviewRequestDays++
	if res := run("case_status", asOf); res.Rows < f.TSVUint("SELECT count() FROM case_status") {
		t.Errorf("after a configuration change the run rewrote %d rows, want all", res.Rows)
	}
	if err := f.runner.saveState(ctx, "key_history", asOf, time.Now(), ""); err != nil {
		t.Fatal(err)
	}
	if res := run("key_history", asOf); res.Rows < f.TSVUint("SELECT count() FROM key_history") {
		t.Errorf("after an interrupted run the next rewrote %d rows, want all", res.Rows)
	}
	// A monthly table's interrupted run had deleted rows of June 2025 (far
	// outside the tick's months): the next tick's full run covers them too.
	f.exec(`DELETE FROM petition_flags WHERE toStartOfMonth(received_at) = '2025-06-01' AND cityHash64(case_id) % 2 = 0`)
	if err := f.runner.saveState(ctx, "petition_flags", asOf, time.Now(), interrupted+" 2025-06-03 2025-06-20"); err != nil {
		t.Fatal(err)
	}
	res := run("petition_flags", asOf)
	check("petition_flags", asOf)
	if len(res.Months) == 0 || !res.Months[0].Equal(date("2025-06-01")) {
		t.Errorf("after an interrupted run the tick rewrote the months %v, want June 2025 to April 2026", res.Months)
	}

	// Petitions stored after daily_counts' run and before weekly_counts'
	// are in weekly_counts' dirty weeks but not yet in daily_counts: the
	// next tick must recount their weeks (weekly_counts takes daily_counts'
	// watermark), or weekly_counts would miss them for good. (Last: the
	// petitions change every table.)
	end := date("2026-04-25") // the last step's day: the runs are incremental
	run("daily_counts", end)
	f.exec(`INSERT INTO petitions (case_id, received_at, channel, receiving_level, origin_region, county_code, township_code,
			category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, subject, has_content, topic, partition, offset)
		SELECT concat(case_id, '-between'), received_at - INTERVAL 9 DAY, channel, receiving_level, origin_region, county_code, township_code,
			category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, subject, has_content, 'late', 0, rowNumberInAllBlocks()
		FROM petitions WHERE received_at > '2026-03-01' ORDER BY case_id LIMIT 50`)
	run("weekly_counts", end)
	run("daily_counts", end)
	if res := run("weekly_counts", end); res.Rows == 0 || res.Rows > total["weekly_counts"]/3 {
		t.Errorf("the tick after records stored between daily_counts and weekly_counts rewrote %d of %d weekly rows; want the weeks of those records",
			res.Rows, total["weekly_counts"])
	}
	check("weekly_counts", end)
}

func (f *fx) exec(q string) {
	f.t.Helper()
	if err := f.DB.Exec(context.Background(), q); err != nil {
		f.t.Fatalf("%v\n%s", err, q)
	}
}

// waitMutations waits, up to a minute, for the mutations of table to end.
func (f *fx) waitMutations(table string) {
	f.t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		q := fmt.Sprintf("SELECT count() FROM system.mutations WHERE database = '%s' AND table = '%s' AND NOT is_done", f.DB.Database, table)
		if f.TSVUint(q) == 0 {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("the mutations of %s did not end in a minute", table)
		}
	}
}

func (f *fx) TSVUint(q string) uint64 {
	f.t.Helper()
	var n uint64
	fmt.Sscan(f.TSV(q), &n)
	return n
}
