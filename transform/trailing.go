package transform

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Trailing lets a scheduler tick of a Monthly transform whose rows are by
// day recompute only the days that records stored since its last run can
// have changed, instead of the tick's whole months. It holds for a table
// whose row for a day depends only on the records dated up to the end of
// that day's week (risk_daily reads the week's CUSUM) and on the reference
// data, not on the as-of day: a record dated d then changes the rows from
// the Monday of d's week on. Run after a minute's records at 10M, four
// times each way, alternating, risk_daily and hotspot_daily took 1.07–1.70
// s of engine CPU together over every day of the month (the 28th), 0.99–1.03
// s from the week's Monday: most of what is left is planning their SQL,
// which the number of days does not change. With nothing stored since, a
// tick skips them.
//
// A run records in transform_state, as an Incremental one does, the day it
// is as of, its watermark (the engine's clock when it began, or Upstream's
// watermark when earlier) and a fingerprint of every transform's SQL, the
// parameters and the regions table. The next tick, if nothing of that
// changed, computes the rows from lo — the Monday of the earliest day the
// records stored since the watermark are dated on, or the first day of a
// tick's month after the recorded as-of day's, whichever is earlier, and not
// before the tick's first month — to the end of the tick's months (for an
// UpToToday transform to today; lo is then also no later than the day
// after the latest its table holds), copies the rows before lo of lo's
// month from the table, and swaps in the months from lo's. With nothing
// stored since, no new month and no new day it does nothing.
// Records dated before the tick's months wait for a backfill, as they do
// for a full run of the tick's months.
type Trailing struct {
	Day string // the table's day column
	// Upstream is the transform whose watermark caps this one's (see
	// Incremental.Upstream): daily_counts, whose counts risk_daily reads,
	// and risk_daily for hotspot_daily, which reads its rows.
	Upstream string
}

// trailingSince reads, for the records stored since since_ms, the Monday
// of the earliest day they are dated on, and whether there are any.
var trailingSince = "SELECT toMonday(min(toDate(key))) AS lo, count() > 0 AS stored FROM (" + storedSince("received_at") + ")"

// regionsPrint is a checksum of the regions table (the cells, their
// levels and populations) for a Trailing transform's fingerprint: a change
// of it is a full run.
func (r *Runner) regionsPrint(ctx context.Context) (string, error) {
	var sum uint64
	if err := r.DB.QueryRow(ctx, "SELECT sum(cityHash64(*)) FROM "+r.DB.Table("regions")).Scan(&sum); err != nil {
		return "", fmt.Errorf("cannot read the regions' checksum: %w", err)
	}
	return fmt.Sprint(sum), nil
}

// trailingFingerprint is a Trailing transform's fingerprint: its own (SQL
// and parameters), the SQL of every transform (a changed upstream such as
// risk_daily changes the rows it gives for every day) and the regions.
func (r *Runner) trailingFingerprint(ctx context.Context, t Transform, sql string) (string, error) {
	regions, err := r.regionsPrint(ctx)
	if err != nil {
		return "", err
	}
	all := sql
	for _, u := range All {
		all += "\x00" + u.SQL
	}
	return r.fingerprint(t, all+"\x00"+regions+"\x00"+trailingVersion), nil
}

// trailingVersion changes when what a trailing run may copy from its table
// can no longer be trusted: "drop-attach" since months were swapped in by
// DROP and ATTACH PARTITION (swap.go). The months an engine restart had
// doubled under REPLACE PARTITION were copied on by each trailing run; the
// first tick after the change computes its months whole instead.
const trailingVersion = "drop-attach"

