// Package chhttp serves a chdb.Engine as ClickHouse's HTTP interface, so
// that clickhouse-go (Protocol: HTTP), curl and other ClickHouse HTTP clients
// work against the embedded engine as they would against a server.
//
// It owns the wire: URL parameters (query, database, default_format,
// param_*, settings), request and response compression, Native output
// re-encoded for the client's client_protocol_version, and ClickHouse's
// error responses. It does not know the xfwatch schema.
package chhttp
