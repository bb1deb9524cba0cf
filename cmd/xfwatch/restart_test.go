package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"xfwatch/gen"
	"xfwatch/transform"
	"xfwatch/warehouse"
)

// An engine killed after ticks and started again on its data holds each
// indicator table's rows as they were, and the tick after it changes none
// of them: with REPLACE PARTITION, a restart brought back the parts it had
// replaced (every month swapped in during the last minutes, its rows twice
// or more; see transform/swap.go). The whole tables, exchanged or updated
// by DELETE and INSERT, are compared too.
func TestIndicatorsSurviveAnEngineKill(t *testing.T) {
	needEngine(t)
	addr, data := freeAddr(t), t.TempDir()
	engine := startWarehouse(t, addr, data)
	dsn := "http://" + addr + "/xf"
	mustRun(t, "migrate", "--clickhouse", dsn)
	mustRun(t, "refdata", "load", "--clickhouse", dsn)
	ctx := context.Background()
	db, err := warehouse.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loc, err := time.LoadLocation(transform.DefaultConfig().Timezone)
	if err != nil {
		t.Fatal(err)
	}
	local := time.Now().In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	fill := func(seed uint64, start time.Time, days int, n uint64) {
		t.Helper()
		if _, err := (gen.Bulk{DB: db, Start: start, Days: days, Seed: seed, Petitions: n, Orders: n}).Fill(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tick := func() { mustRun(t, "transform", "--clickhouse", dsn, "--once", "--no-alerts") }
	// Two ticks: the first computes the tick's months whole, the second,
	// after records of today, the days they change (risk_daily and
	// hotspot_daily copy the month's earlier days from the table).
	fill(1, today.AddDate(0, 0, -59), 60, 20_000)
	tick()
	fill(2, today, 1, 300)
	tick()

	// Each indicator table's rows and their checksum.
	snapshot := func() map[string]string {
		t.Helper()
		out := map[string]string{}
		for _, tr := range transform.All {
			name := tr.Name
			code, body := httpQuery(t, addr, "SELECT count(), sum(cityHash64(*)) FROM xf."+name)
			if code != 200 {
				t.Fatalf("%s: %d %s", name, code, body)
			}
			out[name] = strings.TrimSpace(body)
		}
		return out
	}
	before := snapshot()
	if before["risk_daily"] == "0\t0" || before["hotspot_daily"] == "0\t0" {
		t.Fatalf("the ticks wrote no daily rows: %v", before)
	}
	if err := engine.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = engine.Wait()
	startWarehouse(t, addr, data)
	after := snapshot()
	for name := range before {
		if after[name] != before[name] {
			t.Errorf("%s after the engine's restart: rows and checksum %s, before it %s", name, after[name], before[name])
		}
	}
	// The next tick (no new records) leaves them as they were.
	tick()
	for name, got := range snapshot() {
		if got != before[name] {
			t.Errorf("%s after a tick on the restarted engine: %s, before the restart %s", name, got, before[name])
		}
	}
}
