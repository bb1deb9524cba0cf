package warehouse_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/warehouse"
	"xfwatch/warehouse/whtest"
)

func TestMain(m *testing.M) { os.Exit(whtest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestMigrateIsIdempotent(t *testing.T) {
	db := whtest.Open(t, whtest.NewDatabase(t))
	ctx := context.Background()
	first, err := warehouse.Migrate(ctx, db, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(warehouse.Migrations) {
		t.Fatalf("first migrate applied %v, want all %d", first, len(warehouse.Migrations))
	}
	tables := func() string {
		rows, err := db.Query(ctx, "SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name",
			clickhouse.Named("db", db.Database))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			names = append(names, n)
		}
		return strings.Join(names, ",")
	}
	before := tables()
	for _, want := range []string{"petitions", "hotline_orders", "events", "unit_reports", "regions", "units",
		"sensitive_periods", "audit_log", "schema_migrations"} {
		if !strings.Contains(","+before+",", ","+want+",") {
			t.Errorf("table %s missing after migrate: %s", want, before)
		}
	}
	again, err := warehouse.Migrate(ctx, db, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Fatalf("second migrate applied %v, want nothing", again)
	}
	if after := tables(); after != before {
		t.Fatalf("second migrate changed the tables:\n%s\n%s", before, after)
	}
	if n := whtest.Count(t, db, "schema_migrations"); n != uint64(len(warehouse.Migrations)) {
		t.Fatalf("schema_migrations has %d rows, want %d", n, len(warehouse.Migrations))
	}
}

var shanghai, _ = time.LoadLocation(warehouse.TimeZone)

// sample returns a value of a column type and a pointer to scan it back.
func sample(t *testing.T, typ, col string) (any, any) {
	switch {
	case typ == "String":
		return "值 " + col + " \t'\"\\ é", new(string)
	case typ == "LowCardinality(String)":
		return "低基数-" + col, new(string)
	case strings.HasPrefix(typ, "DateTime64(3"):
		return time.Date(2026, 3, 4, 5, 6, 7, 890e6, shanghai), new(time.Time)
	case typ == "Date":
		return time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC), new(time.Time)
	case typ == "Int32":
		return int32(-123456), new(int32)
	case typ == "Int64":
		return int64(-1 << 40), new(int64)
	case typ == "UInt8":
		return uint8(250), new(uint8)
	case typ == "UInt16":
		return uint16(65000), new(uint16)
	case typ == "UInt64":
		return uint64(1 << 60), new(uint64)
	case strings.HasPrefix(typ, "Nullable(DateTime64(3"):
		v := time.Date(2026, 3, 4, 5, 6, 7, 890e6, shanghai)
		return &v, new(*time.Time)
	case typ == "Array(String)", typ == "Array(LowCardinality(String))":
		return []string{"a", "乙"}, new([]string)
	case typ == "Array(Date)":
		return []time.Time{time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}, new([]time.Time)
	case typ == "Nullable(Date)":
		d := time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)
		return &d, new(*time.Time)
	case typ == "UInt32":
		return uint32(4_000_000_000), new(uint32)
	case typ == "Float64":
		return 0.125, new(float64)
	case typ == "Bool":
		return true, new(bool)
	}
	t.Fatalf("column %s has type %s, which this test does not know: add it to sample()", col, typ)
	return nil, nil
}

