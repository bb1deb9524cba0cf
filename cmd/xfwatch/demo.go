package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"xfwatch/alerts"
	"xfwatch/broker"
	"xfwatch/evaluate"
	"xfwatch/gen"
	"xfwatch/ingest"
	"xfwatch/refdata"
	"xfwatch/transform"
	"xfwatch/warehouse"
)

func init() {
	register("demo", "everything embedded: broker, warehouse, generator, ingest; prints where to look", runDemo)
}

// demoConfig is the demo's flags.
type demoConfig struct {
	days, seed      int
	data, listen    string
	warehouseListen string
	brokerListen    string
	once            bool
}

const demoDatabase = "xfwatch"

func runDemo(ctx context.Context, args []string) error {
	var c demoConfig
	fs := newFlags("demo", "demo [--days 90] [--seed 1] [--data DIR] [--listen 127.0.0.1:8080] [--once]")
	fs.IntVar(&c.days, "days", 90, "days of records to generate")
	fs.IntVar(&c.seed, "seed", 1, "generator seed: the same seed gives the same records")
	fs.StringVar(&c.data, "data", "demo-data", "directory for the demo's warehouse, key and ground truth")
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8080", "address of the web views")
	fs.StringVar(&c.warehouseListen, "warehouse-listen", "127.0.0.1:18123", "address of the embedded warehouse's HTTP interface")
	fs.StringVar(&c.brokerListen, "broker-listen", "127.0.0.1:19092", "address of the embedded Kafka broker")
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
	key, err := ingest.EnsureKeyFile(filepath.Join(c.data, "pseudonym.key"))
	if err != nil {
		return fmt.Errorf("cannot create the demo's pseudonymisation key: %w", err)
	}

	wh, err := warehouse.StartEmbedded(warehouse.EmbeddedConfig{
		DataDir: filepath.Join(c.data, "warehouse"), Listen: c.warehouseListen, Logger: log,
	})
	if err != nil {
		return fmt.Errorf("--warehouse-listen: %w", err)
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := wh.Close(closeCtx); err != nil {
			log.Warn("embedded warehouse did not stop cleanly", "err", err)
		}
	}()
	topics := ingest.DefaultTopics
	kafka, err := broker.Start(broker.Config{Listen: c.brokerListen, Topics: topics.All()})
	if err != nil {
		return fmt.Errorf("--broker-listen: %w", err)
	}
	defer kafka.Close()

	db, err := demoWarehouse(ctx, wh, log)
	if err != nil {
		return err
	}
	defer db.Close()

	truthPath := filepath.Join(c.data, "truth.json")
	cfg, err := genConfig(c.days, demoStart(truthPath, c.days, uint64(c.seed)), uint64(c.seed), 1, 0)
	if err != nil {
		return err
	}
	records, truth, err := gen.Generate(cfg)
	if err != nil {
		return err
	}
	if err := truth.Write(truthPath); err != nil {
		return err
	}
	log.Info("generated", "records", len(records), "from", truth.Start, "days", truth.Days)

	rules, err := alerts.DefaultConfig()
	if err != nil {
		return err
	}
	engine := &alerts.Engine{DB: db, Config: rules, Log: log}
	notifier := &alerts.Notifier{DB: db, Config: rules, Log: log, Poll: 500 * time.Millisecond}
	engine.Wake = notifier.Wake
	consumer, err := ingest.New(ingest.Config{Brokers: []string{kafka.Addr()}, Topics: topics, Logger: log,
		AfterInsert: engine.IngestHook()}, db, key)
	if err != nil {
		return err
	}
	ingestCtx, stopIngest := context.WithCancel(ctx)
	defer stopIngest()
	ingestDone := make(chan error, 1)
	go func() { ingestDone <- consumer.Run(ingestCtx) }()

	started := time.Now()
	if err := gen.Produce(ctx, []string{kafka.Addr()}, nil, topics, records); err != nil {
		return err
	}
	if err := waitStored(ctx, db, truth, ingestDone); err != nil {
		return err
	}
	log.Info("everything generated is stored", "records", len(records), "elapsed", time.Since(started).Round(time.Millisecond))
	if err := printDemoSummary(ctx, db, wh, kafka.Addr(), truth); err != nil {
		return err
	}
	sched := &transform.Scheduler{
		Runner: &transform.Runner{DB: db, Config: transform.DefaultConfig(), Log: log},
		Every:  time.Minute, Delay: 30 * time.Second, RecomputeDays: 2, Log: log,
	}
	first, _ := time.Parse(time.DateOnly, truth.Start)
	last := time.Now()
	transformed := time.Now()
	if _, err := sched.Backfill(ctx, first, time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, time.UTC), false, nil); err != nil {
		return err
	}
	log.Info("indicators computed", "from", truth.Start, "elapsed", time.Since(transformed).Round(time.Millisecond))
	today := time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, time.UTC)
	if _, err := engine.Replay(ctx, first, today); err != nil {
		return err
	}
	if _, err := notifier.DeliverDue(ctx); err != nil {
		return err
	}
	if err := printCitySummary(ctx, db, truth); err != nil {
		return err
	}
	if err := printAlerts(ctx, db, truth); err != nil {
		return err
	}
	if err := demoAssess(ctx, db, truth); err != nil {
		return err
	}
	spool := "" // --once: no server runs to ship a spool, so each audit row is inserted at once
	if !c.once {
		spool = filepath.Join(c.data, "audit-spool")
	}
	views, err := demoViews(db, c.data, engine, log, spool)
	if err != nil {
		return err
	}
	site := filepath.Join(c.data, "site")
	pages, err := views.WriteSite(ctx, site, "demo")
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(site)
	fmt.Printf("\nstatic views: %d pages, open file://%s/index.html (works offline, no server)\n", pages, abs)
	if !c.once {
		viewsDone := make(chan error, 1)
		go func() { viewsDone <- serveViews(ctx, views, c.listen, "", "", log) }()
		fmt.Printf("web views:    http://%s/ (log in with an account above)\n", c.listen)
		fmt.Println("\nserving until Ctrl-C: produce more records to " + kafka.Addr() + " (e.g. with kcat) and they are ingested; the data stays in " + c.data)
		go notifier.Run(ctx)
		sched.After = func(ctx context.Context, asOf time.Time) error {
			_, err := engine.Evaluate(ctx, asOf)
			return err
		}
		go sched.Loop(ctx)
		select {
		case <-ctx.Done():
			<-viewsDone
		case err := <-viewsDone:
			stopIngest()
			<-ingestDone
			return err
		case err := <-ingestDone:
			return err
		}
	}
	stopIngest()
	return <-ingestDone
}

