package ingest

import (
	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// Arrow types of the warehouse columns.
var (
	tString = arrow.BinaryTypes.String
	tTime   = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "Asia/Shanghai"} // DateTime64(3, 'Asia/Shanghai')
	tDate   = arrow.FixedWidthTypes.Date32
	tBool   = arrow.FixedWidthTypes.Boolean
	tU16    = arrow.PrimitiveTypes.Uint16
	tU32    = arrow.PrimitiveTypes.Uint32
	tI32    = arrow.PrimitiveTypes.Int32
	tI64    = arrow.PrimitiveTypes.Int64
)

func field(name string, t arrow.DataType) arrow.Field { return arrow.Field{Name: name, Type: t} }

var sourceFields = []arrow.Field{field("topic", tString), field("partition", tI32), field("offset", tI64)}

func schemaOf(fields ...arrow.Field) *arrow.Schema {
	return arrow.NewSchema(append(fields, sourceFields...), nil)
}

// Schemas holds the Arrow schema of each kind's table; field names are the
// warehouse column names, in insert order.
var schemas = map[Kind]*arrow.Schema{
	KindPetition: schemaOf(field("case_id", tString), field("received_at", tTime), field("channel", tString),
		field("receiving_level", tString), field("origin_region", tString), field("county_code", tString),
		field("township_code", tString), field("category", tString), field("headcount", tU16),
		field("abnormal", tBool), field("petitioner_key", tString), field("key_kind", tString),
		field("responsible_unit", tString), field("subject", tString), field("has_content", tBool)),
	KindHotline: schemaOf(field("order_id", tString), field("received_at", tTime), field("channel", tString),
		field("kind", tString), field("region", tString), field("county_code", tString),
		field("township_code", tString), field("category", tString), field("caller_key", tString),
		field("key_kind", tString), field("urgent", tBool), field("assigned_unit", tString),
		field("case_id", tString), field("subject", tString), field("has_content", tBool)),
	KindEvent: schemaOf(field("event_id", tString), field("ref_kind", tString), field("ref", tString),
		field("at", tTime), field("type", tString), field("unit", tString), field("result", tString),
		field("satisfaction", tString), field("leader", tString), field("has_note", tBool)),
	KindUnitReport: schemaOf(field("report_id", tString), field("unit", tString), field("day", tDate),
		field("submitted_at", tTime), field("incidents", tU32), field("has_note", tBool)),
}

// textsSchema is restricted_texts'.
var textsSchema = schemaOf(field("ref_kind", tString), field("ref", tString), field("field", tString),
	field("text", tString), field("at", tTime))

// builder accumulates one batch of rows as Arrow columns: the kind's table
// and its free text for restricted_texts.
type builder struct {
	kind  Kind
	main  *array.RecordBuilder
	texts *array.RecordBuilder
	rows  int
}

func newBuilder(kind Kind, mem memory.Allocator) *builder {
	return &builder{
		kind:  kind,
		main:  array.NewRecordBuilder(mem, schemas[kind]),
		texts: array.NewRecordBuilder(mem, textsSchema),
	}
}

func (b *builder) release() {
	b.main.Release()
	b.texts.Release()
}

type cols struct {
	rb *array.RecordBuilder
	i  int
}

func (c *cols) str(v string) { c.rb.Field(c.i).(*array.StringBuilder).Append(v); c.i++ }
func (c *cols) ts(v int64) {
	c.rb.Field(c.i).(*array.TimestampBuilder).Append(arrow.Timestamp(v))
	c.i++
}
func (c *cols) date(v int32) { c.rb.Field(c.i).(*array.Date32Builder).Append(arrow.Date32(v)); c.i++ }
func (c *cols) boolean(v bool) {
	c.rb.Field(c.i).(*array.BooleanBuilder).Append(v)
	c.i++
}
func (c *cols) u16(v uint16) { c.rb.Field(c.i).(*array.Uint16Builder).Append(v); c.i++ }
func (c *cols) u32(v uint32) { c.rb.Field(c.i).(*array.Uint32Builder).Append(v); c.i++ }
func (c *cols) i32(v int32)  { c.rb.Field(c.i).(*array.Int32Builder).Append(v); c.i++ }
func (c *cols) i64(v int64)  { c.rb.Field(c.i).(*array.Int64Builder).Append(v); c.i++ }

// add appends a row read from topic/partition at offset.
func (b *builder) add(r *Row, topic string, partition int32, offset int64) {
	c := cols{rb: b.main}
	at := r.At.UnixMilli()
	hasText := r.Text != ""
	switch b.kind {
	case KindPetition:
		c.str(r.ID)
		c.ts(at)
		c.str(r.Channel)
		c.str(r.Level)
		c.str(r.Region)
		c.str(r.County)
		c.str(r.Township)
		c.str(r.Category)
		c.u16(r.Headcount)
		c.boolean(r.Flag)
		c.str(r.Key)
		c.str(r.KeyKind)
		c.str(r.Unit)
		c.str(r.Subject)
		c.boolean(hasText)
	case KindHotline:
		c.str(r.ID)
		c.ts(at)
		c.str(r.Channel)
		c.str(r.HotlineKind)
		c.str(r.Region)
		c.str(r.County)
		c.str(r.Township)
		c.str(r.Category)
		c.str(r.Key)
		c.str(r.KeyKind)
		c.boolean(r.Flag)
		c.str(r.Unit)
		c.str(r.CaseID)
		c.str(r.Subject)
		c.boolean(hasText)
	case KindEvent:
		c.str(r.ID)
		c.str(r.RefKind)
		c.str(r.Ref)
		c.ts(at)
		c.str(r.Type)
		c.str(r.Unit)
		c.str(r.Result)
		c.str(r.Satisfaction)
		c.str(r.Leader)
		c.boolean(hasText)
	case KindUnitReport:
		c.str(r.ID)
		c.str(r.Unit)
		c.date(int32(r.Day.Unix() / 86400))
		c.ts(at)
		c.u32(r.Incidents)
		c.boolean(hasText)
	}
	c.str(topic)
	c.i32(partition)
	c.i64(offset)
	b.rows++
	if hasText {
		t := cols{rb: b.texts}
		t.str(b.kind.String())
		t.str(r.ID)
		t.str(r.TextField)
		t.str(r.Text)
		t.ts(at)
		t.str(topic)
		t.i32(partition)
		t.i64(offset)
	}
}

// records returns the batch as Arrow records (the caller releases them) and
// resets the builder.
func (b *builder) records() (main, texts arrow.Record) {
	b.rows = 0
	return b.main.NewRecord(), b.texts.NewRecord()
}
