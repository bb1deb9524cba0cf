package whtest

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"xfwatch/refdata"
	"xfwatch/warehouse"
)

// Records is a migrated database with the demo city loaded, into which a
// test writes hand-made records and reads rows back as TabSeparated text.
// Rows are queued per table and sent in one batch before the next read.
type Records struct {
	T       testing.TB
	DB      *warehouse.DB
	seq     int
	pending map[string][][]any // table|columns -> rows not yet sent
}

// NewRecords returns a fresh database with the schema and the demo city.
func NewRecords(t testing.TB) *Records {
	t.Helper()
	db := DB(t)
	set, err := refdata.Default()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := refdata.Load(context.Background(), db, set); err != nil {
		t.Fatal(err)
	}
	return &Records{T: t, DB: db}
}

// CST is China Standard Time.
var CST = time.FixedZone("CST", 8*3600)

// At parses "2026-03-01", "2026-03-01 09:30" or "2026-03-01 09:30:05" in
// China time; a bare day means 09:00.
func At(s string) time.Time {
	switch len(s) {
	case 10:
		s += " 09:00:00"
	case 16:
		s += ":00"
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, CST)
	if err != nil {
		panic(err)
	}
	return t
}

// Date parses YYYY-MM-DD as a UTC midnight.
func Date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// Insert queues rows for table.
func (r *Records) Insert(table, cols string, rows ...[]any) {
	if r.pending == nil {
		r.pending = map[string][][]any{}
	}
	key := table + "|" + cols
	r.pending[key] = append(r.pending[key], rows...)
}

// Flush sends the queued rows.
func (r *Records) Flush() {
	r.T.Helper()
	for key, rows := range r.pending {
		table, cols, _ := strings.Cut(key, "|")
		b, err := r.DB.PrepareBatch(context.Background(), "INSERT INTO "+r.DB.Table(table)+" ("+cols+")")
		if err != nil {
			r.T.Fatal(err)
		}
		for _, row := range rows {
			if err := b.Append(row...); err != nil {
				r.T.Fatal(err)
			}
		}
		if err := b.Send(); err != nil {
			r.T.Fatal(err)
		}
	}
	r.pending = nil
}

// Petition queues a petition: id, time, receiving level, origin region,
// category, key, headcount, abnormal, responsible unit.
func (r *Records) Petition(id, when, level, origin, category, key string, headcount int, abnormal bool, unit string) {
	town := ""
	if len(origin) >= 9 {
		town = origin[:9]
	}
	r.seq++
	r.Insert("petitions", "case_id, received_at, channel, receiving_level, origin_region, county_code, township_code, category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, topic, partition, offset",
		[]any{id, At(when), "visit", level, origin, origin[:6], town, category, uint16(headcount), abnormal, key, "id", unit, "fixture", int32(0), int64(r.seq)})
}

// Order queues a hotline order.
func (r *Records) Order(id, when, kind, region, category, key, unit string) {
	town := ""
	if len(region) >= 9 {
		town = region[:9]
	}
	r.seq++
	r.Insert("hotline_orders", "order_id, received_at, channel, kind, region, county_code, township_code, category, caller_key, key_kind, assigned_unit, topic, partition, offset",
		[]any{id, At(when), "phone", kind, region, region[:6], town, category, key, "phone", unit, "fixture", int32(0), int64(r.seq)})
}

// Event queues a handling event: kind (petition|hotline), ref, time, type,
// unit, result, satisfaction.
func (r *Records) Event(kind, ref, when, typ, unit, result, satisfaction string) {
	r.seq++
	r.Insert("events", "event_id, ref_kind, ref, at, type, unit, result, satisfaction, topic, partition, offset",
		[]any{"E" + strings.ReplaceAll(ref+when+typ, " ", ""), kind, ref, At(when), typ, unit, result, satisfaction, "fixture", int32(0), int64(r.seq)})
}

// Report queues a unit report.
func (r *Records) Report(unit, day, submitted string, incidents int) {
	r.seq++
	r.Insert("unit_reports", "report_id, unit, day, submitted_at, incidents, topic, partition, offset",
		[]any{"R" + unit + day, unit, Date(day), At(submitted), uint32(incidents), "fixture", int32(0), int64(r.seq)})
}

// TSV runs a query through the warehouse's HTTP interface and returns its
// TabSeparated output.
func (r *Records) TSV(query string) string {
	r.T.Helper()
	r.Flush()
	u := "http://" + Embedded(r.T).Addr + "/?database=" + url.QueryEscape(r.DB.Database) + "&default_format=TSV"
	res, err := http.Post(u, "text/plain", strings.NewReader(query))
	if err != nil {
		r.T.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		r.T.Fatalf("%s: %s", query, b)
	}
	return string(b)
}

// Expect compares a query's rows with want (lines of tab-separated values).
func (r *Records) Expect(query string, want ...string) {
	r.T.Helper()
	got := strings.TrimSuffix(r.TSV(query), "\n")
	if w := strings.Join(want, "\n"); got != w {
		r.T.Errorf("%s\ngot:\n%s\nwant:\n%s", query, got, w)
	}
}
