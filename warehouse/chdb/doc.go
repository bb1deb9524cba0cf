// Package chdb binds the chDB engine (ClickHouse as a library, libchdb.so)
// at run time with purego.
//
// It owns loading the library lazily, the one engine a process may open
// (chDB allows a single data path per process) and a pool of sessions on it.
// It knows nothing about HTTP or the xfwatch schema: the HTTP interface lives
// in package chhttp, the schema in package warehouse. A binary that never
// opens an Engine never touches libchdb.so.
package chdb
