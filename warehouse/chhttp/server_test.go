package chhttp_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/warehouse"
	"xfwatch/warehouse/chhttp"
	"xfwatch/warehouse/whtest"
)

func TestMain(m *testing.M) { os.Exit(whtest.Main(m)) }

func TestNativeTypesReachClickhouseGo(t *testing.T) {
	db := whtest.Open(t, whtest.NewDatabase(t))
	var (
		n   *int32
		ns  *string
		arr []uint8
		e   string
		dt  time.Time
		lc  string
		f   float32
		u   uint64
		m   map[string]string
	)
	err := db.QueryRow(context.Background(), `SELECT
		toNullable(7)::Nullable(Int32), NULL::Nullable(String), [1,2,3]::Array(UInt8),
		CAST('b', 'Enum8(\'a\' = 1, \'b\' = 2)'),
		toDateTime64('2026-01-02 03:04:05.678', 3, 'Asia/Shanghai'), toLowCardinality('低'),
		1.5::Float32, 18446744073709551615::UInt64, map('k', 'v')`).
		Scan(&n, &ns, &arr, &e, &dt, &lc, &f, &u, &m)
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	if n == nil || *n != 7 || ns != nil || fmt.Sprint(arr) != "[1 2 3]" || e != "b" ||
		!dt.Equal(time.Date(2026, 1, 2, 3, 4, 5, 678e6, sh)) || lc != "低" || f != 1.5 || u != 1<<64-1 ||
		m["k"] != "v" {
		t.Fatalf("got %v %v %v %q %v %q %v %v %v", n, ns, arr, e, dt, lc, f, u, m)
	}
	// Types ch-go cannot re-encode give an error that says what to do.
	err = db.QueryRow(context.Background(), "SELECT tuple('a', 1)").Scan(new(any))
	if err == nil || !strings.Contains(err.Error(), "Tuple") || !strings.Contains(err.Error(), "another format") {
		t.Fatalf("tuple: got %v, want an error naming the type and another format", err)
	}
}

func TestManyBlocksAndEmptyResults(t *testing.T) {
	db := whtest.Open(t, whtest.NewDatabase(t))
	ctx := clickhouse.Context(context.Background(), clickhouse.WithSettings(clickhouse.Settings{"max_block_size": 1000}))
	rows, err := db.Query(ctx, "SELECT number FROM numbers(100000)")
	if err != nil {
		t.Fatal(err)
	}
	var count, sum uint64
	for rows.Next() {
		var v uint64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		count++
		sum += v
	}
	rows.Close()
	if count != 100000 || sum != 100000*99999/2 {
		t.Fatalf("read %d rows summing to %d", count, sum)
	}
	rows, err = db.Query(context.Background(), "SELECT 1 AS one, 'x' AS two WHERE 0")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Fatal("empty result has a row")
	}
	if got := strings.Join(rows.Columns(), ","); got != "one,two" {
		t.Fatalf("empty result columns %q", got)
	}
}