func TestEveryColumnTypeRoundTrips(t *testing.T) {
	db := whtest.DB(t)
	ctx := context.Background()
	rows, err := db.Query(ctx, "SELECT table, name, type FROM system.columns WHERE database = {db:String} AND default_kind != 'MATERIALIZED' ORDER BY table, position",
		clickhouse.Named("db", db.Database))
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ name, typ string }
	cols := map[string][]col{}
	for rows.Next() {
		var tb, name, typ string
		if err := rows.Scan(&tb, &name, &typ); err != nil {
			t.Fatal(err)
		}
		cols[tb] = append(cols[tb], col{name, typ})
	}
	rows.Close()
	if len(cols) < 10 {
		t.Fatalf("only %d tables found", len(cols))
	}
	types := map[string]bool{}
	delete(cols, "schema_migrations") // holds the migrate rows; its types are covered by others
	for tb, cs := range cols {
		names := make([]string, len(cs))
		values := make([]any, len(cs))
		dests := make([]any, len(cs))
		for i, c := range cs {
			names[i] = "`" + c.name + "`"
			values[i], dests[i] = sample(t, c.typ, c.name)
			types[c.typ] = true
		}
		// The row read back must be the sample: migrations write some
		// tables' first rows (transform_state's, since migration 13).
		if err := db.Exec(ctx, "TRUNCATE TABLE "+db.Table(tb)); err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		batch, err := db.PrepareBatch(ctx, "INSERT INTO "+db.Table(tb)+" ("+strings.Join(names, ", ")+")")
		if err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		if err := batch.Append(values...); err != nil {
			t.Fatalf("%s append: %v", tb, err)
		}
		if err := batch.Send(); err != nil {
			t.Fatalf("%s send: %v", tb, err)
		}
		if err := db.QueryRow(ctx, "SELECT "+strings.Join(names, ", ")+" FROM "+db.Table(tb)).Scan(dests...); err != nil {
			t.Fatalf("%s select: %v", tb, err)
		}
		for i, c := range cs {
			got := reflect.ValueOf(dests[i]).Elem().Interface()
			if want, ok := values[i].(time.Time); ok {
				if !got.(time.Time).Equal(want) {
					t.Errorf("%s.%s (%s): got %v, want %v", tb, c.name, c.typ, got, want)
				}
				continue
			}
			if want, ok := values[i].(*time.Time); ok {
				if g := got.(*time.Time); g == nil || !g.Equal(*want) {
					t.Errorf("%s.%s (%s): got %v, want %v", tb, c.name, c.typ, got, *want)
				}
				continue
			}
			if want, ok := values[i].([]time.Time); ok {
				if g := got.([]time.Time); len(g) != len(want) || !g[0].Equal(want[0]) {
					t.Errorf("%s.%s (%s): got %v, want %v", tb, c.name, c.typ, got, want)
				}
				continue
			}
			if !reflect.DeepEqual(got, values[i]) {
				t.Errorf("%s.%s (%s): got %#v, want %#v", tb, c.name, c.typ, got, values[i])
			}
		}
	}
	t.Logf("round-tripped %d tables, types %v", len(cols), keys(types))
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func insertPetitions(t *testing.T, db *warehouse.DB, token string, ids ...string) error {
	t.Helper()
	ctx := context.Background()
	if token != "" {
		ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"insert_deduplication_token": token}))
	}
	batch, err := db.PrepareBatch(ctx, "INSERT INTO "+db.Table("petitions")+" (case_id, received_at, county_code, category, topic, partition, offset)")
	if err != nil {
		return err
	}
	defer batch.Abort()
	for i, id := range ids {
		if err := batch.Append(id, time.Now(), "620102", "other", "xf.petitions", int32(0), int64(i)); err != nil {
			return err
		}
	}
	return batch.Send()
}

func TestRetriedInsertWithSameTokenIsDropped(t *testing.T) {
	db := whtest.DB(t)
	for i := 0; i < 3; i++ {
		if err := insertPetitions(t, db, "xf.petitions-0-0-2", "a", "b", "c"); err != nil {
			t.Fatal(err)
		}
	}
	if n := whtest.Count(t, db, "petitions"); n != 3 {
		t.Fatalf("after three inserts with one token: %d rows, want 3", n)
	}
	if err := insertPetitions(t, db, "xf.petitions-0-3-5", "a", "b", "c"); err != nil {
		t.Fatal(err)
	}
	if n := whtest.Count(t, db, "petitions"); n != 6 {
		t.Fatalf("after an insert with a new token: %d rows, want 6", n)
	}
	// The token is a per-request setting: it must not stick to the engine
	// session and swallow the next, unrelated insert.
	if err := insertPetitions(t, db, "", "d"); err != nil {
		t.Fatal(err)
	}
	if err := insertPetitions(t, db, "", "e"); err != nil {
		t.Fatal(err)
	}
	if n := whtest.Count(t, db, "petitions"); n != 8 {
		t.Fatalf("after two untokened inserts: %d rows, want 8", n)
	}
}

