package transform

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/warehouse"
)

// Incremental lets a transform's scheduler tick rewrite only the rows that
// can have changed since its last run instead of rebuilding the table (Whole)
// or the months of the tick (Monthly).
//
// A run records in transform_state the day its rows are as of and a
// watermark: the engine's clock when it began. The next run, if its as-of
// day is the same or later and nothing in its SQL or parameters changed,
// collects the keys of the rows that can differ (Dirty: records stored
// since the watermark, records dated in the days the as-of moved over, and
// rows whose values depend on the as-of day, unless a Clock moves those
// from their own values), recomputes just those keys (the SQL restricts
// itself with {{.Only "column"}}) and swaps them in: the old rows of those
// keys are deleted and the new ones inserted. Every
// other case — no state, an earlier day, a changed configuration, an empty
// table, a dirty set over a third of the table, a cluster — is a full run
// (Monthly: of the tick's months). Backfills are always full runs.
type Incremental struct {
	Key string // the table's row key, a String expression: case_id, toString(day)
	// Dirty is a template SELECT of one column named key, with the
	// parameters since_ms (watermark minus a margin, Unix milliseconds),
	// old_as_of and as_of, and the Config parameters.
	Dirty string
	// Span, for a Monthly transform, is a template SELECT of the first day
	// of the dirty rows and the day after the last: the window its SQL
	// ({from:Date}, {to:Date}) is run over, restricted to the dirty keys.
	// Every row the table holds for a dirty key must be dated in it: the
	// old rows are deleted from its months only.
	Span string
	// Stages names CTEs of the SQL restricted to the dirty keys that an
	// incremental run computes first, each into a scratch table (as
	// Transform.Stages does for a full run).
	Stages []string
	// Clock, if set, moves to a new day the rows that only the day changes
	// from their own stored values, instead of recomputing them from the
	// records with the dirty keys: on a new day case_status' open cases,
	// 847k of 10M, whose clocks (open days, overdue, backlog) move.
	Clock *Clock
	// Upstream names the incremental transform whose table the SQL reads
	// instead of the record tables (weekly_counts reads daily_counts). A
	// run then reflects the records that transform's last run did, not
	// those stored before the run began: its watermark is the upstream's
	// when that is earlier, so that records stored between the two runs
	// are dirty again at the next tick, when the upstream has them.
	Upstream string
}

// Clock is the rows of an incremental table that a new day changes through
// the day alone, and how: on a new day every row matching Rows that is not
// among the dirty keys is rewritten as SELECT * REPLACE (Replace) from
// itself. The Dirty set must hold every key of such a row whose records
// changed, and the rows Rows leaves out that the day changes. Only a Whole
// table can have one.
type Clock struct {
	Rows    string // a condition on the table's columns
	Replace string // "expr AS column, …" with the parameters as_of and Config's
}

// WatermarkMargin covers inserts that were under way when a run read the
// engine's clock: a record's ingested_at is set when the engine takes the
// insert, which becomes visible when the insert finishes, well within this.
var WatermarkMargin = 10 * time.Second

type incState struct {
	asOf        time.Time
	watermark   time.Time
	fingerprint string
}

func (r *Runner) fingerprint(t Transform, sql string) string {
	h := sha256.New()
	h.Write([]byte(sql))
	if inc := t.Incremental; inc != nil {
		h.Write([]byte{0})
		h.Write([]byte(inc.Dirty))
		if c := inc.Clock; c != nil {
			fmt.Fprintf(h, "\x00%s\x00%s", c.Rows, c.Replace)
		}
	}
	params := r.Config.params()
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "\x00%s=%s", k, params[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// stateSQL is a subquery of transform_state's latest row for the
// transform named by the query parameter param, as a (as_of), w
// (watermark) and f (fingerprint); a transform with no row gets the
// defaults, an empty fingerprint among them (no usable state).
func (r *Runner) stateSQL(param string) string {
	return "(SELECT argMax(as_of, updated_at) AS a, argMax(watermark, updated_at) AS w, argMax(fingerprint, updated_at) AS f FROM " +
		r.DB.Table("transform_state") + " WHERE transform = {" + param + ":String})"
}

// state reads the latest state recorded for the transform name.
func (r *Runner) state(ctx context.Context, name string) (incState, error) {
	var st incState
	row := r.DB.QueryRow(clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters{"t": name})),
		"SELECT s.a, s.w, s.f FROM "+r.stateSQL("t")+" AS s")
	if err := row.Scan(&st.asOf, &st.watermark, &st.fingerprint); err != nil {
		return st, fmt.Errorf("transform %s: cannot read its state: %w", name, err)
	}
	return st, nil
}

