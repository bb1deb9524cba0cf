// Package ingest will own the path from Kafka to the warehouse: decoding and
// validating records (SPEC section 3), pseudonymising petitioners, building
// Arrow batches, inserting them with deterministic deduplication tokens and
// committing offsets only after the warehouse acknowledged them. Bad records
// go to the DLQ topic. Not built yet: see issue 3.
package ingest