func TestEngineErrorReachesClient(t *testing.T) {
	db := whtest.DB(t)
	ctx := context.Background()
	err := db.QueryRow(ctx, "SELECT no_such_column FROM "+db.Table("petitions")).Scan(new(string))
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) {
		t.Fatalf("got %v (%T), want a *clickhouse.Exception", err, err)
	}
	if ex.Code != 47 || !strings.Contains(ex.Message, "no_such_column") {
		t.Fatalf("got code %d %q, want 47 naming the column", ex.Code, ex.Message)
	}
	if err := db.Exec(ctx, "CREATE TABLE broken (x NoSuchType) ENGINE = Memory"); err == nil {
		t.Fatal("a bad DDL statement succeeded")
	}
}

func TestSixteenConcurrentClients(t *testing.T) {
	dsn := whtest.NewDatabase(t)
	base := whtest.Open(t, dsn)
	ctx := context.Background()
	if err := base.Exec(ctx, "CREATE TABLE "+base.Table("c")+" (client UInt32, i UInt32) ENGINE = MergeTree ORDER BY (client, i)"); err != nil {
		t.Fatal(err)
	}
	const clients, rounds = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			db, err := warehouse.Open(ctx, dsn)
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			for r := 0; r < rounds; r++ {
				var got uint64
				if err := db.QueryRow(ctx, "SELECT {a:UInt64} * 1000 + {b:UInt64}",
					clickhouse.Named("a", fmt.Sprint(c)), clickhouse.Named("b", fmt.Sprint(r))).Scan(&got); err != nil {
					errs <- fmt.Errorf("client %d round %d: %w", c, r, err)
					return
				}
				if got != uint64(c*1000+r) {
					errs <- fmt.Errorf("client %d round %d got %d", c, r, got)
					return
				}
				batch, err := db.PrepareBatch(ctx, "INSERT INTO "+db.Table("c"))
				if err != nil {
					errs <- err
					return
				}
				_ = batch.Append(uint32(c), uint32(r))
				if err := batch.Send(); err != nil {
					errs <- fmt.Errorf("client %d insert %d: %w", c, r, err)
					return
				}
			}
			var n uint64
			if err := db.QueryRow(ctx, "SELECT count() FROM "+db.Table("c")+" WHERE client = {c:UInt32}",
				clickhouse.Named("c", fmt.Sprint(c))).Scan(&n); err != nil || n != rounds {
				errs <- fmt.Errorf("client %d sees %d of its rows (%v), want %d", c, n, err, rounds)
			}
		}(c)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := whtest.Count(t, base, "c"); n != clients*rounds {
		t.Fatalf("table has %d rows, want %d", n, clients*rounds)
	}
}

