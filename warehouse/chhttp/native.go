package chhttp

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/ClickHouse/ch-go/proto"
)

// typedColumn keeps the engine's exact type string (time zones, enum
// values, precision) when an inferred column is encoded again.
type typedColumn struct {
	proto.Column
	typ proto.ColumnType
}

func (c typedColumn) Type() proto.ColumnType { return c.typ }

// EncodeState and Prepare forward to the column, for LowCardinality: an
// embedded interface would hide them from ch-go's type assertions.
func (c typedColumn) EncodeState(b *proto.Buffer) {
	if s, ok := c.Column.(proto.StateEncoder); ok {
		s.EncodeState(b)
	}
}

func (c typedColumn) Prepare() error {
	if p, ok := c.Column.(proto.Preparable); ok {
		return p.Prepare()
	}
	return nil
}

// reencodeNative rewrites Native output written at revision 0 (as chDB writes
// it: no block info, no custom-serialization flags) for a client that asked
// for revision: ClickHouse's HTTP handler writes Native at the client's
// client_protocol_version, and clickhouse-go decodes at that revision.
func reencodeNative(dst *bytes.Buffer, src []byte, revision int) error {
	r := proto.NewReader(bytes.NewReader(src))
	var out proto.Buffer
	for {
		cols, rows, err := decodeBlock(r)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("cannot decode Native block from the engine: %w", err)
		}
		out.Reset()
		block := proto.Block{Columns: len(cols), Rows: rows}
		if err := block.EncodeBlock(&out, revision, cols); err != nil {
			return fmt.Errorf("cannot encode Native block at revision %d: %w", revision, err)
		}
		dst.Write(out.Buf)
	}
}

// decodeBlock reads one revision-0 Native block; io.EOF when there is none.
func decodeBlock(r *proto.Reader) ([]proto.InputColumn, int, error) {
	ncols, err := r.Int()
	if errors.Is(err, io.EOF) {
		return nil, 0, io.EOF
	}
	if err != nil {
		return nil, 0, fmt.Errorf("columns: %w", err)
	}
	rows, err := r.Int()
	if err != nil {
		return nil, 0, fmt.Errorf("rows: %w", err)
	}
	if ncols < 0 || ncols > 100_000 || rows < 0 {
		return nil, 0, fmt.Errorf("implausible block header: %d columns, %d rows", ncols, rows)
	}
	cols := make([]proto.InputColumn, ncols)
	for i := range cols {
		name, err := r.Str()
		if err != nil {
			return nil, 0, fmt.Errorf("column %d name: %w", i, err)
		}
		typ, err := r.Str()
		if err != nil {
			return nil, 0, fmt.Errorf("column %q type: %w", name, err)
		}
		var auto proto.ColAuto
		if err := auto.Infer(proto.ColumnType(typ)); err != nil {
			return nil, 0, fmt.Errorf("column %q of type %s cannot be re-encoded for this client "+
				"(ask for another format, e.g. FORMAT RowBinaryWithNamesAndTypes or JSONEachRow): %w", name, typ, err)
		}
		col := auto.Data
		col.Reset()
		if rows > 0 {
			if s, ok := col.(proto.Stateful); ok {
				if err := s.DecodeState(r); err != nil {
					return nil, 0, fmt.Errorf("column %q state: %w", name, err)
				}
			}
			if err := col.DecodeColumn(r, rows); err != nil {
				return nil, 0, fmt.Errorf("column %q data: %w", name, err)
			}
		}
		cols[i] = proto.InputColumn{Name: name, Data: typedColumn{Column: col, typ: proto.ColumnType(typ)}}
	}
	return cols, rows, nil
}

// headerBlock is the block a server sends for a result with no rows: the
// columns' names and types. chDB writes nothing in that case, so the types
// come from DESCRIBE.
func headerBlock(dst *bytes.Buffer, names, types []string, revision int) {
	var b proto.Buffer
	if proto.FeatureBlockInfo.In(revision) {
		proto.BlockInfo{BucketNum: -1}.Encode(&b)
	}
	b.PutInt(len(names))
	b.PutInt(0)
	for i := range names {
		b.PutString(names[i])
		b.PutString(types[i])
		if proto.FeatureCustomSerialization.In(revision) {
			b.PutBool(false)
		}
	}
	dst.Write(b.Buf)
}
