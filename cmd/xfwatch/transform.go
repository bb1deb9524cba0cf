package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"xfwatch/alerts"
	"xfwatch/refdata"
	"xfwatch/transform"
)

func init() {
	register("transform", "compute the indicators (hotspots, flags, handling, 零报告) on a schedule or once", runTransform)
}

func runTransform(ctx context.Context, args []string) error {
	fs := newFlags("transform", "transform --clickhouse DSN [--once | --every 1m] [--from DATE --to DATE] [--dry-run]")
	dsn := fs.String("clickhouse", "", "warehouse DSN, e.g. http://127.0.0.1:8123/xfwatch")
	once := fs.Bool("once", false, "run one tick now and exit")
	every := fs.Duration("every", time.Minute, "tick interval; ticks align to multiples of it")
	delay := fs.Duration("delay", 30*time.Second, "evaluation delay: a tick at T looks at data as of T minus this, so late records count")
	recompute := fs.Int("recompute-days", 2, "days back each tick recomputes (the months they touch are rewritten)")
	from := fs.String("from", "", "backfill from this day (YYYY-MM-DD), with --to")
	to := fs.String("to", "", "backfill to this day, inclusive")
	dry := fs.Bool("dry-run", false, "print the SQL and the rows it would write; change nothing")
	rulesFile := fs.String("alert-rules", "", "alert rules YAML (default: the shipped rules, alerts/default.yaml)")
	noAlerts := fs.Bool("no-alerts", false, "compute indicators only: no alert evaluation, no notifications")
	notifyPoll := fs.Duration("notify-poll", time.Second, "how often the notifier looks at the outbox")
	cfg := transform.DefaultConfig()
	fs.IntVar(&cfg.AcceptDays, "accept-days", cfg.AcceptDays, "受理 deadline, days after registration")
	fs.IntVar(&cfg.ConcludeDays, "conclude-days", cfg.ConcludeDays, "办结 deadline, days after acceptance")
	fs.IntVar(&cfg.ExtensionDays, "extension-days", cfg.ExtensionDays, "延期: days added to the 办结 deadline")
	fs.IntVar(&cfg.ReviewRequestDays, "review-request-days", cfg.ReviewRequestDays, "复查/复核 may be requested this many days after the answer")
	fs.IntVar(&cfg.ReviewDays, "review-days", cfg.ReviewDays, "复查/复核 deadline, days after the request")
	fs.IntVar(&cfg.BacklogDays, "backlog-days", cfg.BacklogDays, "积案: open longer than this many days (or overdue)")
	fs.IntVar(&cfg.RepeatWindowDays, "repeat-days", cfg.RepeatWindowDays, "重复访 look-back window in days")
	fs.IntVar(&cfg.Baseline, "ears-baseline", cfg.Baseline, "EARS baseline days")
	fs.Float64Var(&cfg.AlphaC1, "ears-alpha-c1", cfg.AlphaC1, "EARS C1 alpha")
	fs.Float64Var(&cfg.AlphaC2, "ears-alpha-c2", cfg.AlphaC2, "EARS C2 alpha")
	fs.Float64Var(&cfg.AlphaC3, "ears-alpha-c3", cfg.AlphaC3, "EARS C3 alpha")
	fs.Float64Var(&cfg.MinSigma, "ears-min-sigma", cfg.MinSigma, "EARS minimum sigma")
	fs.Float64Var(&cfg.HotlineBasicWeight, "basic-weight", cfg.HotlineBasicWeight, "hotline 满意率 weight of 基本满意")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := need(fs, "clickhouse", *dsn, "http://127.0.0.1:8123/xfwatch"); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	if (*from == "") != (*to == "") {
		return usagef("--from and --to go together (a backfill over a date range)")
	}
	var fromDay, toDay time.Time
	if *from != "" {
		f, err := refdata.ParseDate(*from)
		if err != nil {
			return usagef("--from: %v", err)
		}
		t, err := refdata.ParseDate(*to)
		if err != nil {
			return usagef("--to: %v", err)
		}
		if t.Before(f.Time) {
			return usagef("--to %s is before --from %s", *to, *from)
		}
		fromDay, toDay = f.Time, t.Time
	}
	if *once && *from != "" {
		return usagef("--once and --from/--to: pick one (a tick now, or a backfill)")
	}
	rules, err := alerts.LoadConfig(*rulesFile)
	if err != nil {
		return usageError{err}
	}
	log := newLogger()
	db, err := openWarehouse(ctx, *dsn, "")
	if err != nil {
		return err
	}
	defer db.Close()
	sched := &transform.Scheduler{
		Runner: &transform.Runner{DB: db, Config: cfg, Log: log},
		Every:  *every, Delay: *delay, RecomputeDays: *recompute, Log: log,
	}
	engine := &alerts.Engine{DB: db, Config: rules, Log: log}
	notifier := &alerts.Notifier{DB: db, Config: rules, Log: log, Poll: *notifyPoll}
	engine.Wake = notifier.Wake
	if !*noAlerts {
		sched.After = func(ctx context.Context, asOf time.Time) error {
			res, err := engine.Evaluate(ctx, asOf)
			if err == nil {
				log.Info("alerts evaluated", "fired", res.Fired, "resolved", res.Resolved, "inhibited", res.Inhibited, "notifications", res.Notifications)
			}
			return err
		}
	}
	switch {
	case *from != "":
		rep, err := sched.Backfill(ctx, fromDay, toDay, *dry, os.Stderr)
		printTransformReport(rep, *dry)
		if err != nil || *dry || *noAlerts {
			return err
		}
		res, err := engine.Replay(ctx, fromDay, toDay)
		fmt.Printf("alerts: %d fired over the backfilled days, %d resolved\n", res.Fired, res.Resolved)
		return err
	case *once:
		rep, err := sched.Tick(ctx, time.Now(), 0, *dry)
		printTransformReport(rep, *dry)
		if err != nil || *dry || *noAlerts {
			return err
		}
		delivered, err := notifier.DeliverDue(ctx)
		fmt.Printf("notifications delivered: %d\n", delivered)
		return err
	default:
		log.Info("transform scheduler starting", "every", *every, "delay", *delay, "alerts", !*noAlerts)
		if !*noAlerts {
			go notifier.Run(ctx)
		}
		return sched.Loop(ctx)
	}
}

func printTransformReport(rep transform.Report, dry bool) {
	verb := "wrote"
	if dry {
		verb = "would write"
	}
	for _, r := range rep.Results {
		months := ""
		if len(r.Months) > 0 {
			months = fmt.Sprintf(" (%s..%s)", r.Months[0].Format("2006-01"), r.Months[len(r.Months)-1].Format("2006-01"))
		}
		fmt.Printf("%-24s %s %8d rows%s\n", r.Transform, verb, r.Rows, months)
		if dry {
			for _, s := range r.SQL {
				fmt.Printf("    %s\n", strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n    "))
			}
		}
	}
	if rep.Elapsed > 0 {
		fmt.Printf("elapsed %v\n", rep.Elapsed.Round(time.Millisecond))
	}
}
