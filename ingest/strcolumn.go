package ingest

import (
	"reflect"
	"unsafe"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// An Arrow string column already holds what a ClickHouse String column
// sends: its values end to end and where each begins. clickhouse-go's
// Append copies them one by one into a buffer grown by doubling, which was
// a fifth of the consumer's CPU (the copies, and the page faults of the
// fresh memory each batch grows into). adoptStrings hands the Arrow buffer
// over instead: the String column's ch-go ColStr (an unexported field of
// clickhouse-go's column.String, found by reflection once) is pointed at
// the Arrow bytes, with positions built from the Arrow offsets. The bytes
// sent are the same; TestAdoptStrings checks that, and that the field is
// still there (a clickhouse-go upgrade that moves it makes the insert take
// the copying path, and that test fail). The Arrow record must live until
// the batch is sent: insertRecord's callers release it after the insert
// returns.

// colStrOffset is where column.String keeps its proto.ColStr, or
// ^uintptr(0) if it keeps none (then every insert copies its strings).
var colStrOffset = func() uintptr {
	f, ok := reflect.TypeOf(column.String{}).FieldByName("col")
	if !ok || f.Type != reflect.TypeOf(proto.ColStr{}) {
		return ^uintptr(0)
	}
	return f.Offset
}()

// adoptStrings makes the empty clickhouse-go String column c hold the values
// of a without copying them, and reports whether it did. It does not for
// other column types (LowCardinality builds a dictionary), for columns
// that already hold rows, or for Arrow columns with nulls.
func adoptStrings(c column.Interface, a *array.String) bool {
	s, ok := c.(*column.String)
	if !ok || colStrOffset == ^uintptr(0) || a.NullN() > 0 {
		return false
	}
	col := (*proto.ColStr)(unsafe.Add(unsafe.Pointer(s), colStrOffset))
	if col.Rows() != 0 {
		return false
	}
	offs := a.ValueOffsets()
	base := int(offs[0])
	pos := make([]proto.Position, a.Len())
	for i := range pos {
		pos[i] = proto.Position{Start: int(offs[i]) - base, End: int(offs[i+1]) - base}
	}
	col.Buf, col.Pos = a.ValueBytes(), pos
	return true
}
