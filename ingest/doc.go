// Package ingest owns the path from Kafka to the warehouse: it decodes and
// validates the four record kinds of SPEC section 3, pseudonymises
// petitioners and callers before anything is stored, builds typed Arrow
// record batches, inserts them through clickhouse-go with a deterministic
// insert_deduplication_token, and commits Kafka offsets only after the
// warehouse acknowledged every record up to them. Bad records go to the DLQ
// topic with their PII sealed; a broken producer halts the consumer.
//
// It does not create tables (package warehouse does) and reads reference
// codes from the warehouse tables refdata loaded.
package ingest