// saveState records what the table now reflects; a fingerprint no SQL has
// (empty, or the interrupted mark written before rows are deleted) makes the
// next run a full one.
func (r *Runner) saveState(ctx context.Context, name string, asOf, watermark time.Time, fingerprint string) error {
	err := r.DB.Exec(clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters{
		"t": name, "as_of": day(asOf), "w": fmt.Sprint(watermark.UnixMilli()), "fp": fingerprint})),
		"INSERT INTO "+r.DB.Table("transform_state")+" (transform, as_of, watermark, fingerprint, updated_at) "+
			"SELECT {t:String}, {as_of:Date}, fromUnixTimestamp64Milli({w:Int64}), {fp:String}, now64(3)")
	if err != nil {
		return fmt.Errorf("transform %s: cannot record its state: %w", name, err)
	}
	return nil
}

// watermark is what a run of t beginning now will reflect: the records
// stored before the engine's clock reads now, or, with an Upstream, before
// the upstream's recorded watermark when that is earlier (the Unix epoch
// when the upstream has none, which makes the next run a full one).
func (r *Runner) watermark(ctx context.Context, t Transform) (time.Time, error) {
	var ms int64
	if err := r.DB.QueryRow(ctx, "SELECT toUnixTimestamp64Milli(now64(3))").Scan(&ms); err != nil {
		return time.Time{}, fmt.Errorf("cannot read the engine's clock: %w", err)
	}
	now := time.UnixMilli(ms)
	if t.upstream() == "" {
		return now, nil
	}
	up, err := r.state(ctx, t.upstream())
	if err != nil {
		return time.Time{}, err
	}
	return upTo(now, up), nil
}

// upstream is the transform whose watermark caps t's: Incremental's or
// Trailing's Upstream.
func (t Transform) upstream() string {
	switch {
	case t.Incremental != nil:
		return t.Incremental.Upstream
	case t.Trailing != nil:
		return t.Trailing.Upstream
	}
	return ""
}

// upTo is the watermark now capped by the upstream's state: the upstream's
// watermark when earlier, the Unix epoch when it has none (no fingerprint).
func upTo(now time.Time, up incState) time.Time {
	switch {
	case up.fingerprint == "":
		return time.UnixMilli(0)
	case up.watermark.Before(now):
		return up.watermark
	}
	return now
}

// preamble reads, in one round trip, what an incremental run of t starts
// from: its state (an empty fingerprint when it has none), the rows its
// table holds, and its watermark (see watermark). The rows are counted
// with those deleted by earlier ticks' patch parts until merges drop them:
// applying the patches made the count a scan (case_status at 10M records
// 0.12 s, against 0.02 s without). A tick's incremental runs follow one
// another, and the queries between two of them add up: at 10M records,
// with the other lane's transform running, 44–52 ms passed between one's
// last statement and the next one's first when these were three queries
// and the run's transform_runs row was written before the next began;
// 24–38 ms since.
func (r *Runner) preamble(ctx context.Context, t Transform) (st incState, total uint64, began time.Time, err error) {
	q := "SELECT s.a, s.w, s.f, (SELECT count() FROM " + r.DB.Table(t.Name) + "), toUnixTimestamp64Milli(now64(3))"
	params := clickhouse.Parameters{"t": t.Name}
	from := " FROM " + r.stateSQL("t") + " AS s"
	var nowMs int64
	var up incState
	dest := []any{&st.asOf, &st.watermark, &st.fingerprint, &total, &nowMs}
	if name := t.upstream(); name != "" {
		q += ", u.w, u.f"
		from += " CROSS JOIN " + r.stateSQL("up") + " AS u"
		params["up"] = name
		dest = append(dest, &up.watermark, &up.fingerprint)
	}
	if err := r.DB.QueryRow(clickhouse.Context(ctx, clickhouse.WithParameters(params)), q+from+" SETTINGS apply_patch_parts = 0").Scan(dest...); err != nil {
		return st, 0, began, fmt.Errorf("transform %s: cannot read its state: %w", t.Name, err)
	}
	began = time.UnixMilli(nowMs)
	if t.upstream() != "" {
		began = upTo(began, up)
	}
	return st, total, began, nil
}

