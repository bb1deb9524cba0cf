package transform

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCatchUpCountsMissedTicks(t *testing.T) {
	base := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
	f := func(now time.Duration, wantTick time.Duration, wantMissed int) {
		t.Helper()
		tick, missed := catchUp(base.Add(now), base, time.Minute)
		if !tick.Equal(base.Add(wantTick)) || missed != wantMissed {
			t.Errorf("now +%v: tick +%v missed %d, want +%v and %d", now, tick.Sub(base), missed, wantTick, wantMissed)
		}
	}
	f(0, 0, 0)
	f(59*time.Second, 0, 0)
	f(time.Minute, time.Minute, 1)
	f(3*time.Minute+10*time.Second, 3*time.Minute, 3)
}

func TestTickWindowRunsAndDryRun(t *testing.T) {
	f := newFx(t)
	f.petition("W1", "2026-06-30 20:00", "county", "620102", "housing", "kw", 1, false, "G620102")
	f.petition("W2", "2026-07-01 00:00:20", "county", "620102", "housing", "kw", 1, false, "G620102")
	f.flush()
	cst := time.FixedZone("CST", 8*3600)
	s := &Scheduler{Runner: f.runner, Every: time.Minute, Delay: 30 * time.Second, RecomputeDays: 2,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	// The tick at 00:00:10 evaluates 23:59:40 the day before: June only.
	tick := time.Date(2026, 7, 1, 0, 0, 10, 0, cst)

	rep, err := s.Tick(context.Background(), tick, 2, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.tsv("SELECT (SELECT count() FROM petition_flags) + (SELECT count() FROM transform_runs)"); got != "0\n" {
		t.Fatalf("a dry run wrote rows: %s", got)
	}
	var sawInsert bool
	for _, r := range rep.Results {
		for _, q := range r.SQL {
			sawInsert = sawInsert || strings.HasPrefix(q, "INSERT INTO")
		}
	}
	if !sawInsert || len(rep.Results) != len(All) {
		t.Fatalf("dry run reported %d transforms, SQL shown: %v", len(rep.Results), sawInsert)
	}

	if _, err := s.Tick(context.Background(), tick, 2, false); err != nil {
		t.Fatal(err)
	}
	f.expect("SELECT case_id FROM petition_flags", "W1")
	f.expect(`SELECT count(), uniqExact(transform), min(window_from), max(window_to), any(missed_runs), countIf(error != ''),
		toString(any(scheduled_for)) FROM transform_runs`,
		"14\t14\t2026-06-01\t2026-06-30\t2\t0\t2026-07-01 00:00:10.000")
}

// TestRunLanes: two lanes run every transform once, each after the ones
// whose tables it reads, never two incremental ones at once, and both lanes
// busy at some point; an error stops new starts.
func TestRunLanes(t *testing.T) {
	order := All
	reads := dependencies(order)
	if got := strings.Join(reads["risk_daily"], ","); got != "daily_counts,petition_flags,hotspot_weekly" {
		t.Fatalf("risk_daily reads %q", got)
	}
	var mu sync.Mutex
	ended := map[string]bool{}
	running, inc, most := 0, 0, 0
	// daily_counts, the first, ends only once a second transform has
	// started beside it (or after 10 s): the lanes are then both busy
	// whatever the machine's scheduling.
	second := make(chan struct{})
	run := func(tr Transform) error {
		mu.Lock()
		for _, d := range reads[tr.Name] {
			if !ended[d] {
				t.Errorf("%s started before %s ended", tr.Name, d)
			}
		}
		running++
		if most = max(most, running); running == 2 {
			select {
			case <-second:
			default:
				close(second)
			}
		}
		if tr.Incremental != nil {
			if inc++; inc > 1 {
				t.Errorf("%s ran beside another incremental transform", tr.Name)
			}
		}
		mu.Unlock()
		if tr.Name == "daily_counts" {
			select {
			case <-second:
			case <-time.After(10 * time.Second):
			}
		}
		time.Sleep(time.Millisecond)
		mu.Lock()
		running--
		if tr.Incremental != nil {
			inc--
		}
		ended[tr.Name] = true
		mu.Unlock()
		return nil
	}
	if err := runLanes(order, 2, run); err != nil {
		t.Fatal(err)
	}
	if len(ended) != len(order) || most != 2 {
		t.Fatalf("%d of %d transforms ran, at most %d at once", len(ended), len(order), most)
	}
	ended = map[string]bool{}
	second = make(chan struct{})
	close(second)
	err := runLanes(order, 2, func(tr Transform) error {
		if tr.Name == "case_status" {
			return errors.New("boom")
		}
		return run(tr)
	})
	if err == nil || err.Error() != "boom" || ended["unit_monthly"] {
		t.Fatalf("after case_status failed: %v, unit_monthly ran: %v", err, ended["unit_monthly"])
	}
}