// Regression: inline INSERT data ended at the first blank line inside the
// engine, and the UInt32 2570 is the bytes 0A 0A 00 00.
func TestInsertDataContainingBlankLine(t *testing.T) {
	db := whtest.Open(t, whtest.NewDatabase(t))
	ctx := context.Background()
	if err := db.Exec(ctx, "CREATE TABLE "+db.Table("n")+" (v UInt32, s String) ENGINE = MergeTree ORDER BY v"); err != nil {
		t.Fatal(err)
	}
	batch, err := db.PrepareBatch(ctx, "INSERT INTO "+db.Table("n"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100000; i++ {
		if err := batch.Append(uint32(i), "a\n\nb"); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
	if got := whtest.Uint(t, db, "SELECT sum(v) FROM "+db.Table("n")+" WHERE s = 'a\n\nb'"); got != 100000*99999/2 {
		t.Fatalf("sum %d", got)
	}
}

func get(t *testing.T, rawURL string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, rawURL, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestPlainHTTPClients(t *testing.T) {
	e := whtest.Embedded(t)
	base := "http://" + e.Addr
	q := func(sql string) string { return base + "/?query=" + url.QueryEscape(sql) }

	if res, body := get(t, base+"/ping", nil); res.StatusCode != 200 || body != "Ok.\n" {
		t.Fatalf("/ping: %d %q", res.StatusCode, body)
	}
	if res, body := get(t, q("SELECT version()"), nil); res.StatusCode != 200 || !strings.HasPrefix(body, "26.") {
		t.Fatalf("version: %d %q", res.StatusCode, body)
	}
	res, body := get(t, q("SELECT foo"), nil)
	if res.StatusCode != 500 || res.Header.Get("X-ClickHouse-Exception-Code") != "47" ||
		!strings.HasPrefix(body, "Code: 47. DB::Exception: ") {
		t.Fatalf("bad query: %d %v %q", res.StatusCode, res.Header, body)
	}
	res, body = get(t, q("CREATE TABLE default.x (a Int8) ENGINE = Memory"), nil)
	if res.StatusCode != 500 || res.Header.Get("X-ClickHouse-Exception-Code") != "164" {
		t.Fatalf("GET ran a CREATE: %d %q", res.StatusCode, body)
	}
	if res, body := get(t, q("SELECT 1 AS a FORMAT JSONEachRow"), nil); body != "{\"a\":1}\n" || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("JSONEachRow: %q %v", body, res.Header)
	}
	if _, body := get(t, q("SELECT {s:String} AS s")+"&param_s="+url.QueryEscape("it's"), nil); body != "it\\'s\n" {
		t.Fatalf("param: %q", body)
	}
	// A setting given for one request does not stay on the engine session.
	for i := 0; i < 20; i++ {
		if _, body := get(t, q("SELECT getSetting('max_threads')")+"&max_threads=1", nil); body != "1\n" {
			t.Fatalf("setting not applied: %q", body)
		}
	}
	for i := 0; i < 20; i++ {
		if _, body := get(t, q("SELECT getSetting('max_threads')"), nil); body == "1\n" {
			t.Fatalf("max_threads=1 leaked into a later request")
		}
	}
	// Nor does a SET or USE sent as a statement.
	for i := 0; i < 20; i++ {
		post(t, base+"/", "SET max_threads = 1", "")
	}
	for i := 0; i < 20; i++ {
		if body := post(t, base+"/", "SELECT getSetting('max_threads')", ""); body == "1\n" {
			t.Fatal("a SET statement leaked into a later request")
		}
	}
	// gzip both ways, as curl --compressed and ClickHouse clients do.
	var zbody bytes.Buffer
	zw := gzip.NewWriter(&zbody)
	zw.Write([]byte("SELECT 40 + 2"))
	zw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/?enable_http_compression=1", &zbody)
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Accept-Encoding", "gzip")
	tr := &http.Transport{DisableCompression: true}
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("response not gzipped: %v", res.Header)
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(zr); string(b) != "42\n" {
		t.Fatalf("gzip round trip: %q", b)
	}
}

func post(t *testing.T, rawURL, body, contentEncoding string) string {
	t.Helper()
	res, err := http.Post(rawURL, "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func TestClickhouseGoCompression(t *testing.T) {
	dsn := whtest.NewDatabase(t)
	for _, method := range []string{"lz4", "zstd", "gzip"} {
		t.Run(method, func(t *testing.T) {
			extra := "?compress=" + method
			if method == "gzip" {
				extra += "&enable_http_compression=1"
			}
			db := whtest.Open(t, dsn+extra)
			ctx := context.Background()
			table := db.Table("c_" + method)
			if err := db.Exec(ctx, "CREATE TABLE "+table+" (v UInt64, s String) ENGINE = MergeTree ORDER BY v"); err != nil {
				t.Fatal(err)
			}
			batch, err := db.PrepareBatch(ctx, "INSERT INTO "+table)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 50000; i++ {
				_ = batch.Append(uint64(i), strings.Repeat("x", i%40))
			}
			if err := batch.Send(); err != nil {
				t.Fatal(err)
			}
			var n, sum uint64
			if err := db.QueryRow(ctx, "SELECT count(), sum(length(s)) FROM "+table).Scan(&n, &sum); err != nil {
				t.Fatal(err)
			}
			if n != 50000 || sum != 50000/40*(39*40/2) {
				t.Fatalf("count %d sum %d", n, sum)
			}
			rows, err := db.Query(ctx, "SELECT v, s FROM "+table+" ORDER BY v")
			if err != nil {
				t.Fatal(err)
			}
			var read int
			for rows.Next() {
				var v uint64
				var s string
				if err := rows.Scan(&v, &s); err != nil || int(v) != read || len(s) != read%40 {
					t.Fatalf("row %d: %d %q %v", read, v, s, err)
				}
				read++
			}
			rows.Close()
			if read != 50000 {
				t.Fatalf("read %d rows", read)
			}
		})
	}
}

func TestPassword(t *testing.T) {
	e := whtest.Embedded(t)
	front, err := chhttp.New(e.Engine, chhttp.Config{Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(front)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	if _, err := warehouse.Open(context.Background(), "http://"+host+"/default"); err == nil || !strings.Contains(err.Error(), "516") {
		t.Fatalf("no password: got %v, want AUTHENTICATION_FAILED", err)
	}
	db, err := warehouse.Open(context.Background(), "http://default:s3cret@"+host+"/default")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var one uint8
	if err := db.QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("with password: %v %v", one, err)
	}
	if res, _ := get(t, srv.URL+"/ping", nil); res.StatusCode != 200 {
		t.Fatalf("/ping needs no password, got %d", res.StatusCode)
	}
}
