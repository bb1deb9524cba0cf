package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"xfwatch/alerts"
	"xfwatch/ingest"
)

func init() {
	register("ingest", "consume the record topics into the warehouse", runIngest)
}

func runIngest(ctx context.Context, args []string) error {
	fs := newFlags("ingest", "ingest --kafka ADDRS --clickhouse DSN [--group G] [--key-file F]")
	var kf kafkaFlags
	kf.register(fs)
	dsn := fs.String("clickhouse", "", "warehouse DSN, e.g. http://127.0.0.1:8123/xfwatch")
	group := fs.String("group", "xfwatch-ingest", "Kafka consumer group")
	keyFile := fs.String("key-file", "", "file holding the pseudonymisation key (or set XFWATCH_PSEUDONYM_KEY)")
	metrics := fs.String("metrics-listen", "127.0.0.1:9464", "address of the Prometheus /metrics endpoint (empty: off)")
	rulesFile := fs.String("alert-rules", "", "alert rules YAML whose instant rules (进京非正常上访, collective) run on each batch (default: the shipped rules)")
	noAlerts := fs.Bool("no-alerts", false, "do not evaluate the instant alert rules")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (go tool pprof) to this file until the process stops")
	memLimit := fs.Int("memory-limit-mb", 384, "soft memory limit of the Go heap in MiB (the GC works harder near it; GOMEMLIMIT wins; 0: none)")
	var cfg ingest.Config
	fs.IntVar(&cfg.BatchRecords, "batch-records", 50000, "records per insert at most")
	fs.DurationVar(&cfg.FlushInterval, "flush-interval", 250*time.Millisecond, "insert a partition's batch at least this often once it has read to the partition's end (while catching up: --batch-records, 24 MiB or 2s)")
	fs.Float64Var(&cfg.MaxBadRatio, "max-bad-ratio", 0.10, "halt when more than this share of the last --bad-window records is bad")
	fs.IntVar(&cfg.BadWindow, "bad-window", 1000, "records the bad ratio is measured over")
	fs.IntVar(&cfg.MaxBadRun, "max-bad-run", 100, "halt after this many bad records in a row")
	fs.StringVar(&cfg.Topics.Petitions, "topic-petitions", ingest.DefaultTopics.Petitions, "topic of petitions")
	fs.StringVar(&cfg.Topics.Hotline, "topic-hotline", ingest.DefaultTopics.Hotline, "topic of hotline orders")
	fs.StringVar(&cfg.Topics.Events, "topic-events", ingest.DefaultTopics.Events, "topic of handling events")
	fs.StringVar(&cfg.Topics.UnitReports, "topic-unit-reports", ingest.DefaultTopics.UnitReports, "topic of unit reports")
	fs.StringVar(&cfg.Topics.DLQ, "topic-dlq", ingest.DefaultTopics.DLQ, "dead-letter topic")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set && *memLimit > 0 {
		// Six partitions' batches in flight fit; the limit keeps garbage from
		// doubling the resident size (SPEC section 10: RSS ≤ 512 MB).
		debug.SetMemoryLimit(int64(*memLimit) << 20)
	}
	brokers, dialer, err := kf.dialer()
	if err != nil {
		return err
	}
	if err := need(fs, "clickhouse", *dsn, "http://127.0.0.1:8123/xfwatch"); err != nil {
		return err
	}
	key, err := ingest.LoadKey(*keyFile)
	if err != nil {
		return usageError{err}
	}
	rules, err := alerts.LoadConfig(*rulesFile)
	if err != nil {
		return usageError{err}
	}
	cfg.Brokers, cfg.Dialer, cfg.Group = brokers, dialer, *group
	log := newLogger()
	cfg.Logger = log
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	cfg.Metrics = ingest.NewMetrics(reg)

	db, err := openWarehouse(ctx, *dsn, "")
	if err != nil {
		return err
	}
	defer db.Close()
	if !*noAlerts {
		cfg.AfterInsert = (&alerts.Engine{DB: db, Config: rules, Log: log}).IngestHook()
	}
	consumer, err := ingest.New(cfg, db, key)
	if err != nil {
		return usageError{err}
	}
	if *metrics != "" {
		srv := &http.Server{Addr: *metrics, Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Warn("metrics endpoint stopped", "err", err)
			}
		}()
		defer srv.Close()
	}
	log.Info("ingest starting", "brokers", describeBrokers(brokers), "group", *group, "metrics", *metrics)
	return consumer.Run(ctx)
}
