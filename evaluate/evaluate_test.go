package evaluate

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"xfwatch/alerts"
	"xfwatch/internal/pipelinetest"
	"xfwatch/warehouse/whtest"
)

func TestMain(m *testing.M) { os.Exit(whtest.Main(m)) }

// TestIndicatorsFindWhatWasPlanted runs the whole pipeline on 120 generated
// days (Kafka, ingest, transforms) and scores the indicators against the
// generator's ground truth.
func TestIndicatorsFindWhatWasPlanted(t *testing.T) {
	ctx := context.Background()
	db := whtest.DB(t)
	run := pipelinetest.Run(t, db, pipelinetest.Options{Days: 120, Seed: 5})
	truth, first, today := run.Truth, run.First, run.Last
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
	engine := &alerts.Engine{DB: db, Config: rules, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
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
