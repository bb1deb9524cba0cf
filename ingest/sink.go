package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"xfwatch/warehouse"
)

// insertRecord inserts an Arrow record into table in one clickhouse-go
// batch, column by column. token makes a retried insert of the same batch a
// no-op in the warehouse (insert_deduplication_token).
func insertRecord(ctx context.Context, db *warehouse.DB, table string, rec arrow.Record, token string) error {
	if rec.NumRows() == 0 {
		return nil
	}
	names := make([]string, rec.NumCols())
	for i, f := range rec.Schema().Fields() {
		names[i] = f.Name
	}
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"insert_deduplication_token": token}))
	batch, err := db.PrepareInsert(ctx, table, names...)
	if err != nil {
		return fmt.Errorf("cannot prepare insert %s into %s: %w", token, table, err)
	}
	defer batch.Abort()
	cols := batch.Columns()
	for i, col := range rec.Columns() {
		if a, ok := col.(*array.String); ok && i < len(cols) && adoptStrings(cols[i], a) {
			continue
		}
		v, err := goSlice(col)
		if err != nil {
			return fmt.Errorf("column %s: %w", names[i], err)
		}
		if err := batch.Column(i).Append(v); err != nil {
			return fmt.Errorf("cannot append column %s of %s: %w", names[i], token, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("cannot insert batch %s into %s: %w", token, table, err)
	}
	return nil
}

// goSlice gives an Arrow column as the Go slice clickhouse-go appends.
func goSlice(col arrow.Array) (any, error) {
	n := col.Len()
	switch a := col.(type) {
	case *array.String:
		out := make([]string, n)
		for i := range out {
			out[i] = a.Value(i)
		}
		return out, nil
	case *array.Timestamp:
		out := make([]int64, n)
		for i, v := range a.TimestampValues() {
			out[i] = int64(v)
		}
		return out, nil
	case *array.Date32:
		out := make([]time.Time, n)
		for i, v := range a.Date32Values() {
			out[i] = time.Unix(int64(v)*86400, 0).UTC()
		}
		return out, nil
	case *array.Boolean:
		out := make([]bool, n)
		for i := range out {
			out[i] = a.Value(i)
		}
		return out, nil
	case *array.Uint16:
		return a.Uint16Values(), nil
	case *array.Uint32:
		return a.Uint32Values(), nil
	case *array.Int32:
		return a.Int32Values(), nil
	case *array.Int64:
		return a.Int64Values(), nil
	}
	return nil, fmt.Errorf("no clickhouse-go mapping for Arrow type %s", col.DataType())
}
