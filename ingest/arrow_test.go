package ingest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

func buildRows(n, from, textLen int) []Row {
	rows := make([]Row, n)
	for i := range rows {
		j := from + i
		rows[i] = Row{ID: fmt.Sprintf("BX%09d", j), At: time.Unix(1796000000+int64(j), 0), Channel: "visit", Level: "county",
			Region: "620102001", County: "620102", Township: "620102001", Category: "land_acquisition", Headcount: uint16(1 + j%3),
			Key: fmt.Sprintf("%064x", j*7919), KeyKind: "id", Unit: "G620102", Subject: strings.Repeat("事", 1+j%7)}
		if j%3 == 0 {
			rows[i].Text, rows[i].TextField = strings.Repeat("文", textLen), "content"
		}
	}
	return rows
}

// A batch builder reserves each batch with the shape of the one before;
// batches larger, smaller or with longer texts than that come out the same
// as from a builder that grew its buffers.
func TestReservedBatchesHoldTheSameRows(t *testing.T) {
	bb := NewBatchBuilder(KindPetition)
	for k, rows := range [][]Row{buildRows(300, 0, 20), buildRows(700, 300, 200), buildRows(5, 1000, 20), buildRows(400, 1005, 2000)} {
		m, tx := bb.Build(rows, "xf.petitions", 2, int64(k*1000))
		fresh := newBuilder(KindPetition, memory.DefaultAllocator)
		for i := range rows {
			fresh.add(&rows[i], "xf.petitions", 2, int64(k*1000+i))
		}
		wm, wtx := fresh.records()
		if !array.RecordEqual(m, wm) || !array.RecordEqual(tx, wtx) {
			t.Errorf("batch %d: the reserved builder's records differ from the grown builder's", k)
		}
		if m.NumRows() != int64(len(rows)) {
			t.Errorf("batch %d: %d rows, want %d", k, m.NumRows(), len(rows))
		}
		for _, r := range []interface{ Release() }{m, tx, wm, wtx} {
			r.Release()
		}
		fresh.release()
	}
}

// reserve makes room for the hinted rows and every string column's bytes.
func TestReserveMakesRoomForTheHint(t *testing.T) {
	rows := buildRows(500, 0, 100)
	b := newBuilder(KindPetition, memory.DefaultAllocator)
	for i := range rows {
		b.add(&rows[i], "xf.petitions", 0, int64(i))
	}
	h := b.size()
	m, tx := b.records()
	m.Release()
	tx.Release()
	b.release()
	if h.main.rows != 500 || h.texts.rows != 167 {
		t.Fatalf("hint rows %d and %d, want 500 and 167", h.main.rows, h.texts.rows)
	}
	next := newBuilder(KindPetition, memory.DefaultAllocator)
	defer next.release()
	next.reserve(h)
	for _, s := range []struct {
		rb *array.RecordBuilder
		sh shape
	}{{next.main, h.main}, {next.texts, h.texts}} {
		for i, f := range s.rb.Fields() {
			if f.Cap() < s.sh.rows {
				t.Errorf("field %d: room for %d rows, want %d", i, f.Cap(), s.sh.rows)
			}
			if sb, ok := f.(*array.StringBuilder); ok && sb.DataCap() < s.sh.data[i] {
				t.Errorf("string field %d: room for %d bytes, want %d", i, sb.DataCap(), s.sh.data[i])
			} else if ok && s.sh.data[i] == 0 {
				t.Errorf("string field %d: no bytes in the hint", i)
			}
		}
	}
}
