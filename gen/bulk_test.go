package gen_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"xfwatch/gen"
	"xfwatch/warehouse/whtest"
)

func TestMain(m *testing.M) { os.Exit(whtest.Main(m)) }

// TestBulkHandlesOrders: bulk hotline orders get their handling events as
// generated ones do (contacted, concluded, evaluated), so that the
// benchmarks' hotline indicators read events, not empty joins; bulk IDs
// are numbered by the day received.
func TestBulkHandlesOrders(t *testing.T) {
	r := whtest.NewRecords(t)
	ctx := context.Background()
	start := time.Now().UTC().AddDate(0, 0, -60).Truncate(24 * time.Hour)
	out, err := (gen.Bulk{DB: r.DB, Start: start, Days: 30, Seed: 5, Petitions: 500, Orders: 1000}).Fill(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q := func(sql string) uint64 { t.Helper(); return whtest.Uint(t, r.DB, sql) }
	ev, orders := r.DB.Table("events"), r.DB.Table("hotline_orders")
	// Orders at least 30 days old are all contacted and concluded.
	for _, typ := range []string{"contacted", "concluded"} {
		if n := q("SELECT count() FROM " + ev + " WHERE ref_kind = 'hotline' AND type = '" + typ + "'"); n != 1000 {
			t.Errorf("%d orders %s, want 1000", n, typ)
		}
	}
	if n := q("SELECT count() FROM " + ev + " WHERE ref_kind = 'hotline' AND type = 'evaluated'"); n < 740 || n > 860 {
		t.Errorf("%d of 1000 orders evaluated, want about 800", n)
	}
	if n := q("SELECT countIf(result = 'unresolved') FROM " + ev + " WHERE ref_kind = 'hotline' AND type = 'concluded'"); n < 140 || n > 260 {
		t.Errorf("%d of 1000 orders unresolved, want about 200", n)
	}
	if n := q("SELECT count() FROM " + ev + " WHERE ref_kind = 'hotline' AND type = 'evaluated' AND satisfaction NOT IN ('satisfied', 'basic', 'unsatisfied')"); n != 0 {
		t.Errorf("%d evaluations without a satisfaction level", n)
	}
	// In order, after the order, contacted within three days.
	if n := q(`SELECT count() FROM (
		SELECT ref, minIf(at, type = 'contacted') AS c, minIf(at, type = 'concluded') AS d, maxIf(at, type = 'evaluated') AS e
		FROM ` + ev + ` WHERE ref_kind = 'hotline' GROUP BY ref) AS h
		INNER JOIN ` + orders + ` AS o ON o.order_id = h.ref
		WHERE NOT (c > o.received_at AND c <= o.received_at + INTERVAL 72 HOUR AND d > c AND (e = 0 OR e > d))`); n != 0 {
		t.Errorf("%d orders with events out of order", n)
	}
	// Every event is one record of the bulk topic: ids and offsets unique.
	if n := q("SELECT toUInt64(count() * 2 - uniqExact(event_id) - uniqExact(partition, offset)) FROM " + ev); n != 0 {
		t.Errorf("%d duplicate event ids or offsets", n)
	}
	// IDs numbered by the day received, as registries number them.
	if n := q("SELECT count() FROM "+r.DB.Table("petitions")+" WHERE NOT startsWith(case_id, concat('XF', toString(toYYYYMMDD(received_at)), '-5-'))") +
		q("SELECT count() FROM "+orders+" WHERE NOT startsWith(order_id, concat('RX', toString(toYYYYMMDD(received_at)), '-5-'))"); n != 0 {
		t.Errorf("%d IDs not of the day received and the seed", n)
	}
	if n := q("SELECT count() FROM " + ev); out["events"] != n {
		t.Errorf("Fill reported %d events, the table holds %d", out["events"], n)
	}
}

// TestBulkFollowUps: records filled with their handling stopped at Until get
// the rest from FollowUps, window by window, each event once: afterwards
// the table holds what a fill to now would.
func TestBulkFollowUps(t *testing.T) {
	r := whtest.NewRecords(t)
	ctx := context.Background()
	now := time.Now()
	start := now.UTC().AddDate(0, 0, -120).Truncate(24 * time.Hour)
	until := now.AddDate(0, 0, -50)
	b := gen.Bulk{DB: r.DB, Start: start, Days: 60, Seed: 5, Petitions: 800, Orders: 800, Until: until}
	if _, err := b.Fill(ctx); err != nil {
		t.Fatal(err)
	}
	q := func(sql string) uint64 { t.Helper(); return whtest.Uint(t, r.DB, sql) }
	ev := r.DB.Table("events")
	if n := q(fmt.Sprintf("SELECT count() FROM %s WHERE at > fromUnixTimestamp64Milli(%d)", ev, until.UnixMilli())); n != 0 {
		t.Fatalf("%d events dated after Until", n)
	}
	stored := q("SELECT count() FROM " + ev)
	var added uint64
	for _, w := range [][2]time.Time{{until, until.AddDate(0, 0, 20)}, {until.AddDate(0, 0, 20), now}} {
		n, err := b.FollowUps(ctx, w[0], w[1])
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("no follow-up events between %s and %s", w[0].Format(time.DateOnly), w[1].Format(time.DateOnly))
		}
		added += n
	}
	if got := q("SELECT count() FROM " + ev); got != stored+added {
		t.Errorf("%d events, want %d stored and %d added", got, stored, added)
	}
	// Every petition was accepted within 20 days and every order concluded
	// within 12: all of them are, once followed up to now.
	for kind, typ := range map[string]string{"petition": "accepted", "hotline": "concluded"} {
		if n := q("SELECT uniqExact(ref) FROM " + ev + " WHERE ref_kind = '" + kind + "' AND type = '" + typ + "'"); n != 800 {
			t.Errorf("%d of 800 %s records %s", n, kind, typ)
		}
	}
	if n := q("SELECT toUInt64(count() * 2 - uniqExact(event_id) - uniqExact(partition, offset)) FROM " + ev); n != 0 {
		t.Errorf("%d duplicate event ids or offsets", n)
	}
}
