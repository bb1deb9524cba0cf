package transform

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/warehouse"
	"xfwatch/warehouse/whtest"
)

func TestCheckDatabase(t *testing.T) {
	// ears_sums comes from the ears template function, not the SQL text
	for _, alias := range []string{"p", "o", "e", "lo", "hi", "ev", "P", "ears_sums"} {
		err := CheckDatabase(alias)
		if err == nil || !strings.Contains(err.Error(), "another name") {
			t.Errorf("database %q: got %v, want a refusal naming the fix", alias, err)
		}
	}
	for _, ok := range []string{"xfwatch", "default", "xf_prod", "t1_testcheckdatabase"} {
		if err := CheckDatabase(ok); err != nil {
			t.Errorf("database %q refused: %v", ok, err)
		}
	}
}

// A database named like an alias of the SQL is refused before the engine
// misreads `p`.units (it fails zero_report_compliance with "Compound
// identifier 'p.units' cannot be resolved").
func TestRunnerRefusesAliasDatabase(t *testing.T) {
	e := whtest.Embedded(t)
	ctx := context.Background()
	if _, err := e.Engine.Query(ctx, "CREATE DATABASE IF NOT EXISTS `p`", "TSV"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = e.Engine.Query(context.Background(), "DROP DATABASE IF EXISTS `p`", "TSV") })
	db := whtest.Open(t, e.DSN("p"))
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := warehouse.Migrate(ctx, db, quiet); err != nil {
		t.Fatal(err)
	}
	r := &Runner{DB: db, Config: DefaultConfig(), Log: quiet}
	_, err := r.Run(ctx, zeroReport, date("2026-10-01"), date("2026-10-31"), date("2026-10-31"), false)
	if err == nil || !strings.Contains(err.Error(), `warehouse database "p"`) {
		t.Fatalf("got %v, want the database name refused", err)
	}
	// Without the check the engine fails on the same query.
	sql, err := render(zeroReport.Name, zeroReport.SQL, r.Config.vars("p"))
	if err != nil {
		t.Fatal(err)
	}
	p := r.Config.params()
	p["from"], p["to"] = "2026-10-01", "2026-10-31"
	var n uint64
	if err := db.QueryRow(clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters(p))), "SELECT count() FROM ("+sql+")").Scan(&n); err == nil {
		t.Fatal("the engine read `p`.units with an alias p in scope; the check may be unnecessary")
	}
}
