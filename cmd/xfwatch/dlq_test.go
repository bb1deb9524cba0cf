package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// TestDLQExportAndReplay: a record refused for its category is exported with
// the key, fixed in the file and replayed, and lands in the warehouse.
func TestDLQExportAndReplay(t *testing.T) {
	needEngine(t)
	whAddr, kAddr, dsn := warehouseAndBroker(t)
	mAddr := freeAddr(t)
	key := []string{"XFWATCH_PSEUDONYM_KEY=dlq-test-key-0123456789abcdef01234"}
	startProcess(t, key, mAddr, "ingest", "--kafka", kAddr, "--clickhouse", dsn, "--metrics-listen", mAddr)

	record := `{"case_id":"DLQ-1","received_at":"2026-11-20T09:30:00+08:00","channel":"letter","receiving_level":"city",` +
		`"origin_region":"620105","category":"weather","headcount":1,"petitioner":{"phone":"13800138000"},` +
		`"responsible_unit":"CITY-STHJ","subject":"噪声扰民"}`
	w := &kafka.Writer{Addr: kafka.TCP(kAddr), Topic: "xf.petitions", RequiredAcks: kafka.RequireAll, BatchTimeout: 5 * time.Millisecond}
	if err := w.WriteMessages(context.Background(), kafka.Message{Key: []byte("DLQ-1"), Value: []byte(record)}); err != nil {
		t.Fatal(err)
	}
	w.Close()

	file := filepath.Join(t.TempDir(), "rejected.jsonl")
	var out string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		os.Remove(file)
		var code int
		if out, code = xfwatch(t, key, "dlq", "export", "--kafka", kAddr, "--out", file); code == 0 && strings.HasPrefix(out, "1 rejected") {
			break
		}
	}
	if !strings.Contains(out, "validate category: 1") {
		t.Fatalf("dlq export: %s", out)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Errorf("the export file has mode %v, want 0600", st.Mode().Perm())
	}
	if !bytes.Contains(b, []byte(`13800138000`)) || !bytes.Contains(b, []byte(`\"category\":\"weather\"`)) {
		t.Fatalf("the export does not hold the record as produced:\n%s", b)
	}
	if out, code := xfwatch(t, key, "dlq", "export", "--kafka", kAddr, "--out", file); code != 2 {
		t.Fatalf("dlq export over an existing file: exit %d %s", code, out)
	}
	fixed := bytes.Replace(b, []byte(`\"category\":\"weather\"`), []byte(`\"category\":\"environment\"`), 1)
	if err := os.WriteFile(file, fixed, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code := xfwatch(t, nil, "dlq", "replay", "--kafka", kAddr, "--in", file); code != 0 || !strings.HasPrefix(out, "1 records produced") {
		t.Fatalf("dlq replay: exit %d %s", code, out)
	}
	body := awaitRows(t, whAddr, "SELECT case_id, category FROM xf.petitions")
	if body != "DLQ-1\tenvironment\n" {
		t.Fatalf("warehouse holds %q", body)
	}
}