// demoStart reuses the first day of an earlier run with the same seed and
// length, so that running the demo again regenerates the same records (and
// stores nothing twice) instead of shifting the window by a day.
func demoStart(truthPath string, days int, seed uint64) string {
	if t, err := gen.ReadTruth(truthPath); err == nil && t.Days == days && t.Seed == seed {
		return t.Start
	}
	return time.Now().AddDate(0, 0, -days).Format(time.DateOnly)
}

func demoWarehouse(ctx context.Context, wh *warehouse.Embedded, log *slog.Logger) (*warehouse.DB, error) {
	if err := warehouse.EnsureDatabase(ctx, wh.DSN(demoDatabase), ""); err != nil {
		return nil, err
	}
	db, err := warehouse.Open(ctx, wh.DSN(demoDatabase))
	if err != nil {
		return nil, err
	}
	if _, err := warehouse.Migrate(ctx, db, log); err != nil {
		db.Close()
		return nil, err
	}
	city, err := refdata.Default()
	if err == nil {
		_, err = refdata.Load(ctx, db, city)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// waitStored waits until every generated record is in its table.
func waitStored(ctx context.Context, db *warehouse.DB, truth *gen.Truth, ingestDone <-chan error) error {
	deadline := time.Now().Add(15 * time.Minute)
	for {
		done := true
		for table, n := range truth.Counts {
			var got uint64
			if err := db.QueryRow(ctx, "SELECT count() FROM "+db.Table(table)).Scan(&got); err != nil {
				return err
			}
			if got < uint64(n-truth.Bad) {
				done = false
			}
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-ingestDone:
			if err == nil {
				err = errors.New("ingest stopped early")
			}
			return err
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return errors.New("not every generated record was stored within 15 minutes")
		}
	}
}

func printDemoSummary(ctx context.Context, db *warehouse.DB, wh *warehouse.Embedded, brokerAddr string, truth *gen.Truth) error {
	var version string
	if err := db.QueryRow(ctx, "SELECT version()").Scan(&version); err != nil {
		return err
	}
	fmt.Printf("\nxfwatch demo — 兰州市, %d days from %s (seed %d)\n\n", truth.Days, truth.Start, truth.Seed)
	fmt.Printf("  warehouse  ClickHouse %s (embedded chDB) at http://%s, database %s\n", version, wh.Addr, demoDatabase)
	fmt.Printf("  broker     Kafka protocol (embedded kfake) at %s\n", brokerAddr)
	fmt.Printf("  schema     version %d\n\n", warehouse.SchemaVersion())
	fmt.Println("  table                 rows")
	for _, table := range []string{"petitions", "hotline_orders", "events", "unit_reports", "restricted_texts",
		"regions", "region_villages", "units", "sensitive_periods"} {
		var n uint64
		if err := db.QueryRow(ctx, "SELECT count() FROM "+db.Table(table)).Scan(&n); err != nil {
			return err
		}
		fmt.Printf("  %-18s %8d\n", table, n)
	}
	q := url.QueryEscape("SELECT r.name AS county, count() AS petitions FROM petitions p JOIN regions r ON r.code = p.county_code GROUP BY county ORDER BY petitions DESC")
	fmt.Printf("\nquery it (any ClickHouse HTTP client works):\n")
	fmt.Printf("  curl 'http://%s/?database=%s&query=%s'\n", wh.Addr, demoDatabase, q)
	fmt.Printf("  echo 'SELECT category, count() FROM petitions GROUP BY category ORDER BY 2 DESC' | curl -s --data-binary @- 'http://%s/?database=%s'\n", wh.Addr, demoDatabase)
	return nil
}

// printCitySummary is the demo's one screen about the city: top hotspot
// cells, 三访, repeat rate, backlog, and how the indicators score against
// what the generator planted.
func printCitySummary(ctx context.Context, db *warehouse.DB, truth *gen.Truth) error {
	fmt.Println("\n兰州市 — indicators as of today")
	fmt.Println("\n  top risk cells (county × category, today)")
	rows, err := db.Query(ctx, `SELECT r.name, d.category, d.risk, d.petitions_28d, round(d.volume_pts), round(d.growth_pts), d.alarm_pts, d.severity_pts
		FROM `+db.Table("risk_daily")+` AS d JOIN `+db.Table("regions")+` AS r ON r.code = d.region
		WHERE d.region_level = 'county' AND d.day = (SELECT max(day) FROM `+db.Table("risk_daily")+`)
		ORDER BY d.risk DESC, d.petitions_28d DESC LIMIT 5`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var name, category string
		var risk uint8
		var n uint32
		var vol, growth, alarm, sev float64
		if err := rows.Scan(&name, &category, &risk, &n, &vol, &growth, &alarm, &sev); err != nil {
			rows.Close()
			return err
		}
		fmt.Printf("  %-6s %-18s risk %3d  (%d petitions in 28 days; volume %.0f + growth %.0f + alarms %.0f + severity %.0f)\n",
			name, categoryLabel(category), risk, n, vol, growth, alarm, sev)
	}
	rows.Close()
	var beijing, province, city uint64
	var repeatRate float64
	var backlog, overdue uint64
	if err := db.QueryRow(ctx, `SELECT sumIf(n, type = 'beijing_abnormal'), sumIf(n, type = 'province_collective'), sumIf(n, type = 'city_collective')
		FROM `+db.Table("three_visits_monthly")).Scan(&beijing, &province, &city); err != nil {
		return err
	}
	if err := db.QueryRow(ctx, `SELECT if(count() = 0, 0, countIf(is_repeat) / count()) FROM `+db.Table("petition_flags")).Scan(&repeatRate); err != nil {
		return err
	}
	if err := db.QueryRow(ctx, `SELECT countIf(backlog), countIf(overdue) FROM `+db.Table("case_status")).Scan(&backlog, &overdue); err != nil {
		return err
	}
	fmt.Printf("\n  三访      进京非正常上访 %d, 赴省集体上访 %d, 来市集体上访 %d\n", beijing, province, city)
	fmt.Printf("  重复访率  %.1f%% of petitions\n", 100*repeatRate)
	fmt.Printf("  积案      %d open cases in backlog, %d of them overdue\n", backlog, overdue)
	rep, err := evaluate.Indicators(ctx, db, truth)
	if err != nil {
		return err
	}
	fmt.Println("\n  against the generator's ground truth:")
	rep.Print(os.Stdout)
	return nil
}

func categoryLabel(c string) string { return refdata.CategoryLabel(c) }

// printAlerts lists what the alert rules raised over the demo's days and
// how that compares with what the generator planted.
func printAlerts(ctx context.Context, db *warehouse.DB, truth *gen.Truth) error {
	fmt.Println("\n预警 — alerts raised over the generated days")
	rows, err := db.Query(ctx, `SELECT rule, severity, count(), countIf(status != 'resolved'), countIf(inhibited_by != '')
		FROM `+db.Table("alerts")+` FINAL GROUP BY rule, severity ORDER BY rule, severity`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var rule, severity string
		var n, open, inhibited uint64
		if err := rows.Scan(&rule, &severity, &n, &open, &inhibited); err != nil {
			rows.Close()
			return err
		}
		fmt.Printf("  %-24s %-6s %4d alerts, %d open, %d inhibited\n", rule, alerts.SeverityLabel[severity], n, open, inhibited)
	}
	rows.Close()
	rows, err = db.Query(ctx, `SELECT severity, title, summary FROM `+db.Table("alerts")+` FINAL
		WHERE status != 'resolved' AND inhibited_by = '' ORDER BY indexOf(['red', 'orange', 'yellow', 'blue'], severity), first_seen DESC LIMIT 5`)
	if err != nil {
		return err
	}
	fmt.Println("\n  latest open alerts:")
	for rows.Next() {
		var severity, title, summary string
		if err := rows.Scan(&severity, &title, &summary); err != nil {
			rows.Close()
			return err
		}
		fmt.Printf("  【%s】%s：%s\n", alerts.SeverityLabel[severity], title, summary)
	}
	rows.Close()
	rep, err := evaluate.Alerts(ctx, db, truth)
	if err != nil {
		return err
	}
	fmt.Println("\n  alerts against the generator's ground truth:")
	rep.Print(os.Stdout)
	return nil
}