// TestInsertTypesSendLowCardinalityAsPlain: an insert told the types by
// InsertTypes (no DESCRIBE TABLE) sends a LowCardinality column as its plain
// type; the engine stores the values in the LowCardinality column.
func TestPrepareInsertSendsLowCardinalityAsPlain(t *testing.T) {
	cols := []string{"case_id", "received_at", "county_code", "category", "topic", "partition", "offset"}
	types, err := warehouse.InsertTypes("petitions", cols)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"String", "DateTime64(3, 'Asia/Shanghai')", "String", "String", "String", "Int32", "Int64"}
	for i, ty := range types {
		if ty.Name != cols[i] || ty.Type != want[i] {
			t.Errorf("column %d: %s %s, want %s %s", i, ty.Name, ty.Type, cols[i], want[i])
		}
	}
	if _, err := warehouse.InsertTypes("petitions", []string{"no_such"}); err == nil || !strings.Contains(err.Error(), "no_such") {
		t.Errorf("unknown column: %v", err)
	}
	if _, err := warehouse.InsertTypes("no_such_table", cols); err == nil {
		t.Error("unknown table: no error")
	}

	// Through a front that counts the statements: the insert asks no
	// DESCRIBE TABLE (a plain PrepareBatch does, which shows the count works).
	db := whtest.DB(t)
	var describes atomic.Int32
	target, err := url.Parse(whtest.Embedded(t).DSN(""))
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(r.URL.Query().Get("query")+string(body), "DESCRIBE") {
			describes.Add(1)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	counted := whtest.Open(t, front.URL+"/"+db.Database)
	plain, err := counted.PrepareBatch(context.Background(), "INSERT INTO "+db.Table("petitions"))
	if err != nil {
		t.Fatal(err)
	}
	plain.Abort()
	if describes.Load() == 0 {
		t.Fatal("the counting front saw no DESCRIBE for a plain PrepareBatch")
	}
	describes.Store(0)
	batch, err := counted.PrepareInsert(context.Background(), "petitions", cols...)
	if err != nil {
		t.Fatal(err)
	}
	defer batch.Abort()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i, cat := range []string{"land", "wages", "land"} {
		if err := batch.Append(fmt.Sprint("c", i), at, "620102", cat, "xf.petitions", int32(0), int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
	if n := describes.Load(); n != 0 {
		t.Errorf("PrepareInsert and Send asked DESCRIBE %d times", n)
	}
	var got []string
	var typ string
	rows, err := db.Query(context.Background(), "SELECT category, toTypeName(category) FROM "+db.Table("petitions")+" ORDER BY case_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c, &typ); err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	if strings.Join(got, ",") != "land,wages,land" || typ != "LowCardinality(String)" {
		t.Errorf("stored %v as %s", got, typ)
	}
}

// TestPetitionFlagsLoseTheKey: a warehouse whose petition_flags still has
// the copy of the pseudonym (migration 4 before it was dropped) keeps its
// rows and loses the column in migration 9, which can run again; a
// patch-part delete still works on the table after it.
func TestPetitionFlagsLoseTheKey(t *testing.T) {
	db, ctx := migratedDB(t)
	for _, tb := range []string{"petition_flags", "petition_flags_staging"} {
		if err := db.Exec(ctx, "ALTER TABLE "+db.Table(tb)+" ADD COLUMN petitioner_key String AFTER receiving_level"); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Exec(ctx, "INSERT INTO "+db.Table("petition_flags")+" (case_id, received_at, petitioner_key, is_repeat) VALUES "+
		"('F1', '2026-03-01 10:00:00', 'k1', true), ('F2', '2026-03-02 10:00:00', 'k2', false)"); err != nil {
		t.Fatal(err)
	}
	hasKey := func(tb string) uint64 {
		var n uint64
		if err := db.QueryRow(ctx, "SELECT count() FROM system.columns WHERE database = {db:String} AND table = {t:String} AND name = 'petitioner_key'",
			clickhouse.Named("db", db.Database), clickhouse.Named("t", tb)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if hasKey("petition_flags") != 1 {
		t.Fatal("the old column was not added")
	}
	rerunMigration(t, ctx, db, 9)
	for _, tb := range []string{"petition_flags", "petition_flags_staging"} {
		if hasKey(tb) != 0 {
			t.Errorf("%s still has petitioner_key", tb)
		}
	}
	if err := db.Exec(ctx, "DELETE FROM "+db.Table("petition_flags")+" WHERE case_id IN ('F2') SETTINGS lightweight_delete_mode = 'lightweight_update'"); err != nil {
		t.Fatal(err)
	}
	var ids string
	if err := db.QueryRow(ctx, "SELECT arrayStringConcat(groupArray(case_id || ':' || toString(is_repeat)), ',') FROM "+db.Table("petition_flags")).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	if ids != "F1:true" {
		t.Errorf("petition_flags after migration 9 and a delete: %q, want F1:true", ids)
	}
}

// TestKeyHash: a warehouse from before migration 11 (petitions without
// key_hash) or 19 (hotline_orders without it) gets the column written into
// the parts it has — not computed at each read — and the engine computes it
// for new rows and keeps it in step when a key is rewritten (as a key
// rotation does).
func TestKeyHash(t *testing.T) {
	for _, c := range []struct {
		table, id, key string
		migration      int
	}{{"petitions", "case_id", "petitioner_key", 11}, {"hotline_orders", "order_id", "caller_key", 19}} {
		t.Run(c.table, func(t *testing.T) {
			db, ctx := migratedDB(t)
			if err := db.Exec(ctx, "ALTER TABLE "+db.Table(c.table)+" DROP COLUMN key_hash"); err != nil {
				t.Fatal(err)
			}
			insert := func(id, key string) {
				t.Helper()
				if err := db.Exec(ctx, "INSERT INTO "+db.Table(c.table)+" ("+c.id+", received_at, "+c.key+") VALUES ({id:String}, '2026-03-01 10:00:00', {k:String})",
					clickhouse.Named("id", id), clickhouse.Named("k", key)); err != nil {
					t.Fatal(err)
				}
			}
			insert("P1", "k1")
			stored := func() uint64 {
				return whtest.Uint(t, db, "SELECT count() FROM system.parts_columns WHERE database = {db:String} AND table = {t:String} AND active AND column = 'key_hash'",
					clickhouse.Named("db", db.Database), clickhouse.Named("t", c.table))
			}
			rerunMigration(t, clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"mutations_sync": 2})), db, c.migration)
			if n := stored(); n != 1 {
				t.Fatalf("key_hash is in %d of the one old part", n)
			}
			insert("P2", "k2")
			if err := db.Exec(clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"mutations_sync": 2})),
				"ALTER TABLE "+db.Table(c.table)+" UPDATE "+c.key+" = 'k3' WHERE "+c.id+" = 'P1'"); err != nil {
				t.Fatal(err)
			}
			if got := whtest.Uint(t, db, "SELECT countIf(key_hash = cityHash64("+c.key+")) FROM "+db.Table(c.table)); got != 2 {
				t.Fatalf("%d of 2 rows have key_hash = cityHash64(%s)", got, c.key)
			}
			if got := whtest.Uint(t, db, "SELECT count() FROM "+db.Table(c.table)+" WHERE key_hash = cityHash64('k3')"); got != 1 {
				t.Fatalf("the rewritten key's hash found %d rows", got)
			}
		})
	}
}

