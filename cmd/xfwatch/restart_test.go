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

// ticking is a warehouse process with the schema, the reference data and
// 60 days of records up to today (20,000 petitions and as many orders) in
// database xf, and one tick run on it.
type ticking struct {
	t      *testing.T
	addr   string
	data   string
	engine *exec.Cmd
	db     *warehouse.DB
	today  time.Time
	took   time.Duration // the first tick's wall time
}

func newTicking(t *testing.T) *ticking {
	t.Helper()
	needEngine(t)
	w := &ticking{t: t, addr: freeAddr(t), data: t.TempDir()}
	w.engine = startWarehouse(t, w.addr, w.data)
	mustRun(t, "migrate", "--clickhouse", w.dsn())
	mustRun(t, "refdata", "load", "--clickhouse", w.dsn())
	db, err := warehouse.Open(context.Background(), w.dsn())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.db = db
	loc, err := time.LoadLocation(transform.DefaultConfig().Timezone)
	if err != nil {
		t.Fatal(err)
	}
	local := time.Now().In(loc)
	w.today = time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	w.fill(1, w.today.AddDate(0, 0, -59), 60, 20_000)
	t0 := time.Now()
	w.tick()
	w.took = time.Since(t0)
	return w
}

func (w *ticking) dsn() string { return "http://" + w.addr + "/xf" }

// tickArgs run one tick of every transform, no alerts.
func (w *ticking) tickArgs() []string {
	return []string{"transform", "--clickhouse", w.dsn(), "--once", "--no-alerts"}
}

func (w *ticking) tick() { w.t.Helper(); mustRun(w.t, w.tickArgs()...) }

// fill adds n petitions and n orders over days from start, seeded seed.
func (w *ticking) fill(seed uint64, start time.Time, days int, n uint64) {
	w.t.Helper()
	if _, err := (gen.Bulk{DB: w.db, Start: start, Days: days, Seed: seed, Petitions: n, Orders: n}).Fill(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

// kill stops the engine with SIGKILL; restart starts another on its data.
func (w *ticking) kill() {
	w.t.Helper()
	if err := w.engine.Process.Kill(); err != nil {
		w.t.Fatal(err)
	}
	_ = w.engine.Wait()
}

func (w *ticking) restart() { w.t.Helper(); w.engine = startWarehouse(w.t, w.addr, w.data) }

// snapshot is each indicator table's row count and checksum.
func (w *ticking) snapshot() map[string]string {
	w.t.Helper()
	out := map[string]string{}
	for _, tr := range transform.All {
		code, body := httpQuery(w.t, w.addr, "SELECT count(), sum(cityHash64(*)) FROM xf."+tr.Name)
		if code != 200 {
			w.t.Fatalf("%s: %d %s", tr.Name, code, body)
		}
		out[tr.Name] = strings.TrimSpace(body)
	}
	return out
}

// An engine killed after ticks and started again on its data holds each
// indicator table's rows as they were, and the tick after it changes none
// of them: with REPLACE PARTITION, a restart brought back the parts it had
// replaced (every month swapped in during the last minutes, its rows twice
// or more; see transform/swap.go). The whole tables, exchanged or updated
// by DELETE and INSERT, are compared too.
func TestIndicatorsSurviveAnEngineKill(t *testing.T) {
	w := newTicking(t)
	// A second tick, after records of today: risk_daily and hotspot_daily
	// compute the days they change and copy the month's earlier days from
	// the table.
	w.fill(2, w.today, 1, 300)
	w.tick()
	before := w.snapshot()
	if before["risk_daily"] == "0\t0" || before["hotspot_daily"] == "0\t0" {
		t.Fatalf("the ticks wrote no daily rows: %v", before)
	}
	w.kill()
	w.restart()
	after := w.snapshot()
	for name := range before {
		if after[name] != before[name] {
			t.Errorf("%s after the engine's restart: rows and checksum %s, before it %s", name, after[name], before[name])
		}
	}
	// The next tick (no new records) leaves them as they were.
	w.tick()
	for name, got := range w.snapshot() {
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
	kills := 3
	if os.Getenv("XFWATCH_FAULTS") == "full" {
		kills = 20
	}
	t0 := time.Now()
	w := newTicking(t)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for i := range kills {
		// A whole tick, then one the kill stops: what the engine loads
		// again is what the ticks before the kill wrote.
		w.fill(uint64(100+i), w.today, 1, 200)
		w.tick()
		w.fill(uint64(200+i), w.today, 1, 200)
		tick := exec.Command(os.Args[0], w.tickArgs()...)
		tick.Env = append(os.Environ(), "XFWATCH_TEST_AS_BINARY=1")
		var out bytes.Buffer
		tick.Stdout, tick.Stderr = &out, &out
		if err := tick.Start(); err != nil {
			t.Fatal(err)
		}
		at := time.Duration(rng.Int64N(int64(w.took)))
		time.Sleep(at)
		w.kill()
		err := tick.Wait()
		t.Logf("kill %d after %v of a tick of about %v: the tick %v", i+1, at.Round(time.Millisecond), w.took.Round(time.Millisecond), err)
		w.restart()
	}
	w.tick()
	after := w.snapshot()
	// The same tick with no state: every transform runs in full.
	res, err := http.Post("http://"+w.addr+"/", "text/plain", strings.NewReader("TRUNCATE TABLE xf.transform_state"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("TRUNCATE TABLE xf.transform_state: %s", res.Status)
	}
	w.tick()
	differ := 0
	for name, want := range w.snapshot() {
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
