package ingest

import (
	"bytes"
	"testing"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// encoded is what clickhouse-go sends for column c.
func encoded(t *testing.T, c column.Interface) []byte {
	t.Helper()
	var b proto.Buffer
	c.Encode(&b)
	return b.Buf
}

func newColumn(t *testing.T, typ string) column.Interface {
	t.Helper()
	c, err := column.Type(typ).Column("v", nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestAdoptStrings: a String column handed an Arrow column's buffer sends
// the same bytes as one the values were appended to, also for an Arrow
// column that is a slice of a larger one (offsets not starting at 0).
func TestAdoptStrings(t *testing.T) {
	values := []string{"", "案件 A-1", "x", "", "信访事项内容——较长的一段文字", "last"}
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(values, nil)
	whole := b.NewStringArray()
	defer whole.Release()
	part := array.NewSlice(whole, 2, 5).(*array.String)
	defer part.Release()

	for _, tc := range []struct {
		name string
		arr  *array.String
		want []string
	}{{"whole", whole, values}, {"slice", part, values[2:5]}} {
		t.Run(tc.name, func(t *testing.T) {
			appended := newColumn(t, "String")
			if _, err := appended.Append(tc.want); err != nil {
				t.Fatal(err)
			}
			adopted := newColumn(t, "String")
			if !adoptStrings(adopted, tc.arr) {
				t.Fatal("adoptStrings refused a String column: clickhouse-go's column.String no longer keeps a proto.ColStr in its field col, and every insert copies its strings")
			}
			if adopted.Rows() != len(tc.want) {
				t.Fatalf("adopted column has %d rows, want %d", adopted.Rows(), len(tc.want))
			}
			for i, w := range tc.want {
				if got := adopted.Row(i, false); got != w {
					t.Errorf("row %d = %q, want %q", i, got, w)
				}
			}
			if got, want := encoded(t, adopted), encoded(t, appended); !bytes.Equal(got, want) {
				t.Fatalf("adopted column encodes to %x, appended to %x", got, want)
			}
		})
	}

	t.Run("refused", func(t *testing.T) {
		if adoptStrings(newColumn(t, "LowCardinality(String)"), whole) {
			t.Error("adoptStrings took a LowCardinality column, which needs its dictionary built")
		}
		full := newColumn(t, "String")
		if _, err := full.Append([]string{"kept"}); err != nil {
			t.Fatal(err)
		}
		if adoptStrings(full, whole) {
			t.Error("adoptStrings replaced a column that already held rows")
		}
		nb := array.NewStringBuilder(memory.DefaultAllocator)
		defer nb.Release()
		nb.AppendValues([]string{"a", ""}, []bool{true, false})
		nulls := nb.NewStringArray()
		defer nulls.Release()
		if adoptStrings(newColumn(t, "String"), nulls) {
			t.Error("adoptStrings took an Arrow column with nulls")
		}
	})
}