// TestCaseStatusRebuilt: migration 13 orders a case_status created before
// it by the month of active_until first and keeps its rows, each active in every month
// until the next case_status run, a full one, recomputes it.
func TestCaseStatusRebuilt(t *testing.T) {
	db, ctx := migratedDB(t)
	cs := db.Table("case_status")
	for _, stmt := range []string{
		"DROP TABLE " + cs,
		"CREATE TABLE " + cs + " ENGINE = MergeTree ORDER BY (responsible_unit, case_id) EMPTY AS SELECT * EXCEPT (evaluated_months, evaluated_satisfaction, active_until, rejected) FROM " + db.Table("case_status_staging"),
		"INSERT INTO " + cs + " (case_id, responsible_unit, status) VALUES ('C1', 'U1', 'accepted'), ('C2', 'U2', 'concluded')",
	} {
		if err := db.Exec(ctx, stmt); err != nil {
			t.Fatalf("%v\n%s", err, stmt)
		}
	}
	rerunMigration(t, ctx, db, 13)
	var key string
	if err := db.QueryRow(ctx, "SELECT sorting_key FROM system.tables WHERE database = {db:String} AND name = 'case_status'",
		clickhouse.Named("db", db.Database)).Scan(&key); err != nil || key != "toYYYYMM(active_until), responsible_unit, case_id" {
		t.Fatalf("case_status is ordered by %q (%v)", key, err)
	}
	if got := whtest.Uint(t, db, "SELECT count() FROM "+cs+" WHERE active_until = '2149-06-06' AND empty(evaluated_months) AND status IN ('accepted', 'concluded')"); got != 2 {
		t.Fatalf("%d of the 2 rows kept, active in every month", got)
	}
	if got := whtest.Uint(t, db, "SELECT count() FROM system.tables WHERE database = {db:String} AND name LIKE '%rebuilt%'", clickhouse.Named("db", db.Database)); got != 0 {
		t.Fatalf("%d twin tables left", got)
	}
	// The next case_status run is a full one.
	expectFullRunNext(t, db, "case_status")
}

