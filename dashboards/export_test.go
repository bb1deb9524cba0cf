package dashboards_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/ipc"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
	"github.com/xuri/excelize/v2"
)

// row is one exported row: the keys and the numbers.
type row struct {
	key                 string // period|region|category
	value, base, change *float64
	suppressed          bool
}

func f(v float64) *float64 { return &v }

func same(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) <= 1e-9*math.Max(1, math.Abs(*a))
}

func compareRows(t *testing.T, format string, got, want []row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, JSON has %d", format, len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.key != w.key || !same(g.value, w.value) || !same(g.base, w.base) || !same(g.change, w.change) || g.suppressed != w.suppressed {
			t.Fatalf("%s row %d = %+v, JSON has %+v", format, i, g, w)
		}
	}
}

func testAPIFormats(t *testing.T, e *env) {
	c := login(t, e.http.URL, "analyst")
	// County rows with month-on-month changes, and township rows with
	// suppressed counts: every format carries both the same.
	formatsAgree(t, e, c, "/api/v1/trends?metric=petitions&dims=region,category&grain=month&compare=mom", func(rows, changes, suppressed int) bool {
		return rows >= 50 && changes >= 20
	})
	formatsAgree(t, e, c, "/api/v1/trends?metric=petitions&dims=region,category&grain=month&compare=mom&level=township&region=620102", func(rows, changes, suppressed int) bool {
		return rows >= 50 && suppressed >= 10
	})
}

func formatsAgree(t *testing.T, e *env, c *client, q string, enough func(rows, changes, suppressed int) bool) {
	status, body, h := c.get(q)
	if status != 200 || h.Get("X-Row-Cap") != "100000" {
		t.Fatalf("json: %d %s", status, h.Get("X-Row-Cap"))
	}
	var js struct {
		RowCap int `json:"row_cap"`
		Rows   []struct {
			Period, Region, Category string
			Value, Base, Change      *float64
			Suppressed               bool
		}
	}
	if err := json.Unmarshal([]byte(body), &js); err != nil {
		t.Fatal(err)
	}
	var want []row
	changes, suppressed := 0, 0
	for _, r := range js.Rows {
		want = append(want, row{r.Period + "|" + r.Region + "|" + r.Category, r.Value, r.Base, r.Change, r.Suppressed})
		if r.Change != nil {
			changes++
		}
		if r.Suppressed {
			suppressed++
		}
	}
	if !enough(len(want), changes, suppressed) {
		t.Fatalf("%s: too little to compare: %d rows, %d changes, %d suppressed", q, len(want), changes, suppressed)
	}
	// The JSON equals the warehouse: sum of the month's township rows.
	var n uint64
	level := "county"
	if strings.Contains(q, "level=township") {
		level = "township"
	}
	r0 := js.Rows[len(js.Rows)-1]
	if r0.Value != nil {
		if err := e.db.QueryRow(context.Background(), "SELECT sum(n) FROM "+e.db.Table("hotspot_daily")+" WHERE source = 'petitions' AND region_level = {l:String} AND region = {r:String} AND category = {c:String} AND toStartOfMonth(day) = {m:Date}",
			namedArgs("r", r0.Region, "c", r0.Category, "m", r0.Period, "l", level)...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if float64(n) != *r0.Value {
			t.Errorf("JSON says %v for %s, the warehouse %d", *r0.Value, r0.Period, n)
		}
	}

	// CSV: BOM, Chinese header, "<5" for suppressed, the same numbers.
	_, body, _ = c.get(q + "&format=csv")
	if !bytes.HasPrefix([]byte(body), []byte("\xef\xbb\xbf")) {
		t.Fatal("the CSV has no BOM")
	}
	recs, err := csv.NewReader(bytes.NewReader([]byte(body[3:]))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[0][0] != "时期" || recs[0][2] != "地区" || recs[0][5] != "信访件数" {
		t.Fatalf("CSV header %v", recs[0])
	}
	var got []row
	for _, r := range recs[1:] {
		x := row{key: r[0] + "|" + r[1] + "|" + r[3], suppressed: r[8] == "true"}
		if r[5] != "<5" {
			x.value = parseNum(t, r[5])
		}
		x.base, x.change = parseNum(t, r[6]), parseNum(t, r[7])
		got = append(got, x)
	}
	compareRows(t, "csv", got, want)

	// XLSX: numbers as numbers.
	_, body, _ = c.get(q + "&format=xlsx")
	xf, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	sheet := xf.GetSheetName(0)
	xrows, err := xf.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for i, r := range xrows[1:] {
		for len(r) < 9 {
			r = append(r, "")
		}
		x := row{key: r[0] + "|" + r[1] + "|" + r[3], suppressed: r[8] == "1" || r[8] == "TRUE" || r[8] == "true"}
		if r[5] != "<5" {
			x.value = parseNum(t, r[5])
			if r[5] != "" {
				cell, _ := excelize.CoordinatesToCellName(6, i+2)
				if typ, _ := xf.GetCellType(sheet, cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
					t.Fatalf("xlsx %s is not a number (type %v)", cell, typ)
				}
			}
		}
		x.base, x.change = parseNum(t, r[6]), parseNum(t, r[7])
		got = append(got, x)
	}
	compareRows(t, "xlsx", got, want)

	// Arrow IPC stream.
	_, body, _ = c.get(q + "&format=arrow")
	rd, err := ipc.NewReader(bytes.NewReader([]byte(body)), ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for rd.Next() {
		got = append(got, arrowRows(rd.Record())...)
	}
	rd.Release()
	compareRows(t, "arrow", got, want)

	// Parquet.
	_, body, _ = c.get(q + "&format=parquet")
	pf, err := file.NewParquetReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tr := array.NewTableReader(tbl, 1<<20)
	got = nil
	for tr.Next() {
		got = append(got, arrowRows(tr.Record())...)
	}
	tr.Release()
	tbl.Release()
	compareRows(t, "parquet", got, want)
	if js.RowCap != 100000 {
		t.Errorf("row_cap = %d", js.RowCap)
	}
}

func parseNum(t *testing.T, s string) *float64 {
	t.Helper()
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return &v
}

func arrowRows(rec arrow.Record) []row {
	col := func(name string) arrow.Array {
		idx := rec.Schema().FieldIndices(name)
		return rec.Column(idx[0])
	}
	period := col("period").(*array.Date32)
	region := col("region").(*array.String)
	cat := col("category").(*array.String)
	num := func(a arrow.Array, i int) *float64 {
		x := a.(*array.Float64)
		if x.IsNull(i) {
			return nil
		}
		return f(x.Value(i))
	}
	var out []row
	for i := range int(rec.NumRows()) {
		out = append(out, row{
			key:   period.Value(i).ToTime().Format(time.DateOnly) + "|" + region.Value(i) + "|" + cat.Value(i),
			value: num(col("value"), i), base: num(col("base"), i), change: num(col("change"), i),
			suppressed: col("suppressed").(*array.Boolean).Value(i),
		})
	}
	return out
}
