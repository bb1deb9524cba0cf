package transform

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

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
