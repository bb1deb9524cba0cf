package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
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

// Ticks whose engine is killed at random points (in the middle of a
// transform's statements, between a month's drop and its attach, between
// an incremental run's delete and its insert), each after a whole tick,
// and the tick after the last restart leave every indicator table as a
// tick with no state gives: the full runs. Three kills in `make test`,
// twenty in `make faults`.
func TestTicksSurviveEngineKills(t *testing.T) {
	needEngine(t)
	kills := 3
	if os.Getenv("XFWATCH_FAULTS") == "full" {
		kills = 20
	}
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
	tickArgs := []string{"transform", "--clickhouse", dsn, "--once", "--no-alerts"}
	fill(1, today.AddDate(0, 0, -59), 60, 20_000)
	t0 := time.Now()
	mustRun(t, tickArgs...)
	took := time.Since(t0)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for i := range kills {
		// A whole tick, then one the kill stops: what the engine loads
		// again is what the ticks before the kill wrote.
		fill(uint64(100+i), today, 1, 200)
		mustRun(t, tickArgs...)
		fill(uint64(200+i), today, 1, 200)
		tick := exec.Command(os.Args[0], tickArgs...)
		tick.Env = append(os.Environ(), "XFWATCH_TEST_AS_BINARY=1")
		var out bytes.Buffer
		tick.Stdout, tick.Stderr = &out, &out
		if err := tick.Start(); err != nil {
			t.Fatal(err)
		}
		at := time.Duration(rng.Int64N(int64(took)))
		time.Sleep(at)
		if err := engine.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = engine.Wait()
		err := tick.Wait()
		t.Logf("kill %d after %v of a tick of about %v: the tick %v", i+1, at.Round(time.Millisecond), took.Round(time.Millisecond), err)
		engine = startWarehouse(t, addr, data)
	}
	mustRun(t, tickArgs...)
	snapshot := func() map[string]string {
		t.Helper()
		out := map[string]string{}
		for _, tr := range transform.All {
			code, body := httpQuery(t, addr, "SELECT count(), sum(cityHash64(*)) FROM xf."+tr.Name)
			if code != 200 {
				t.Fatalf("%s: %d %s", tr.Name, code, body)
			}
			out[tr.Name] = strings.TrimSpace(body)
		}
		return out
	}
	after := snapshot()
	// The same tick with no state: every transform runs in full.
	res, err := http.Post("http://"+addr+"/", "text/plain", strings.NewReader("TRUNCATE TABLE xf.transform_state"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("TRUNCATE TABLE xf.transform_state: %s", res.Status)
	}
	mustRun(t, tickArgs...)
	differ := 0
	for name, want := range snapshot() {
		if after[name] != want {
			differ++
			t.Errorf("%s after %d engine kills and a tick: rows and checksum %s; a tick with no state gives %s", name, kills, after[name], want)
		}
	}
	line := fmt.Sprintf("FAULTS %-22s indicator tables %d  differing from full runs %d  faults injected %3d  (%v)",
		"engine kill in ticks", len(after), differ, kills, time.Since(t0).Round(time.Second))
	t.Log(line)
	if os.Getenv("XFWATCH_FAULTS") == "full" {
		fmt.Println(line)
	}
}
