// Package transform will own the scheduled indicator transforms (SPEC
// section 5): ClickHouse SQL run inside the warehouse, grouped and scheduled
// like rule groups, idempotent per partition. Not built yet: see issue 4.
package transform
