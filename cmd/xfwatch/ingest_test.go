package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// startProcess starts `xfwatch args…` and waits until addr accepts
// connections.
func startProcess(t *testing.T, env []string, addr string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "XFWATCH_TEST_AS_BINARY=1"), env...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return cmd, &logs
		}
	}
	t.Fatalf("xfwatch %v did not listen on %s:\n%s", args, addr, logs.String())
	return nil, nil
}

func TestKcatRecordLandsInWarehouse(t *testing.T) {
	needEngine(t)
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		t.Skip("kcat is not installed (make test installs it with apt where it can)")
	}
	whAddr, kAddr, dsn := warehouseAndBroker(t)
	mAddr := freeAddr(t)

	// Production refuses to start without a pseudonymisation key.
	out, code := xfwatch(t, []string{"XFWATCH_PSEUDONYM_KEY="}, "ingest", "--kafka", kAddr, "--clickhouse", dsn)
	if code != 2 || !strings.Contains(out, "XFWATCH_PSEUDONYM_KEY") {
		t.Fatalf("ingest without a key: exit %d %q", code, out)
	}
	_, logs := startProcess(t, []string{"XFWATCH_PSEUDONYM_KEY=kcat-test-key-0123456789abcdef0123"}, mAddr,
		"ingest", "--kafka", kAddr, "--clickhouse", dsn, "--metrics-listen", mAddr)

	record := `{"case_id":"KCAT-1","received_at":"2026-11-20T09:30:00+08:00","channel":"letter","receiving_level":"city",` +
		`"origin_region":"620105","category":"environment","headcount":1,"petitioner":{"phone":"13800138000"},` +
		`"responsible_unit":"CITY-STHJ","subject":"噪声扰民"}`
	produce := exec.Command(kcat, "-b", kAddr, "-P", "-t", "xf.petitions", "-k", "KCAT-1")
	produce.Stdin = strings.NewReader(record + "\n")
	if b, err := produce.CombinedOutput(); err != nil {
		t.Fatalf("kcat: %v %s", err, b)
	}
	body := awaitRows(t, whAddr, "SELECT case_id, category, key_kind FROM xf.petitions")
	if body != "KCAT-1\tenvironment\tphone\n" {
		t.Fatalf("warehouse holds %q; ingest logs:\n%s", body, logs.String())
	}
	res, err := http.Get("http://" + mAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	m, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(m), `xfwatch_ingest_records_total{outcome="inserted",topic="xf.petitions"} 1`) {
		t.Fatalf("metrics lack the inserted record:\n%s", m)
	}
	if strings.Contains(logs.String(), "13800138000") {
		t.Fatal("the phone number reached the logs")
	}
}
