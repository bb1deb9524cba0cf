package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"xfwatch/refdata"
	"xfwatch/warehouse"
)

func init() {
	register("demo", "everything embedded: warehouse, schema, the demo city; prints where to look", runDemo)
}

// demoConfig is the demo's flags.
type demoConfig struct {
	days, seed      int
	data, listen    string
	warehouseListen string
	once            bool
}

func runDemo(ctx context.Context, args []string) error {
	var c demoConfig
	fs := newFlags("demo", "demo [--days 90] [--seed 1] [--data DIR] [--listen 127.0.0.1:8080] [--once]")
	fs.IntVar(&c.days, "days", 90, "days of records to generate")
	fs.IntVar(&c.seed, "seed", 1, "generator seed: the same seed gives the same records")
	fs.StringVar(&c.data, "data", "demo-data", "directory for the demo's warehouse, keys and site")
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8080", "address of the web views")
	fs.StringVar(&c.warehouseListen, "warehouse-listen", "127.0.0.1:18123", "address of the embedded warehouse's HTTP interface")
	fs.BoolVar(&c.once, "once", false, "run through once and exit 0 instead of serving")
	if err := parse(fs, args); err != nil {
		return err
	}
	if c.days < 1 || c.days > 3660 {
		return usagef("--days %d: give 1 to 3660", c.days)
	}
	log := newLogger()
	if err := os.MkdirAll(c.data, 0o750); err != nil {
		return fmt.Errorf("--data %s: %w", c.data, err)
	}
	wh, err := warehouse.StartEmbedded(warehouse.EmbeddedConfig{
		DataDir: filepath.Join(c.data, "warehouse"), Listen: c.warehouseListen, Logger: log,
	})
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := wh.Close(closeCtx); err != nil {
			log.Warn("embedded warehouse did not stop cleanly", "err", err)
		}
	}()
	const database = "xfwatch"
	if err := warehouse.EnsureDatabase(ctx, wh.DSN(database), ""); err != nil {
		return err
	}
	db, err := warehouse.Open(ctx, wh.DSN(database))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := warehouse.Migrate(ctx, db, log); err != nil {
		return err
	}
	city, err := refdata.Default()
	if err != nil {
		return err
	}
	if _, err := refdata.Load(ctx, db, city); err != nil {
		return err
	}
	if err := printDemoSummary(ctx, db, wh, database); err != nil {
		return err
	}
	if c.once {
		return nil
	}
	fmt.Println("\nserving until Ctrl-C (the data stays in " + c.data + ")")
	<-ctx.Done()
	return nil
}

func printDemoSummary(ctx context.Context, db *warehouse.DB, wh *warehouse.Embedded, database string) error {
	var version string
	if err := db.QueryRow(ctx, "SELECT version()").Scan(&version); err != nil {
		return err
	}
	fmt.Printf("\nxfwatch demo — 兰州市\n\n")
	fmt.Printf("  warehouse  ClickHouse %s (embedded chDB) at http://%s, database %s, data in %s\n",
		version, wh.Addr, database, wh.Engine.Path())
	fmt.Printf("  schema     version %d\n", warehouse.SchemaVersion())
	rows, err := db.Query(ctx, `SELECT 'regions', count() FROM `+db.Table("regions")+`
		UNION ALL SELECT 'region_villages', count() FROM `+db.Table("region_villages")+`
		UNION ALL SELECT 'units', count() FROM `+db.Table("units")+`
		UNION ALL SELECT 'sensitive_periods', count() FROM `+db.Table("sensitive_periods")+`
		UNION ALL SELECT 'petitions', count() FROM `+db.Table("petitions")+`
		UNION ALL SELECT 'hotline_orders', count() FROM `+db.Table("hotline_orders")+`
		UNION ALL SELECT 'events', count() FROM `+db.Table("events")+`
		UNION ALL SELECT 'unit_reports', count() FROM `+db.Table("unit_reports"))
	if err != nil {
		return err
	}
	defer rows.Close()
	fmt.Println("\n  table                rows")
	for rows.Next() {
		var name string
		var n uint64
		if err := rows.Scan(&name, &n); err != nil {
			return err
		}
		fmt.Printf("  %-18s %6d\n", name, n)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	q := url.QueryEscape("SELECT code, name, population FROM regions WHERE level = 'county' ORDER BY code")
	fmt.Printf("\nquery it (any ClickHouse HTTP client works):\n")
	fmt.Printf("  curl 'http://%s/?database=%s&query=%s'\n", wh.Addr, database, q)
	fmt.Printf("  echo 'SELECT level, count() FROM regions GROUP BY level' | curl -s --data-binary @- 'http://%s/?database=%s'\n", wh.Addr, database)
	return nil
}