// trailing tries a Trailing run of t over the tick's months [from, to];
// handled is false when a full run of them is needed instead.
func (r *Runner) trailing(ctx context.Context, t Transform, sql string, from, to, asOf time.Time, colList string, threads int, res *Result,
	exec func(map[string]string, ...string) error, count func(map[string]string, string) (uint64, error)) (handled bool, err error) {
	if t.Trailing == nil || t.Scope != Monthly || r.DB.Cluster != "" {
		return false, nil
	}
	st, total, began, err := r.preamble(ctx, t)
	if err != nil || st.fingerprint == "" || total == 0 || asOf.Before(st.asOf) {
		return false, err
	}
	fp, err := r.trailingFingerprint(ctx, t, sql)
	if err != nil || st.fingerprint != fp {
		return false, err
	}
	months := monthsOf(from, to)
	if len(months) == 0 {
		return true, nil
	}
	first, end, _ := r.window(t, months[0], months[len(months)-1].AddDate(0, 1, 0), asOf)
	vars := r.Config.vars(r.DB.Database)
	since, err := render(t.Name+" since", trailingSince, vars)
	if err != nil {
		return false, err
	}
	// An UpToToday table's latest day in the window: the days after it,
	// not yet come at its last run, are computed though no record was
	// stored since (a new day's rows; a day's rows exist for every cell).
	day1 := "`" + t.Trailing.Day + "`"
	latest := "toDate('" + day(end) + "') - 1"
	if t.UpToToday {
		latest = "(SELECT max(" + day1 + ") FROM " + r.DB.Table(t.Name) + " WHERE " + day1 + " >= '" + day(first) + "' AND " + day1 + " < '" + day(end) + "')"
	}
	var lo, last time.Time
	var stored bool
	if err := r.DB.QueryRow(clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters{
		"since_ms": fmt.Sprint(st.watermark.Add(-WatermarkMargin).UnixMilli())})),
		"SELECT s.lo, s.stored, "+latest+" FROM ("+since+") AS s").Scan(&lo, &stored, &last); err != nil {
		return false, fmt.Errorf("transform %s: %w", t.Name, err)
	}
	if !stored {
		lo = end
	}
	lo = minTime(lo, last.AddDate(0, 0, 1))
	asOfMonth := time.Date(st.asOf.Year(), st.asOf.Month(), 1, 0, 0, 0, 0, time.UTC)
	for _, m := range months {
		if m.After(asOfMonth) {
			lo = minTime(lo, m)
			break
		}
	}
	lo = maxTime(lo, first)
	if !lo.Before(end) {
		return true, r.saveState(ctx, t.Name, asOf, began, fp)
	}
	first = time.Date(lo.Year(), lo.Month(), 1, 0, 0, 0, 0, time.UTC)
	staging := r.DB.Table(t.Name + "_staging")
	target := r.DB.Table(t.Name)
	compute, emptyScratch, err := r.fillStaging(ctx, t, t.Stages, staging, colList, sql, threads)
	if err != nil {
		return true, err
	}
	defer emptyScratch()
	params := r.Config.params()
	params["as_of"], params["from"], params["to"] = day(asOf), day(lo), day(end)
	if lo.After(first) {
		compute = append(compute, "INSERT INTO "+staging+" ("+colList+") SELECT "+colList+" FROM "+target+
			" WHERE `"+t.Trailing.Day+"` >= '"+day(first)+"' AND `"+t.Trailing.Day+"` < '"+day(lo)+"'")
	}
	if err := exec(params, compute...); err != nil {
		return true, err
	}
	n, err := count(nil, "SELECT count() FROM "+staging)
	if err != nil {
		return true, err
	}
	// Stopped between a month's drop and its attach, the table lacks the
	// days the next run would copy: that run must be a full one.
	if err := r.saveState(ctx, t.Name, st.asOf, st.watermark, interrupted); err != nil {
		return true, err
	}
	for m := first; m.Before(end); m = m.AddDate(0, 1, 0) {
		if err := exec(nil, swapMonth(target, staging, m)...); err != nil {
			return true, err
		}
		res.Months = append(res.Months, m)
	}
	if err := exec(nil, "TRUNCATE TABLE "+staging); err != nil {
		return true, err
	}
	res.Rows = n
	return true, r.saveState(ctx, t.Name, asOf, began, fp)
}
