// Package transform owns the indicators of SPEC section 5: ClickHouse SQL
// run inside the warehouse (Go orchestrates; no raw rows cross the wire),
// grouped and scheduled like rule groups (interval-aligned ticks, an
// evaluation delay for late data, missed runs counted, backfill over a date
// range, dry runs).
//
// Each transform writes one indicator table and is idempotent per partition:
// it fills the table's staging twin for one month and swaps it in (the
// month's partition dropped, the twin's attached: swap.go), or rebuilds
// whole-table state (case status, key history) and swaps it in with
// EXCHANGE TABLES. Re-running a period gives the same rows, never more.
// Definitions are in docs/INDICATORS.md.
package transform
