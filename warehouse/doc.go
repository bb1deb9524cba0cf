// Package warehouse owns xfwatch's ClickHouse side: opening connections
// (clickhouse-go is the only client; http:// DSNs use its HTTP protocol for
// the embedded engine, clickhouse:// its native protocol for a server or
// cluster), the schema and its versioned migrations, and starting the
// embedded engine (packages chdb and chhttp) for demo, tests and small sites.
//
// Table names and the columns listed in SPEC section 4a are an interface:
// analysts query them with SQL. Other packages write rows through their own
// inserts; they do not create tables.
package warehouse
