package evaluate

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"xfwatch/alerts"
	"xfwatch/broker"
	"xfwatch/gen"
	"xfwatch/ingest"
	"xfwatch/refdata"
	"xfwatch/transform"
	"xfwatch/warehouse/whtest"
)

func TestMain(m *testing.M) { os.Exit(whtest.Main(m)) }

// TestIndicatorsFindWhatWasPlanted runs the whole pipeline on 120 generated
// days (Kafka, ingest, transforms) and scores the indicators against the
// generator's ground truth.
func TestIndicatorsFindWhatWasPlanted(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	db := whtest.DB(t)
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
	end := time.Now()
	records, truth, err := gen.Generate(gen.Config{Start: end.AddDate(0, 0, -120), Days: 120, Seed: 5, City: city})
	if err != nil {
		t.Fatal(err)
	}
	consumer, err := ingest.New(ingest.Config{Brokers: []string{b.Addr()}, Logger: quiet}, db, []byte("evaluate-test-key-0123456789abcdef"))
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
	for whtest.Count(t, db, "petitions")+whtest.Count(t, db, "hotline_orders")+whtest.Count(t, db, "events")+whtest.Count(t, db, "unit_reports") < uint64(len(records)) {
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
	rep, err := Indicators(ctx, db, truth)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	rep.Print(&out)
	t.Logf("120 days, seed 5:\n%s", out.String())
	for _, c := range rep.Cases {
		if c.Found != c.Planted {
			t.Errorf("%s: %d of %d planted found", c.Kind, c.Found, c.Planted)
		}
	}
	if rep.Surges < 3 || rep.Recall() < 0.75 {
		t.Errorf("surges: %d of %d detected", rep.SurgesDetected, rep.Surges)
	}
	if rep.MedianLag() > 2 {
		t.Errorf("median detection lag %d days", rep.MedianLag())
	}

	// The alert rules over the same days, replayed day by day.
	rules, err := alerts.DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	engine := &alerts.Engine{DB: db, Config: rules, Log: quiet}
	if _, err := engine.Replay(ctx, first, today); err != nil {
		t.Fatal(err)
	}
	arep, err := Alerts(ctx, db, truth)
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	arep.Print(&out)
	t.Logf("alerts:\n%s", out.String())
	for _, m := range arep.Rules {
		if m.Planted > 0 && m.Raised != m.Planted {
			t.Errorf("%s: %d of %d planted events raised an alert", m.Rule, m.Raised, m.Planted)
		}
	}
}
