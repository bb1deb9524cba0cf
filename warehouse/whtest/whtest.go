// Package whtest gives tests a real warehouse: the embedded chDB engine
// behind its HTTP interface, reached through clickhouse-go exactly as
// production code reaches it. chDB allows one engine per process, so a test
// binary starts one in TestMain (Main) and each test gets its own database.
package whtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"xfwatch/warehouse"
	"xfwatch/warehouse/chdb"
)

// RequireEnv, when set (as `make test` does), turns a missing libchdb.so
// into a failure instead of a skip.
const RequireEnv = "XFWATCH_REQUIRE_CHDB"

var (
	embedded *warehouse.Embedded
	startErr error
	seq      atomic.Int64
)

// Main starts the engine in a temporary directory, runs the tests, stops
// the engine. Use it as TestMain: func TestMain(m *testing.M) { os.Exit(whtest.Main(m)) }.
func Main(m *testing.M) int {
	if !chdb.Available() {
		if os.Getenv(RequireEnv) != "" {
			fmt.Fprintf(os.Stderr, "libchdb.so missing at %s and %s is set: run `make chdb`\n", chdb.LibraryPath(), RequireEnv)
			return 1
		}
		startErr = fmt.Errorf("libchdb.so missing at %s: run `make chdb` (or `make test`, which fetches it)", chdb.LibraryPath())
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "xfwatch-whtest-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	embedded, startErr = warehouse.StartEmbedded(warehouse.EmbeddedConfig{
		DataDir: dir, Listen: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if startErr != nil {
		fmt.Fprintln(os.Stderr, "cannot start the embedded warehouse:", startErr)
		return 1
	}
	code := m.Run()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = embedded.Close(ctx)
	return code
}

// Embedded returns the running engine, skipping the test if there is none.
func Embedded(t testing.TB) *warehouse.Embedded {
	t.Helper()
	if startErr != nil {
		t.Skip(startErr)
	}
	if embedded == nil {
		t.Fatal("whtest.Main was not called from TestMain")
	}
	return embedded
}

var unsafeName = regexp.MustCompile(`[^a-z0-9_]+`)

// NewDatabase creates an empty database for the test and returns its DSN.
// It is dropped when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	e := Embedded(t)
	name := fmt.Sprintf("t%d_%s", seq.Add(1), unsafeName.ReplaceAllString(strings.ToLower(t.Name()), "_"))
	if len(name) > 60 {
		name = name[:60]
	}
	ctx := context.Background()
	if _, err := e.Engine.Query(ctx, "CREATE DATABASE `"+name+"`", "TSV"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = e.Engine.Query(context.Background(), "DROP DATABASE IF EXISTS `"+name+"`", "TSV") })
	return e.DSN(name)
}

// Open opens dsn with warehouse.Open and closes it when the test ends.
func Open(t testing.TB, dsn string) *warehouse.DB {
	t.Helper()
	db, err := warehouse.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// DB returns a fresh database with the xfwatch schema migrated.
func DB(t testing.TB) *warehouse.DB {
	t.Helper()
	db := Open(t, NewDatabase(t))
	if _, err := warehouse.Migrate(context.Background(), db, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	return db
}

// Count returns SELECT count() FROM table in db.
func Count(t testing.TB, db *warehouse.DB, table string) uint64 {
	t.Helper()
	return Uint(t, db, "SELECT count() FROM "+db.Table(table))
}

// Uint runs a query that returns one unsigned number.
func Uint(t testing.TB, db *warehouse.DB, query string, args ...any) uint64 {
	t.Helper()
	var n uint64
	if err := db.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
