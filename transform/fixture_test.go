package transform

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"xfwatch/refdata"
	"xfwatch/warehouse"
	"xfwatch/warehouse/whtest"
)

// fx is a warehouse with the demo city loaded, into which a test writes
// hand-made records, runs transforms and reads rows back.
type fx struct {
	t       *testing.T
	db      *warehouse.DB
	runner  *Runner
	seq     int
	pending map[string][][]any // table|columns -> rows not yet sent
}

func newFx(t *testing.T) *fx {
	t.Helper()
	db := whtest.DB(t)
	set, err := refdata.Default()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := refdata.Load(context.Background(), db, set); err != nil {
		t.Fatal(err)
	}
	return &fx{t: t, db: db, runner: &Runner{DB: db, Config: DefaultConfig(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
}

var cst = time.FixedZone("CST", 8*3600)

// at parses "2026-03-01" or "2026-03-01 09:30" in China time.
func at(s string) time.Time {
	layout := "2006-01-02 15:04:05"
	switch len(s) {
	case 10:
		s += " 09:00:00"
	case 16:
		s += ":00"
	}
	t, err := time.ParseInLocation(layout, s, cst)
	if err != nil {
		panic(err)
	}
	return t
}

// insert queues rows; flush sends each table's rows in one batch.
func (f *fx) insert(table string, cols string, rows ...[]any) {
	if f.pending == nil {
		f.pending = map[string][][]any{}
	}
	key := table + "|" + cols
	f.pending[key] = append(f.pending[key], rows...)
}

func (f *fx) flush() {
	f.t.Helper()
	for key, rows := range f.pending {
		table, cols, _ := strings.Cut(key, "|")
		b, err := f.db.PrepareBatch(context.Background(), "INSERT INTO "+f.db.Table(table)+" ("+cols+")")
		if err != nil {
			f.t.Fatal(err)
		}
		for _, r := range rows {
			if err := b.Append(r...); err != nil {
				f.t.Fatal(err)
			}
		}
		if err := b.Send(); err != nil {
			f.t.Fatal(err)
		}
	}
	f.pending = nil
}

// petition: id, time, receiving level, origin region, category, key,
// headcount, abnormal, responsible unit.
func (f *fx) petition(id, when, level, origin, category, key string, headcount int, abnormal bool, unit string) {
	f.t.Helper()
	town := ""
	if len(origin) >= 9 {
		town = origin[:9]
	}
	f.seq++
	f.insert("petitions", "case_id, received_at, channel, receiving_level, origin_region, county_code, township_code, category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, topic, partition, offset",
		[]any{id, at(when), "visit", level, origin, origin[:6], town, category, uint16(headcount), abnormal, key, "id", unit, "fixture", int32(0), int64(f.seq)})
}

func (f *fx) order(id, when, kind, region, category, key, unit string) {
	f.t.Helper()
	town := ""
	if len(region) >= 9 {
		town = region[:9]
	}
	f.seq++
	f.insert("hotline_orders", "order_id, received_at, channel, kind, region, county_code, township_code, category, caller_key, key_kind, assigned_unit, topic, partition, offset",
		[]any{id, at(when), "phone", kind, region, region[:6], town, category, key, "phone", unit, "fixture", int32(0), int64(f.seq)})
}

// event: kind (petition|hotline), ref, time, type, unit, then result and
// satisfaction (may be empty).
func (f *fx) event(kind, ref, when, typ, unit, result, satisfaction string) {
	f.t.Helper()
	f.seq++
	f.insert("events", "event_id, ref_kind, ref, at, type, unit, result, satisfaction, topic, partition, offset",
		[]any{"E" + strings.ReplaceAll(ref+when+typ, " ", ""), kind, ref, at(when), typ, unit, result, satisfaction, "fixture", int32(0), int64(f.seq)})
}

func (f *fx) report(unit, day, submitted string, incidents int) {
	f.t.Helper()
	f.seq++
	d, _ := time.Parse(time.DateOnly, day)
	f.insert("unit_reports", "report_id, unit, day, submitted_at, incidents, topic, partition, offset",
		[]any{"R" + unit + day, unit, d, at(submitted), uint32(incidents), "fixture", int32(0), int64(f.seq)})
}

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// run runs one transform over [from, to] as of asOf.
func (f *fx) run(name, from, to, asOf string) Result {
	f.t.Helper()
	f.flush()
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

// tsv runs a query through the warehouse's HTTP interface and returns its
// TabSeparated output: the simplest thing to compare with expectations.
func (f *fx) tsv(query string) string {
	f.t.Helper()
	f.flush()
	u := "http://" + whtest.Embedded(f.t).Addr + "/?database=" + url.QueryEscape(f.db.Database) +
		"&default_format=TSV&output_format_decimal_trailing_zeros=0"
	res, err := http.Post(u, "text/plain", strings.NewReader(query))
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		f.t.Fatalf("%s: %s", query, b)
	}
	return string(b)
}

// expect compares a query's rows with want (lines of tab-separated values).
func (f *fx) expect(query string, want ...string) {
	f.t.Helper()
	got := strings.TrimSuffix(f.tsv(query), "\n")
	w := strings.Join(want, "\n")
	if got != w {
		f.t.Errorf("%s\ngot:\n%s\nwant:\n%s", query, got, w)
	}
}
