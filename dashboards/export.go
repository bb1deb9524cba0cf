package dashboards

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/ipc"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
	"github.com/xuri/excelize/v2"
)

// trendsAPI is GET /api/v1/trends: the trend query's rows as json, csv
// (UTF-8 with BOM), xlsx, parquet or arrow (IPC stream).
func (s *Server) trendsAPI(rp *reply, r *http.Request, ss *session) error {
	latest, err := s.latestDay(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	rp.action = "export:trends." + format
	if _, ok := formatLabels[format]; !ok {
		rp.action = "export:trends"
		return badf("format=%q: use json, csv, xlsx, parquet or arrow", format)
	}
	t, err := ParseTrendQuery(q, latest)
	if err != nil {
		return err
	}
	// The encoded answer is cached with the rows it encodes: twenty
	// analysts asking the same question share one encoding.
	u := ss.user
	enc, err := cached(s, fmt.Sprintf("trend-%s|%s|%v|%s", format, u.Region, u.Can().CaseAccess, t.Values().Encode()), func() (encodedTrends, error) {
		res, err := s.Trends(r.Context(), u, t)
		if err != nil {
			return encodedTrends{}, err
		}
		body, ctype, err := EncodeTrends(res, format)
		return encodedTrends{body: body, ctype: ctype, rows: len(res.Rows)}, err
	})
	if err != nil {
		return err
	}
	body, ctype := enc.body, enc.ctype
	rp.header.Set("Content-Type", ctype)
	rp.header.Set("X-Row-Cap", strconv.Itoa(RowCap))
	if format != "json" {
		rp.header.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="trends-%s.%s"`, t.Metric.Name, format))
	}
	rp.detail = fmt.Sprintf("rows=%d", enc.rows)
	rp.body.Write(body)
	return nil
}

type encodedTrends struct {
	body  []byte
	ctype string
	rows  int
}

// flat is a result as columns: period, per dimension its code and label,
// value, base, change, suppressed.
type flat struct {
	names, labels []string
}

func columnsOf(t TrendQuery) flat {
	f := flat{names: []string{"period"}, labels: []string{"时期"}}
	for _, d := range t.Dims {
		f.names = append(f.names, d, d+"_label")
		f.labels = append(f.labels, dimensionLabels[d]+"代码", dimensionLabels[d])
	}
	f.names = append(f.names, "value")
	f.labels = append(f.labels, t.Metric.Label)
	if t.Compare != "" {
		f.names = append(f.names, "base", "change")
		f.labels = append(f.labels, compareLabels[t.Compare]+"基期值", compareLabels[t.Compare]+"变化率")
	}
	f.names = append(f.names, "suppressed", "through", "in_progress")
	f.labels = append(f.labels, "小于5已隐藏", "数据截至", "本期未完")
	return f
}

// trendJSON is the JSON answer.
type trendJSON struct {
	Metric      string           `json:"metric"`
	MetricLabel string           `json:"metric_label"`
	Unit        string           `json:"unit"`
	Grain       string           `json:"grain"`
	Compare     string           `json:"compare,omitempty"`
	From        string           `json:"from"`
	To          string           `json:"to"`
	Dimensions  []string         `json:"dimensions"`
	Level       string           `json:"level,omitempty"`
	RowCap      int              `json:"row_cap"`
	Columns     []string         `json:"columns"`
	Rows        []map[string]any `json:"rows"`
}

// EncodeTrends writes a result in a format and returns it with its type.
func EncodeTrends(res *TrendResult, format string) ([]byte, string, error) {
	t := res.Query
	cols := columnsOf(t)
	switch format {
	case "json":
		out := trendJSON{Metric: t.Metric.Name, MetricLabel: t.Metric.Label, Unit: t.Metric.Unit, Grain: t.Grain, Compare: t.Compare,
			From: t.From.Format(time.DateOnly), To: t.To.Format(time.DateOnly), Dimensions: append([]string{}, t.Dims...),
			RowCap: RowCap, Columns: cols.names, Rows: []map[string]any{}}
		if t.Metric.Levelled {
			out.Level = t.Level
		}
		for _, r := range res.Rows {
			row := map[string]any{"period": r.Period.Format(time.DateOnly), "value": r.Value, "suppressed": r.Suppressed,
				"through": r.Through.Format(time.DateOnly), "in_progress": r.InProgress}
			for i, d := range t.Dims {
				row[d], row[d+"_label"] = r.Dims[i].Code, r.Dims[i].Label
			}
			if t.Compare != "" {
				row["base"], row["change"] = r.Base, r.Change
			}
			out.Rows = append(out.Rows, row)
		}
		b, err := json.Marshal(out)
		return b, "application/json; charset=utf-8", err
	case "csv":
		var buf bytes.Buffer
		buf.WriteString("\ufeff") // BOM: Excel reads the file as UTF-8
		w := csv.NewWriter(&buf)
		w.Write(cols.labels)
		for _, r := range res.Rows {
			rec := []string{r.Period.Format(time.DateOnly)}
			for _, d := range r.Dims {
				rec = append(rec, d.Code, d.Label)
			}
			val := numCell(r.Value)
			if r.Suppressed {
				val = "<5"
			}
			rec = append(rec, val)
			if t.Compare != "" {
				rec = append(rec, numCell(r.Base), numCell(r.Change))
			}
			rec = append(rec, strconv.FormatBool(r.Suppressed), r.Through.Format(time.DateOnly), strconv.FormatBool(r.InProgress))
			w.Write(rec)
		}
		w.Flush()
		return buf.Bytes(), "text/csv; charset=utf-8", w.Error()
	case "xlsx":
		return encodeXLSX(res, cols)
	case "parquet", "arrow":
		return encodeArrow(res, cols, format)
	}
	return nil, "", badf("format=%q: use json, csv, xlsx, parquet or arrow", format)
}

func numCell(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

func encodeXLSX(res *TrendResult, cols flat) ([]byte, string, error) {
	t := res.Query
	f := excelize.NewFile()
	defer f.Close()
	sheet := t.Metric.Label
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, "", err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, "", err
	}
	head := make([]any, len(cols.labels))
	for i, l := range cols.labels {
		head[i] = l
	}
	if err := sw.SetRow("A1", head); err != nil {
		return nil, "", err
	}
	for i, r := range res.Rows {
		row := []any{r.Period.Format(time.DateOnly)}
		for _, d := range r.Dims {
			row = append(row, d.Code, d.Label)
		}
		num := func(v *float64) any {
			if v == nil {
				return nil
			}
			return *v
		}
		if r.Suppressed {
			row = append(row, "<5")
		} else {
			row = append(row, num(r.Value))
		}
		if t.Compare != "" {
			row = append(row, num(r.Base), num(r.Change))
		}
		row = append(row, r.Suppressed, r.Through.Format(time.DateOnly), r.InProgress)
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return nil, "", err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", nil
}

// encodeArrow builds one Arrow record (period as date32, codes and labels
// as strings, numbers as nullable float64) and writes it as an IPC stream
// or a Parquet file.
func encodeArrow(res *TrendResult, cols flat, format string) ([]byte, string, error) {
	t := res.Query
	var fields []arrow.Field
	for i, n := range cols.names {
		md := arrow.NewMetadata([]string{"label"}, []string{cols.labels[i]})
		var typ arrow.DataType = arrow.BinaryTypes.String
		switch n {
		case "period", "through":
			typ = arrow.FixedWidthTypes.Date32
		case "value", "base", "change":
			typ = arrow.PrimitiveTypes.Float64
		case "suppressed", "in_progress":
			typ = arrow.FixedWidthTypes.Boolean
		}
		fields = append(fields, arrow.Field{Name: n, Type: typ, Nullable: n != "period" && n != "through" && n != "in_progress", Metadata: md})
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	appendF := func(i int, v *float64) {
		fb := b.Field(i).(*array.Float64Builder)
		if v == nil {
			fb.AppendNull()
		} else {
			fb.Append(*v)
		}
	}
	for _, r := range res.Rows {
		i := 0
		b.Field(i).(*array.Date32Builder).Append(arrow.Date32FromTime(r.Period))
		i++
		for _, d := range r.Dims {
			b.Field(i).(*array.StringBuilder).Append(d.Code)
			b.Field(i + 1).(*array.StringBuilder).Append(d.Label)
			i += 2
		}
		appendF(i, r.Value)
		i++
		if t.Compare != "" {
			appendF(i, r.Base)
			appendF(i+1, r.Change)
			i += 2
		}
		b.Field(i).(*array.BooleanBuilder).Append(r.Suppressed)
		b.Field(i + 1).(*array.Date32Builder).Append(arrow.Date32FromTime(r.Through))
		b.Field(i + 2).(*array.BooleanBuilder).Append(r.InProgress)
	}
	rec := b.NewRecord()
	defer rec.Release()
	var buf bytes.Buffer
	if format == "arrow" {
		w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
		if err := w.Write(rec); err != nil {
			return nil, "", err
		}
		if err := w.Close(); err != nil {
			return nil, "", err
		}
		return buf.Bytes(), "application/vnd.apache.arrow.stream", nil
	}
	tbl := array.NewTableFromRecords(schema, []arrow.Record{rec})
	defer tbl.Release()
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd))
	if err := pqarrow.WriteTable(tbl, &buf, 64*1024, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), "application/vnd.apache.parquet", nil
}
