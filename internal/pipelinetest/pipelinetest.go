// Package pipelinetest runs the whole pipeline for tests that need
// realistic indicator and alert tables: generated records go through the
// embedded Kafka broker and the real ingest into the warehouse, then the
// transforms backfill every day and the alert rules are replayed.
package pipelinetest

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"xfwatch/alerts"
	"xfwatch/broker"
	"xfwatch/gen"
	"xfwatch/ingest"
	"xfwatch/refdata"
	"xfwatch/transform"
	"xfwatch/warehouse"
	"xfwatch/warehouse/whtest"
)

// Result is what a run produced.
type Result struct {
	Truth       *gen.Truth
	First, Last time.Time // the generated days (Last is today, or Options.End)
	Engine      *alerts.Engine
}

// Options choose what runs.
type Options struct {
	Days   int
	Seed   uint64
	Alerts bool // replay the alert rules over the days too
	// End is the last generated day (zero: today). A test whose assertion
	// depends on the particular days generated fixes it, so that the
	// calendar does not change its data.
	End time.Time
}

// Run fills db (migrated) with o.Days of generated records ending today
// (or on o.End).
func Run(t testing.TB, db *warehouse.DB, o Options) Result {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	city, err := refdata.Default()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := refdata.Load(ctx, db, city); err != nil {
		t.Fatal(err)
	}
	topics := ingest.DefaultTopics
	b, err := broker.Start(broker.Config{Listen: "127.0.0.1:0", Topics: topics.All()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	end := o.End
	if end.IsZero() {
		end = time.Now()
	}
	records, truth, err := gen.Generate(gen.Config{Start: end.AddDate(0, 0, -o.Days), Days: o.Days, Seed: o.Seed, City: city})
	if err != nil {
		t.Fatal(err)
	}
	consumer, err := ingest.New(ingest.Config{Brokers: []string{b.Addr()}, Logger: quiet}, db, []byte("pipelinetest-key-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- consumer.Run(runCtx) }()
	if err := gen.Produce(ctx, []string{b.Addr()}, nil, topics, records); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for whtest.Count(t, db, "petitions")+whtest.Count(t, db, "hotline_orders")+whtest.Count(t, db, "events")+
		whtest.Count(t, db, "unit_reports") < uint64(len(records)-truth.Bad) {
		if time.Now().After(deadline) {
			t.Fatal("ingest did not store every record in 3 minutes")
		}
		time.Sleep(200 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	sched := &transform.Scheduler{Runner: &transform.Runner{DB: db, Config: transform.DefaultConfig(), Log: quiet}, Log: quiet}
	first, _ := time.Parse(time.DateOnly, truth.Start)
	today := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
	if _, err := sched.Backfill(ctx, first, today, false, nil); err != nil {
		t.Fatal(err)
	}
	res := Result{Truth: truth, First: first, Last: today}
	if o.Alerts {
		rules, err := alerts.DefaultConfig()
		if err != nil {
			t.Fatal(err)
		}
		res.Engine = &alerts.Engine{DB: db, Config: rules, Log: quiet}
		if _, err := res.Engine.Replay(ctx, first, today); err != nil {
			t.Fatal(err)
		}
	}
	return res
}
