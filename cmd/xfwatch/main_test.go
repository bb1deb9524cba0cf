package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"xfwatch/warehouse/chdb"
	"xfwatch/warehouse/whtest"
)

// The test binary doubles as xfwatch: run with XFWATCH_TEST_AS_BINARY=1 it
// is the command, so tests drive real processes without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("XFWATCH_TEST_AS_BINARY") == "1" {
		os.Exit(runMain(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func needEngine(t *testing.T) {
	t.Helper()
	if !chdb.Available() {
		if os.Getenv(whtest.RequireEnv) != "" {
			t.Fatalf("libchdb.so missing at %s", chdb.LibraryPath())
		}
		t.Skipf("libchdb.so missing at %s: run `make chdb`", chdb.LibraryPath())
	}
}

// xfwatch runs the command to completion and returns its output and exit code.
func xfwatch(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "XFWATCH_TEST_AS_BINARY=1"), env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// warehouseAndBroker starts a warehouse with the schema and reference data
// in database xf (dsn) and a two-partition broker (kafkaAddr).
func warehouseAndBroker(t *testing.T) (whAddr, kafkaAddr, dsn string) {
	t.Helper()
	whAddr, kafkaAddr = freeAddr(t), freeAddr(t)
	startWarehouse(t, whAddr, t.TempDir())
	dsn = "http://" + whAddr + "/xf"
	mustRun(t, "migrate", "--clickhouse", dsn)
	mustRun(t, "refdata", "load", "--clickhouse", dsn)
	startProcess(t, nil, kafkaAddr, "broker", "--listen", kafkaAddr, "--partitions", "2")
	return whAddr, kafkaAddr, dsn
}

// startWarehouse starts `xfwatch warehouse` and waits until /ping answers.
func startWarehouse(t *testing.T, addr, data string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "warehouse", "--listen", addr, "--data", data)
	cmd.Env = append(os.Environ(), "XFWATCH_TEST_AS_BINARY=1")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get("http://" + addr + "/ping"); err == nil {
			res.Body.Close()
			return cmd
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("warehouse did not come up on %s:\n%s", addr, logs.String())
	return nil
}

func httpQuery(t *testing.T, addr, sql string) (int, string) {
	t.Helper()
	res, err := http.Get("http://" + addr + "/?query=" + url.QueryEscape(sql))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// awaitRows polls a query until it returns rows (at most 60 s) and returns them.
func awaitRows(t *testing.T, addr, sql string) string {
	t.Helper()
	var body string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if _, body = httpQuery(t, addr, sql); body != "" {
			break
		}
	}
	return body
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, code := xfwatch(t, nil, args...)
	if code != 0 {
		t.Fatalf("xfwatch %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

func TestWarehouseCommandAcceptance(t *testing.T) {
	needEngine(t)
	addr, data := freeAddr(t), t.TempDir()
	wh := startWarehouse(t, addr, data)

	if code, body := httpQuery(t, addr, "SELECT version()"); code != 200 || !strings.HasPrefix(body, "26.") {
		t.Fatalf("version: %d %q", code, body)
	}
	if code, body := httpQuery(t, addr, "SELECT nonsense("); code != 500 || !strings.Contains(body, "DB::Exception") {
		t.Fatalf("bad query: %d %q", code, body)
	}
	dsn := "http://" + addr + "/xf"
	mustRun(t, "migrate", "--clickhouse", dsn)
	if out := mustRun(t, "migrate", "--clickhouse", dsn); !strings.Contains(out, "0 migrations applied now") {
		t.Fatalf("second migrate: %s", out)
	}
	mustRun(t, "refdata", "load", "--clickhouse", dsn)
	out := mustRun(t, "refdata", "load", "--clickhouse", dsn)
	if strings.Contains(out, "replaced") || !strings.Contains(out, "regions               120 rows  unchanged") {
		t.Fatalf("second refdata load changed something:\n%s", out)
	}
	if _, body := httpQuery(t, addr, "SELECT count() FROM xf.regions"); body != "120\n" {
		t.Fatalf("regions: %q", body)
	}
	res, err := http.Post("http://"+addr+"/?database=xf", "text/plain",
		strings.NewReader("INSERT INTO petitions (case_id, received_at, county_code, category) VALUES ('XF-1', now(), '620102', 'other')"))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("insert: %v %v", err, res)
	}
	res.Body.Close()

	// SIGTERM stops it cleanly; the data is there after a restart.
	if err := wh.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := wh.Wait(); err != nil {
		t.Fatalf("warehouse exited with %v after SIGTERM", err)
	}
	wh = startWarehouse(t, addr, data)
	if _, body := httpQuery(t, addr, "SELECT (SELECT count() FROM xf.regions), (SELECT count() FROM xf.petitions WHERE case_id = 'XF-1')"); body != "120\t1\n" {
		t.Fatalf("after SIGTERM and restart: %q", body)
	}
	// Even kill -9 keeps what was acknowledged.
	_ = wh.Process.Kill()
	_ = wh.Wait()
	startWarehouse(t, addr, data)
	if _, body := httpQuery(t, addr, "SELECT count() FROM xf.petitions"); body != "1\n" {
		t.Fatalf("after kill -9 and restart: %q", body)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	f := func(env []string, wantCode int, wantText string, args ...string) {
		t.Helper()
		out, code := xfwatch(t, env, args...)
		if code != wantCode || !strings.Contains(out, wantText) {
			t.Errorf("xfwatch %v: exit %d %q, want exit %d mentioning %q", args, code, out, wantCode, wantText)
		}
	}
	f(nil, 2, "unknown command", "nosuch")
	f(nil, 2, "--clickhouse is required", "migrate")
	f(nil, 2, "scheme \"ftp\" is not supported", "migrate", "--clickhouse", "ftp://x/y")
	f(nil, 2, "the indicator SQL uses \"p\" as an alias", "migrate", "--clickhouse", "http://127.0.0.1:1/p")
	f(nil, 2, "not a loopback address", "warehouse", "--data", t.TempDir(), "--listen", "0.0.0.0:18999")
	f(nil, 2, "flag provided but not defined", "migrate", "--nope")
	f([]string{"XFWATCH_DAYS=zero"}, 2, "XFWATCH_DAYS", "demo", "--once")
	f(nil, 2, "refdata load", "refdata")
	f(nil, 2, "--from and --to go together", "transform", "--clickhouse", "http://127.0.0.1:1/x", "--from", "2026-01-01")
	f(nil, 2, "EARS baseline 2", "transform", "--clickhouse", "http://127.0.0.1:1/x", "--once", "--ears-baseline", "2")
	// -h shows the command's usage once and exits 0.
	for _, h := range []string{"-h", "--help"} {
		out, code := xfwatch(t, nil, "bench", h)
		if code != 0 || strings.Count(out, "usage: xfwatch bench") != 1 || !strings.Contains(out, "--profile-dir") {
			t.Errorf("xfwatch bench %s: exit %d, want the usage once:\n%s", h, code, out)
		}
	}
	// The environment stands in for a flag; a warehouse that is not there is
	// a runtime failure, not a usage error.
	f([]string{"XFWATCH_CLICKHOUSE=http://" + freeAddr(t) + "/xf"}, 1, "is the warehouse running?", "migrate")
	// Commands that only talk to a server never load libchdb.so.
	noLib := []string{"XFWATCH_CHDB_LIB=/nonexistent/libchdb.so"}
	out, code := xfwatch(t, noLib, "migrate", "--print", "--cluster", "c1")
	if code != 0 || !strings.Contains(out, "ON CLUSTER `c1`") {
		t.Errorf("migrate --print --cluster: exit %d %s", code, out)
	}
	f(append(noLib, "XFWATCH_CLICKHOUSE=http://"+freeAddr(t)+"/xf"), 1, "is the warehouse running?", "refdata", "load")
	f(noLib, 1, "make chdb", "warehouse", "--data", t.TempDir(), "--listen", freeAddr(t))
}

func TestDemoOnce(t *testing.T) {
	needEngine(t)
	data := t.TempDir()
	run := func() string {
		out, code := xfwatch(t, nil, "demo", "--once", "--days", "30", "--data", data,
			"--warehouse-listen", freeAddr(t), "--broker-listen", freeAddr(t))
		if code != 0 {
			t.Fatalf("demo --once: exit %d\n%s", code, out)
		}
		return out
	}
	out := run()
	for _, want := range []string{"regions                 120", "units                   143", "curl '",
		"top risk cells", "三访", "against the generator's ground truth", "planted found"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	counts := regexp.MustCompile(`(?m)^  (petitions|hotline_orders|events)\s+(\d+)$`).FindAllStringSubmatch(out, -1)
	if len(counts) != 3 || counts[0][2] == "0" {
		t.Fatalf("demo stored no records:\n%s", out)
	}
	// A second run over the same data stores nothing twice.
	again := run()
	if got := regexp.MustCompile(`(?m)^  (petitions|hotline_orders|events)\s+(\d+)$`).FindAllStringSubmatch(again, -1); fmt.Sprint(got) != fmt.Sprint(counts) {
		t.Fatalf("second run changed the counts: %v then %v", counts, got)
	}
}