// expectFullRunNext fails t unless the transform's last state has no
// fingerprint, which makes its next run a full one.
func expectFullRunNext(t *testing.T, db *warehouse.DB, transform string) {
	t.Helper()
	state := db.Table("transform_state")
	if got := whtest.Uint(t, db, "SELECT count() FROM "+state+" WHERE transform = {t:String} AND fingerprint = '' AND updated_at = (SELECT max(updated_at) FROM "+state+")",
		clickhouse.Named("t", transform)); got == 0 {
		t.Fatalf("%s' last state keeps a fingerprint", transform)
	}
}

// TestCaseStatusGainsRejected: migration 15 adds case_status.rejected to
// the table and its twin of a warehouse at version 14, and makes the next
// case_status run a full one, which writes the flag.
func TestCaseStatusGainsRejected(t *testing.T) {
	db, ctx := migratedDB(t)
	for _, name := range []string{"case_status", "case_status_staging"} {
		if err := db.Exec(ctx, "ALTER TABLE "+db.Table(name)+" DROP COLUMN rejected"); err != nil {
			t.Fatal(err)
		}
	}
	rerunMigration(t, ctx, db, 15)
	if got := whtest.Uint(t, db, "SELECT count() FROM system.columns WHERE database = {db:String} AND table IN ('case_status', 'case_status_staging') AND name = 'rejected' AND type = 'Bool'",
		clickhouse.Named("db", db.Database)); got != 2 {
		t.Fatalf("rejected is in %d of case_status and its twin", got)
	}
	expectFullRunNext(t, db, "case_status")
}

// TestCaseIDRange: migration 16 gives petitions, petition_flags,
// case_status and the twins the case_id range index, built for the rows
// they hold, and a look-up of a recent case by its day-numbered ID reads
// only the granules whose IDs span it.
func TestCaseIDRange(t *testing.T) {
	db, ctx := migratedDB(t)
	tables := []string{"petitions", "petition_flags", "petition_flags_staging", "case_status", "case_status_staging"}
	for _, name := range tables {
		if err := db.Exec(ctx, "ALTER TABLE "+db.Table(name)+" DROP INDEX case_id_range"); err != nil {
			t.Fatal(err)
		}
	}
	lookup := dayNumbered(t, ctx, db, "petitions", "case_id", "XF", "case_id_range", "petitioner_key", "'k'")
	if err := db.Exec(ctx, lookup); err == nil {
		t.Fatal("the look-up used case_id_range before migration 16")
	}
	rerunMigration(t, clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"mutations_sync": 2})), db, 16)
	if got := whtest.Uint(t, db, "SELECT count() FROM system.data_skipping_indices WHERE database = {db:String} AND name = 'case_id_range' AND type = 'minmax' AND expr = 'case_id'",
		clickhouse.Named("db", db.Database)); got != uint64(len(tables)) {
		t.Fatalf("case_id_range is on %d of the %d tables", got, len(tables))
	}
	// Built for the part already there: reading it whole (40,000 rows)
	// would pass max_rows_to_read.
	if got := whtest.Uint(t, db, lookup); got != 2 {
		t.Fatalf("the look-up found %d of the 2 cases", got)
	}
}

// TestHotlineStatusAdded: migration 17 gives a warehouse at version 16
// hotline_status and its twin, taking patch-part deletes as the other
// incremental tables do, and hotline_orders the order_id range index,
// built for the orders it holds.
func TestHotlineStatusAdded(t *testing.T) {
	db, ctx := migratedDB(t)
	for _, stmt := range []string{"DROP TABLE " + db.Table("hotline_status"), "DROP TABLE " + db.Table("hotline_status_staging"),
		"ALTER TABLE " + db.Table("hotline_orders") + " DROP INDEX order_id_range"} {
		if err := db.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	lookup := dayNumbered(t, ctx, db, "hotline_orders", "order_id", "RX", "order_id_range", "category, caller_key", "'other', 'k'")
	rerunMigration(t, clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"mutations_sync": 2})), db, 17)
	if got := whtest.Uint(t, db, "SELECT count() FROM system.tables WHERE database = {db:String} AND name IN ('hotline_status', 'hotline_status_staging') "+
		"AND create_table_query LIKE '%enable_block_number_column = 1%'", clickhouse.Named("db", db.Database)); got != 2 {
		t.Fatalf("%d of hotline_status and its twin take patch-part deletes", got)
	}
	if got := whtest.Uint(t, db, lookup); got != 2 {
		t.Fatalf("the look-up found %d of the 2 orders", got)
	}
}

