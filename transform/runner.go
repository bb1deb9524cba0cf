package transform

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/warehouse"
)

// Scope says what one run of a transform rewrites.
type Scope int

const (
	// Monthly transforms rewrite whole months: the rows of [from, to) are
	// computed into the staging twin and replace the month's partition.
	Monthly Scope = iota
	// Whole transforms rebuild state as of a day and exchange the table.
	Whole
)

// Transform is one indicator table's computation.
type Transform struct {
	Name  string // also the table it writes
	Group string // hotspots, flags, handling, zero_report
	Scope Scope
	// SQL is a text/template of a SELECT whose columns are named as the
	// table's. Monthly: the rows for days in [{from:Date}, {to:Date}).
	// Whole: the state as of {as_of:Date}. Both may use {as_of:Date} and
	// the Config parameters.
	SQL string
	// PerMonth: the SQL computes one month ({from} to {to}; unit_monthly's
	// rates), so a window of several months is computed month by month.
	// Others compute a whole window in one query and swap its months in one
	// by one.
	PerMonth bool
	// Incremental, for a Whole transform, says how a tick can rewrite
	// only the rows that may have changed.
	Incremental *Incremental
	// Trailing, for a Monthly transform by day, lets a tick rewrite only
	// the days from the earliest week of the records stored since its
	// last run.
	Trailing *Trailing
	// Settings, if any, end the statement that computes the rows
	// ("name = value, …").
	Settings string
	// Stages names CTEs of SQL that a run computes first, each into a
	// scratch table, in this order (stages.go). A dry run, an incremental
	// tick and a warehouse on a cluster compute them inline.
	Stages []string
	// UpToToday, for a Monthly transform that gives a row for every day
	// (or week) of its window whether records fall on it or not — every
	// region × category cell, every unit in a sensitive period — stops its
	// window at the current day in the city (Runner.until): a day not yet
	// come has no row. Without it a tick on the 7th computed and stored the
	// 8th to the 31st as well: zero counts in the trends and heat maps,
	// and reports "missing" for days of a sensitive period still to come.
	UpToToday bool
}

// insertInto is the statement that fills a staging table with the rows of
// sql (the transform's SELECT, rendered), ending with its Settings. With
// threads > 1 the engine writes the rows with that many threads
// (max_insert_threads, which it otherwise leaves at one): on 2 cores at
// 10M petitions a full case_status 46 → 39 s, petition_flags 31 → 26 s.
func (t Transform) insertInto(staging, colList, sql string, threads int) string {
	stmt := "INSERT INTO " + staging + " (" + colList + ")\nSELECT " + colList + " FROM (\n" + sql + "\n)"
	var settings []string
	if threads > 1 {
		settings = append(settings, fmt.Sprintf("max_insert_threads = %d", threads))
	}
	if t.Settings != "" {
		settings = append(settings, t.Settings)
	}
	if len(settings) > 0 {
		stmt += "\nSETTINGS " + strings.Join(settings, ", ")
	}
	return stmt
}

// Runner runs transforms against one warehouse. Different transforms may
// run at once, but not two runs of one transform (they share its staging
// twin and scratch tables), nor two incremental runs (they share
// transform_dirty).
type Runner struct {
	DB     *warehouse.DB
	Config Config
	Log    *slog.Logger
	// Now is the clock that says which day is today for UpToToday
	// transforms (time.Now if nil).
	Now func() time.Time
	// InsertThreads is how many threads the engine writes a transform's
	// rows with; 0: as many as its max_threads (its cores), read once.
	InsertThreads int

	mu    sync.Mutex             // guards InsertThreads and locks
	locks map[string]*sync.Mutex // a transform's runs, one at a time
	dirty sync.Mutex             // held by an incremental run: transform_dirty
}

