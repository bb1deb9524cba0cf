package ingest

import (
	"context"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"xfwatch/warehouse"
)

// The consumer's stages one at a time, for `xfwatch bench`, which measures
// each against the whole pipeline.

// BatchBuilder builds the Arrow records of decoded rows as the consumer
// does: each batch reserved with the shape of the one before.
type BatchBuilder struct {
	kind Kind
	hint sizeHint
}

// NewBatchBuilder builds batches of kind.
func NewBatchBuilder(kind Kind) *BatchBuilder { return &BatchBuilder{kind: kind} }

// Build builds the Arrow records of rows read from topic/partition from
// firstOffset on. The caller releases them.
func (bb *BatchBuilder) Build(rows []Row, topic string, partition int32, firstOffset int64) (main, texts arrow.Record) {
	b := newBuilder(bb.kind, memory.DefaultAllocator)
	defer b.release()
	b.reserve(bb.hint)
	for i := range rows {
		b.add(&rows[i], topic, partition, firstOffset+int64(i))
	}
	bb.hint = b.size()
	return b.records()
}

// InsertBatch inserts built records into the kind's table and
// restricted_texts with deduplication tokens, as the consumer does.
func InsertBatch(ctx context.Context, db *warehouse.DB, kind Kind, main, texts arrow.Record, token string) error {
	if err := insertRecord(ctx, db, kind.Table(), main, token); err != nil {
		return err
	}
	return insertRecord(ctx, db, "restricted_texts", texts, token+"-texts")
}