// TestIngestedAtRange: migration 18 gives petitions, hotline_orders and
// events the ingested_at range index, built for the rows they hold, and a
// tick's look-up of the records stored since its last run reads only the
// granules stored since.
func TestIngestedAtRange(t *testing.T) {
	db, ctx := migratedDB(t)
	const at = "toDateTime64('2026-01-01 00:00:00', 3, 'Asia/Shanghai') + number * 200"
	tables := []struct{ name, cols, vals string }{
		{"petitions", "case_id, received_at", "concat('XF', toString(number)), " + at},
		{"hotline_orders", "order_id, received_at", "concat('RX', toString(number)), " + at},
		{"events", "event_id, ref_kind, ref, at", "concat('EV', toString(number)), 'petition', concat('XF', toString(number)), " + at},
	}
	var lookups []string
	for _, tb := range tables {
		if err := db.Exec(ctx, "ALTER TABLE "+db.Table(tb.name)+" DROP INDEX ingested_at_range"); err != nil {
			t.Fatal(err)
		}
		// 40,000 rows stored in January, then 10 stored now, as a tick
		// finds them after the years before.
		for _, batch := range []struct{ rows, stored string }{
			{"40000", "toDateTime64('2026-01-31 00:00:00', 3, 'Asia/Shanghai')"}, {"10", "now64(3)"}} {
			if err := db.Exec(ctx, "INSERT INTO "+db.Table(tb.name)+" ("+tb.cols+", ingested_at) SELECT "+tb.vals+", "+batch.stored+
				" FROM numbers("+batch.rows+")"); err != nil {
				t.Fatal(err)
			}
		}
		lookups = append(lookups, "SELECT count() FROM "+db.Table(tb.name)+" WHERE ingested_at > toDateTime64('2026-06-01 00:00:00', 3, 'Asia/Shanghai') "+
			"SETTINGS force_data_skipping_indices = 'ingested_at_range', max_rows_to_read = 16384")
	}
	if err := db.Exec(ctx, lookups[0]); err == nil {
		t.Fatal("the look-up used ingested_at_range before migration 18")
	}
	rerunMigration(t, clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"mutations_sync": 2})), db, 18)
	if got := whtest.Uint(t, db, "SELECT count() FROM system.data_skipping_indices WHERE database = {db:String} AND name = 'ingested_at_range' AND type = 'minmax' AND expr = 'ingested_at'",
		clickhouse.Named("db", db.Database)); got != uint64(len(tables)) {
		t.Fatalf("ingested_at_range is on %d of the %d tables", got, len(tables))
	}
	// Built for the parts already there: reading a table whole (40,010
	// rows) would pass max_rows_to_read.
	for i, q := range lookups {
		if got := whtest.Uint(t, db, q); got != 10 {
			t.Fatalf("%s: the look-up found %d of the 10 rows stored since", tables[i].name, got)
		}
	}
}