// lock takes the lock of t's runs and returns its release.
func (r *Runner) lock(t Transform) func() {
	r.mu.Lock()
	if r.locks == nil {
		r.locks = map[string]*sync.Mutex{}
	}
	l := r.locks[t.Name]
	if l == nil {
		l = new(sync.Mutex)
		r.locks[t.Name] = l
	}
	r.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// insertThreads is InsertThreads, read from the engine when 0.
func (r *Runner) insertThreads(ctx context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.InsertThreads > 0 {
		return r.InsertThreads, nil
	}
	var n uint64
	if err := r.DB.QueryRow(ctx, "SELECT toUInt64(getSetting('max_threads'))").Scan(&n); err != nil {
		return 0, fmt.Errorf("cannot read the engine's max_threads: %w", err)
	}
	r.InsertThreads = max(1, int(n))
	return r.InsertThreads, nil
}

// Result of one transform run.
type Result struct {
	Transform string
	Months    []time.Time // months rewritten (Monthly)
	Rows      uint64
	SQL       []string // statements run or, for a dry run, that would run
}

// monthsOf lists the first days of the months overlapping [from, to].
func monthsOf(from, to time.Time) []time.Time {
	var out []time.Time
	m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	for !m.After(to) {
		out = append(out, m)
		m = m.AddDate(0, 1, 0)
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// quotedColumns is a table's column list for INSERT … SELECT.
func quotedColumns(table string) (string, bool) {
	cols, ok := warehouse.Columns(table)
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = "`" + c + "`"
	}
	return strings.Join(quoted, ", "), ok
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// until is the end (exclusive) of what an UpToToday transform computes in
// a run as of asOf: the day after today in the city, or after asOf when
// that is later (a backfill or test as of a day still to come computes up
// to it). A backfill as of a past day leaves the rest of its month as the
// month's rows are (until is today's, not asOf's).
func (r *Runner) until(asOf time.Time) time.Time {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	loc, err := time.LoadLocation(r.Config.Timezone)
	if err != nil {
		loc = time.UTC
	}
	l := now().In(loc)
	today := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	return maxTime(today, asOf).AddDate(0, 0, 1)
}

// fill is compute, the statements that fill the staging table, or for a
// window whose days are all still to come one that empties it: its months
// are then cleared.
func fill(compute []string, staging string, empty bool) []string {
	if empty {
		return []string{"TRUNCATE TABLE " + staging}
	}
	return compute
}

// window is the [from, to) a Monthly run of t computes for the months
// beginning first and ending before end: to is end, or for an UpToToday
// transform no later than until. Empty (to not after from) when every
// day of it is still to come.
func (r *Runner) window(t Transform, first, end, asOf time.Time) (from, to time.Time, empty bool) {
	to = end
	if t.UpToToday {
		to = minTime(end, r.until(asOf))
	}
	return first, to, !to.After(first)
}

// Run rewrites what t covers of [from, to] (Monthly: every month touched;
// Whole: the whole table as of asOf). A dry run only renders the SQL and
// counts the rows the SELECT would give.
func (r *Runner) Run(ctx context.Context, t Transform, from, to, asOf time.Time, dryRun bool) (Result, error) {
	return r.run(ctx, t, from, to, asOf, dryRun, false)
}

// RunIncremental is Run for a scheduler tick: a transform that can (see
// Incremental) rewrites only the rows records stored since its last run can
// have changed; otherwise, and for the others, it is Run.
func (r *Runner) RunIncremental(ctx context.Context, t Transform, from, to, asOf time.Time) (Result, error) {
	return r.run(ctx, t, from, to, asOf, false, true)
}

func (r *Runner) run(ctx context.Context, t Transform, from, to, asOf time.Time, dryRun, tryIncremental bool) (Result, error) {
	defer r.lock(t)()
	res := Result{Transform: t.Name}
	if err := CheckDatabase(r.DB.Database); err != nil {
		return res, err
	}
	sql, err := render(t.Name, t.SQL, r.Config.vars(r.DB.Database))
	if err != nil {
		return res, err
	}
	colList, ok := quotedColumns(t.Name)
	if !ok {
		return res, fmt.Errorf("transform %s: no table %s in the schema", t.Name, t.Name)
	}
	staging := r.DB.Table(t.Name + "_staging")
	target := r.DB.Table(t.Name)
	base := r.Config.params()
	base["as_of"] = day(asOf)

	exec1 := func(params map[string]string, stmt string) error {
		res.SQL = append(res.SQL, stmt)
		if dryRun && !strings.HasPrefix(stmt, "SELECT") {
			return nil
		}
		p := clickhouse.Parameters{}
		for k, v := range params {
			p[k] = v
		}
		if r.Log != nil && r.Log.Enabled(ctx, slog.LevelDebug) {
			defer func(t0 time.Time) {
				q := strings.Join(strings.Fields(stmt), " ")
				r.Log.Debug("transform statement", "transform", t.Name, "elapsed", time.Since(t0).Round(time.Millisecond), "sql", q[:min(100, len(q))])
			}(time.Now())
		}
		if err := r.DB.Exec(clickhouse.Context(ctx, clickhouse.WithParameters(p)), stmt); err != nil {
			return fmt.Errorf("transform %s: %w\nstatement:\n%s", t.Name, err, stmt)
		}
		return nil
	}
	// exec runs statements in order, stopping at the first that fails.
	exec := func(params map[string]string, stmts ...string) error {
		for _, stmt := range stmts {
			if err := exec1(params, stmt); err != nil {
				return err
			}
		}
		return nil
	}
	count := func(params map[string]string, stmt string) (uint64, error) {
		p := clickhouse.Parameters{}
		for k, v := range params {
			p[k] = v
		}
		var n uint64
		if err := r.DB.QueryRow(clickhouse.Context(ctx, clickhouse.WithParameters(p)), stmt).Scan(&n); err != nil {
			return 0, fmt.Errorf("transform %s: %w", t.Name, err)
		}
		return n, nil
	}
	threads, err := r.insertThreads(ctx)
	if err != nil {
		return res, err
	}
	insert := t.insertInto(staging, colList, sql, threads)

	if tryIncremental && !dryRun {
		handled, redo, err := r.incremental(ctx, t, sql, asOf, colList, threads, &res, exec, count)
		if handled || err != nil {
			return res, err
		}
		// An interrupted incremental run of a monthly table may have left
		// rows deleted in months outside this tick's: the full run covers them.
		if redo != nil {
			from, to = minTime(from, redo[0]), maxTime(to, redo[1])
		}
		if handled, err := r.trailing(ctx, t, sql, from, to, asOf, colList, threads, &res, exec, count); handled || err != nil {
			return res, err
		}
	}
	// compute: the statements that fill the staging table.
	var stages []string
	if !dryRun && r.DB.Cluster == "" {
		stages = t.Stages
	}
	compute, emptyScratch, err := r.fillStaging(ctx, t, stages, staging, colList, sql, threads)
	if err != nil {
		return res, err
	}
	defer emptyScratch()

	// A full run of an incremental transform records what it reflects: the
	// records stored before it began (see watermark).
	var began time.Time
	var fp string
	stateful := (t.Incremental != nil || t.Trailing != nil) && !dryRun && r.DB.Cluster == ""
	if stateful {
		if began, err = r.watermark(ctx, t); err != nil {
			return res, err
		}
		fp = r.fingerprint(t, sql)
		if t.Trailing != nil {
			if fp, err = r.trailingFingerprint(ctx, t, sql); err != nil {
				return res, err
			}
		}
	}
	saveState := func() error {
		if !stateful {
			return nil
		}
		return r.saveState(ctx, t.Name, asOf, began, fp)
	}
	// A Trailing transform's next run copies the earlier days of its month
	// from the table: a run stopped between dropping a month and attaching
	// its successor must leave a state that makes the next run a full one.
	marked := false
	markSwapping := func() error {
		if !stateful || t.Trailing == nil || marked {
			return nil
		}
		marked = true
		return r.saveState(ctx, t.Name, asOf, began, interrupted)
	}
	switch t.Scope {
	case Whole:
		if dryRun {
			n, err := count(base, "SELECT count() FROM (\n"+sql+"\n)")
			res.Rows, res.SQL = n, append(res.SQL, insert, "EXCHANGE TABLES "+staging+" AND "+target)
			return res, err
		}
		if err := exec(base, compute...); err != nil {
			return res, err
		}
		n, err := count(base, "SELECT count() FROM "+staging)
		if err != nil {
			return res, err
		}
		res.Rows = n
		if err := exec(base, "EXCHANGE TABLES "+staging+" AND "+target, "TRUNCATE TABLE "+staging); err != nil {
			return res, err
		}
		return res, saveState()
	case Monthly:
		months := monthsOf(from, to)
		if !t.PerMonth && !dryRun && len(months) > 1 {
			// One query over the window, then each month's partition swapped in.
			params := maps.Clone(base)
			f, to, empty := r.window(t, months[0], months[len(months)-1].AddDate(0, 1, 0), asOf)
			params["from"], params["to"] = day(f), day(to)
			if err := exec(params, fill(compute, staging, empty)...); err != nil {
				return res, err
			}
			n, err := count(params, "SELECT count() FROM "+staging)
			if err != nil {
				return res, err
			}
			if err := markSwapping(); err != nil {
				return res, err
			}
			for _, m := range months {
				// A month the window left empty is cleared, as its own run would.
				if err := exec(params, swapMonth(target, staging, m)...); err != nil {
					return res, err
				}
				res.Months = append(res.Months, m)
			}
			res.Rows = n
			if err := exec(params, "TRUNCATE TABLE "+staging); err != nil {
				return res, err
			}
			return res, saveState()
		}
		for _, m := range months {
			params := maps.Clone(base)
			f, to, empty := r.window(t, m, m.AddDate(0, 1, 0), asOf)
			params["from"], params["to"] = day(f), day(to)
			if dryRun {
				var n uint64
				if !empty {
					if n, err = count(params, "SELECT count() FROM (\n"+sql+"\n)"); err != nil {
						return res, err
					}
				}
				res.Rows += n
				res.Months = append(res.Months, m)
				res.SQL = append(res.SQL, insert)
				continue
			}
			if err := exec(params, fill(compute, staging, empty)...); err != nil {
				return res, err
			}
			n, err := count(params, "SELECT count() FROM "+staging)
			if err != nil {
				return res, err
			}
			if err := markSwapping(); err != nil {
				return res, err
			}
			if err := exec(params, append(swapMonth(target, staging, m), "TRUNCATE TABLE "+staging)...); err != nil {
				return res, err
			}
			res.Rows += n
			res.Months = append(res.Months, m)
		}
	}
	return res, saveState()
}
