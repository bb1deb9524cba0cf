package transform

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/warehouse/whtest"
)

// fx is whtest.Records with a transform runner.
type fx struct {
	*whtest.Records
	t      *testing.T
	runner *Runner
}

func newFx(t *testing.T) *fx {
	t.Helper()
	r := whtest.NewRecords(t)
	return &fx{Records: r, t: t, runner: &Runner{DB: r.DB, Config: DefaultConfig(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
}

func date(s string) time.Time { return whtest.Date(s) }

// run runs one transform over [from, to] as of asOf.
func (f *fx) run(name, from, to, asOf string) Result {
	f.t.Helper()
	f.Flush()
	tr, ok := ByName(name)
	if !ok {
		f.t.Fatalf("no transform %s", name)
	}
	res, err := f.runner.Run(context.Background(), tr, date(from), date(to), date(asOf), false)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

// Lower-case aliases keep the fixtures short.
func (f *fx) petition(id, when, level, origin, category, key string, headcount int, abnormal bool, unit string) {
	f.Petition(id, when, level, origin, category, key, headcount, abnormal, unit)
}
func (f *fx) order(id, when, kind, region, category, key, unit string) {
	f.Order(id, when, kind, region, category, key, unit)
}
func (f *fx) event(kind, ref, when, typ, unit, result, satisfaction string) {
	f.Event(kind, ref, when, typ, unit, result, satisfaction)
}
func (f *fx) report(unit, day, submitted string, incidents int) {
	f.Report(unit, day, submitted, incidents)
}
func (f *fx) tsv(q string) string             { return f.TSV(q) }
func (f *fx) expect(q string, want ...string) { f.t.Helper(); f.Expect(q, want...) }
func (f *fx) flush()                          { f.Flush() }

// tickOne runs name as a scheduler tick as of asOf does: incrementally,
// over the months of asOf and the day before (monthly) or those two days.
func (f *fx) tickOne(name string, asOf time.Time) (Result, error) {
	tr, _ := ByName(name)
	from, to := asOf.AddDate(0, 0, -1), asOf
	if tr.Scope == Monthly {
		months := monthsOf(from, to)
		from, to = months[0], months[len(months)-1].AddDate(0, 1, -1)
	}
	return f.runner.RunIncremental(context.Background(), tr, from, to, asOf)
}

// tick runs chain, in order, as a tick as of asOf (tickOne), each run's
// result by name.
func (f *fx) tick(chain []string, asOf time.Time) map[string]Result {
	f.t.Helper()
	out := map[string]Result{}
	for _, name := range chain {
		res, err := f.tickOne(name, asOf)
		if err != nil {
			f.t.Fatal(err)
		}
		out[name] = res
	}
	return out
}

// copied is the first day a trailing run of name computed (the rows before
// it were copied from the table), or "" for a full run of the months or no
// run.
func (f *fx) copied(name string, res Result) string {
	i := slices.IndexFunc(res.SQL, func(s string) bool { return strings.Contains(s, "FROM "+f.DB.Table(name)+" WHERE `day` >= ") })
	if i < 0 {
		return ""
	}
	s := res.SQL[i]
	return s[strings.LastIndex(s, "< '")+3 : len(s)-1]
}

// againstFull compares the table name with its transform's full SELECT as
// of asOf over [from, to): the SELECT's rows the table lacks (missing), the
// table's rows the SELECT lacks (extra), and the table's rows compared.
// stored, if set, is the column list read from the table (cols for the
// table's own); where restricts the table's rows (" WHERE …", may use
// {from:Date} and {to:Date}).
func (f *fx) againstFull(name string, asOf, from, to time.Time, stored, where string) (missing, extra, rows uint64) {
	f.t.Helper()
	tr, _ := ByName(name)
	sql, err := render(name, tr.SQL, f.runner.Config.vars(f.DB.Database))
	if err != nil {
		f.t.Fatal(err)
	}
	cols, _ := quotedColumns(name)
	if stored == "" {
		stored = cols
	}
	p := clickhouse.Parameters{}
	for k, v := range f.runner.Config.params() {
		p[k] = v
	}
	p["as_of"], p["from"], p["to"] = day(asOf), day(from), day(to)
	table := f.DB.Table(name)
	if err := f.DB.QueryRow(clickhouse.Context(context.Background(), clickhouse.WithParameters(p)), fmt.Sprintf(`SELECT
		(SELECT count() FROM (SELECT %[1]s FROM (%[2]s) EXCEPT ALL SELECT %[4]s FROM %[3]s%[5]s)),
		(SELECT count() FROM (SELECT %[4]s FROM %[3]s%[5]s EXCEPT ALL SELECT %[1]s FROM (%[2]s))),
		(SELECT count() FROM %[3]s%[5]s)`,
		cols, sql, table, stored, where)).Scan(&missing, &extra, &rows); err != nil {
		f.t.Fatal(err)
	}
	return missing, extra, rows
}
