package ingest

import (
	"context"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"xfwatch/warehouse"
)

// The consumer's stages one at a time, for `xfwatch bench`, which measures
// each against the whole pipeline.

// BuildBatch builds the Arrow records of decoded rows read from
// topic/partition from firstOffset on, as the consumer does. The caller
// releases them.
func BuildBatch(kind Kind, rows []Row, topic string, partition int32, firstOffset int64) (main, texts arrow.Record) {
	b := newBuilder(kind, memory.DefaultAllocator)
	defer b.release()
	for i := range rows {
		b.add(&rows[i], topic, partition, firstOffset+int64(i))
	}
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