// dayNumbered stores 40,000 records in table over 92 days from four
// counties, their IDs (column id) numbered by day: prefix, yyyymmdd, "-",
// row. It returns a look-up of two of 25 March's that must use index and
// read at most two granules: each month's part holds two, each spanning
// the month's IDs (the record tables are ordered by county first). cols
// and vals are the table's other columns the insert sets.
func dayNumbered(t *testing.T, ctx context.Context, db *warehouse.DB, table, id, prefix, index, cols, vals string) string {
	t.Helper()
	if err := db.Exec(ctx, "INSERT INTO "+db.Table(table)+" ("+id+", received_at, county_code, "+cols+`)
		SELECT concat('`+prefix+`', toString(toYYYYMMDD(at)), '-', toString(number)), at, ['a', 'b', 'c', 'd'][1 + number % 4], `+vals+`
		FROM (SELECT number, toDateTime64('2026-01-01 00:00:00', 3, 'Asia/Shanghai') + number * 200 AS at FROM numbers(40000))`); err != nil {
		t.Fatal(err)
	}
	return "SELECT count() FROM " + db.Table(table) + " WHERE " + id + " IN ('" + prefix + "20260325-36000', '" + prefix + "20260325-36100') " +
		"SETTINGS force_data_skipping_indices = '" + index + "', max_rows_to_read = 16384"
}

// TestTwinsKeepTheTableComment: a full run exchanges a table with its
// staging twin, comments included, so the twin carries the table's comment;
// migration 14 mends warehouses whose twins had one of their own.
func TestTwinsKeepTheTableComment(t *testing.T) {
	db, ctx := migratedDB(t)
	comment := func(name string) string {
		t.Helper()
		var c string
		if err := db.QueryRow(ctx, "SELECT comment FROM system.tables WHERE database = {db:String} AND name = {n:String}",
			clickhouse.Named("db", db.Database), clickhouse.Named("n", name)).Scan(&c); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return c
	}
	// The staging twins' old comment was "staging twin of <name> (transforms only)".
	wrong := func() uint64 {
		return whtest.Uint(t, db, "SELECT count() FROM system.tables AS a, system.tables AS b "+
			"WHERE a.database = {db:String} AND b.database = {db:String} AND b.name = a.name || '_staging' "+
			"AND (a.comment != b.comment OR a.comment LIKE 'staging twin%')", clickhouse.Named("db", db.Database))
	}
	if n := wrong(); n != 0 {
		t.Fatalf("%d tables and their twins differ in comment after migrating", n)
	}
	want := comment("key_history")
	exchange := "EXCHANGE TABLES " + db.Table("key_history_staging") + " AND " + db.Table("key_history")
	if err := db.Exec(ctx, exchange); err != nil {
		t.Fatal(err)
	}
	if got := comment("key_history"); got != want || !strings.HasPrefix(got, "per petitioner key") {
		t.Fatalf("after an exchange key_history says %q, want %q", got, want)
	}
	for _, stmt := range []string{
		"ALTER TABLE " + db.Table("case_status_staging") + " MODIFY COMMENT 'staging twin of case_status (transforms only)'",
		"EXCHANGE TABLES " + db.Table("case_status_staging") + " AND " + db.Table("case_status"),
	} {
		if err := db.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if n := wrong(); n != 1 {
		t.Fatalf("%d tables differ from their twins before migration 14, want case_status", n)
	}
	rerunMigration(t, ctx, db, 14)
	if n := wrong(); n != 0 {
		t.Fatalf("%d tables and their twins differ in comment after migration 14", n)
	}
	if got := comment("case_status"); !strings.HasPrefix(got, "办理") {
		t.Fatalf("case_status says %q", got)
	}
}

// migratedDB is a new database with every migration applied.
func migratedDB(t *testing.T) (*warehouse.DB, context.Context) {
	t.Helper()
	db := whtest.Open(t, whtest.NewDatabase(t))
	ctx := context.Background()
	if _, err := warehouse.Migrate(ctx, db, quiet); err != nil {
		t.Fatal(err)
	}
	return db, ctx
}

// rerunMigration runs migration v's statements on db twice, as a migration
// interrupted and run again would (each must be idempotent).
func rerunMigration(t *testing.T, ctx context.Context, db *warehouse.DB, v int) {
	t.Helper()
	i := slices.IndexFunc(warehouse.Migrations, func(m warehouse.Migration) bool { return m.Version == v })
	if i < 0 {
		t.Fatalf("no migration %d", v)
	}
	for range 2 {
		for _, stmt := range warehouse.Migrations[i].Up(db.Target) {
			if err := db.Exec(ctx, stmt); err != nil {
				t.Fatalf("%v\n%s", err, stmt)
			}
		}
	}
}