// interrupted marks, in transform_state's fingerprint, an incremental run
// that deleted rows and may not have inserted their successors; for a
// monthly table it names the days [from, to] those rows fall in.
const interrupted = "interrupted"

// incremental tries the incremental run of t (sql: its full SELECT);
// handled is false when a full run is needed instead, and redo, if set, is
// the days a full run of a monthly table must cover besides its own (an
// interrupted run's).
func (r *Runner) incremental(ctx context.Context, t Transform, sql string, asOf time.Time, colList string, threads int, res *Result,
	exec func(map[string]string, ...string) error, count func(map[string]string, string) (uint64, error)) (handled bool, redo *[2]time.Time, err error) {
	if t.Incremental == nil || r.DB.Cluster != "" {
		return false, nil, nil
	}
	r.dirty.Lock()
	defer r.dirty.Unlock()
	st, total, began, err := r.preamble(ctx, t)
	if err != nil || st.fingerprint == "" {
		return false, nil, err
	}
	if f := strings.Fields(st.fingerprint); t.Scope == Monthly && len(f) == 3 && f[0] == interrupted {
		lo, err1 := time.Parse(time.DateOnly, f[1])
		hi, err2 := time.Parse(time.DateOnly, f[2])
		if err1 == nil && err2 == nil {
			return false, &[2]time.Time{lo, hi}, nil
		}
	}
	fp := r.fingerprint(t, sql)
	if st.fingerprint != fp || asOf.Before(st.asOf) || total == 0 {
		return false, nil, nil
	}
	target := r.DB.Table(t.Name)
	vars := r.Config.vars(r.DB.Database)
	vars.Dirty = r.DB.Table("transform_dirty")
	only, err := render(t.Name, t.SQL, vars)
	if err != nil {
		return false, nil, err
	}
	dirtySQL, err := render(t.Name+" dirty keys", t.Incremental.Dirty, vars)
	if err != nil {
		return false, nil, err
	}
	params := r.Config.params()
	params["as_of"], params["old_as_of"] = day(asOf), day(st.asOf)
	params["since_ms"] = fmt.Sprint(st.watermark.Add(-WatermarkMargin).UnixMilli())
	dirty := vars.Dirty
	if err := exec(params, "TRUNCATE TABLE "+dirty,
		"INSERT INTO "+dirty+" (key) SELECT DISTINCT key FROM (\n"+dirtySQL+"\n)"); err != nil {
		return false, nil, err
	}
	n, err := count(nil, "SELECT count() FROM "+dirty)
	if err != nil {
		return false, nil, err
	}
	if n > total/3 {
		return false, nil, exec(nil, "TRUNCATE TABLE "+dirty)
	}
	// Every read applies the delete patches of the parts they point into
	// until a mutation writes them into those parts, and large parts are
	// seldom merged. At 10M records, 1.6M deleted rows of case_status (most
	// from one new day's tick) made a scan of it 0.16–0.20 s, against
	// 0.06–0.08 s once applied. The mutation is started on the first run
	// of a day, and after a run that rewrote 1 % of the table or more (the
	// rows it deleted are about the rows it wrote). The tick does not wait
	// for it (chDB's default, mutations_sync = 1, does): waiting took 1–8 s
	// a table at 10M records, nearly all of it the engine's scheduling
	// (0.07–0.2 s of its CPU).
	applyPatches := func(large bool) error {
		if !large && !asOf.After(st.asOf) {
			return nil
		}
		return exec(nil, "ALTER TABLE "+target+" APPLY PATCHES SETTINGS mutations_sync = 0")
	}
	// Rows keep the as-of day they were computed for: the ones a new day
	// leaves out hold as of it too (that is what the dirty set guarantees),
	// and the table's as-of day is in transform_state.
	cols, _ := warehouse.Columns(t.Name)
	if n == 0 && (asOf.Equal(st.asOf) || !slices.Contains(cols, "as_of")) {
		if err := r.saveState(ctx, t.Name, asOf, began, fp); err != nil {
			return true, nil, err
		}
		return true, nil, applyPatches(false)
	}
	// The mark written before the delete makes the next run a full one
	// (for a monthly table, over the dirty rows' days too) should this run
	// stop before its insert.
	mark := interrupted
	within := ""
	if t.Scope == Monthly {
		span, err := render(t.Name+" span", t.Incremental.Span, vars)
		if err != nil {
			return false, nil, err
		}
		var lo, hi time.Time
		if err := r.DB.QueryRow(ctx, span).Scan(&lo, &hi); err != nil {
			return false, nil, fmt.Errorf("transform %s: %w", t.Name, err)
		}
		params["from"], params["to"] = day(lo), day(hi)
		mark += " " + day(lo) + " " + day(hi.AddDate(0, 0, -1))
		// The dirty keys' rows are all dated in the span (their records
		// are), so the delete reads only its months' partitions (the
		// partition ID of a monthly table is its month, as swapMonth
		// assumes): petition_flags' delete at 10M records 0.22–0.29 →
		// 0.05–0.07 s.
		within = " AND _partition_id BETWEEN '" + lo.Format("200601") + "' AND '" + hi.AddDate(0, 0, -1).Format("200601") + "'"
	}
	staging := r.DB.Table(t.Name + "_staging")
	compute, emptyScratch, err := r.fillStaging(ctx, t, t.Incremental.Stages, staging, colList, only, threads)
	if err != nil {
		return true, nil, err
	}
	defer emptyScratch()
	if err := exec(params, compute...); err != nil {
		return true, nil, err
	}
	// On a new day the rows that only the day changes are moved from their
	// own values (at 10M records case_status' 847k open cases: 0.66 s to
	// write them, 0.24 s to delete the old rows and 0.52 s to insert, where
	// recomputing them from the records made a new day's case_status 8.2 s).
	aged := ""
	if c := t.Incremental.Clock; c != nil && asOf.After(st.asOf) {
		if t.Scope != Whole {
			return true, nil, fmt.Errorf("transform %s: Incremental.Clock needs a whole table (a monthly one deletes in its span only)", t.Name)
		}
		aged = " OR (" + c.Rows + ")"
		if err := exec(params, "INSERT INTO "+staging+" ("+colList+") SELECT "+colList+" FROM (SELECT * REPLACE ("+c.Replace+") FROM "+target+
			" WHERE ("+c.Rows+") AND NOT ("+t.Incremental.Key+" IN (SELECT key FROM "+dirty+")))"); err != nil {
			return true, nil, err
		}
	}
	rows, err := count(nil, "SELECT count() FROM "+staging)
	if err != nil {
		return true, nil, err
	}
	if err := r.saveState(ctx, t.Name, st.asOf, st.watermark, mark); err != nil {
		return true, nil, err
	}
	if err := exec(params,
		// A patch part, not a mutation (migration 8 enabled them).
		"DELETE FROM "+target+" WHERE ("+t.Incremental.Key+" IN (SELECT key FROM "+dirty+")"+aged+")"+within+
			" SETTINGS lightweight_delete_mode = 'lightweight_update'",
		"INSERT INTO "+target+" ("+colList+") SELECT "+colList+" FROM "+staging,
		// The staging rows stay until the next run empties the table first
		// (one query less in the tick's chain of incremental runs); the
		// dirty keys do not: key_history's are pseudonyms.
		"TRUNCATE TABLE "+dirty); err != nil {
		return true, nil, err
	}
	res.Rows = rows
	if err := r.saveState(ctx, t.Name, asOf, began, fp); err != nil {
		return true, nil, err
	}
	return true, nil, applyPatches(rows*100 >= total)
}
