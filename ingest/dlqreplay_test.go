package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"xfwatch/ingest"
)

// TestDLQExportFixReplay: records refused for an unknown category come back
// out of the DLQ whole (opened with the key, not with another), and once
// fixed and replayed they are stored like any record, without new rejects.
func TestDLQExportFixReplay(t *testing.T) {
	e := newEnv(t, 2)
	ctx := context.Background()
	var msgs []kafka.Message
	bad := map[string]string{} // key → the record as produced
	for i := range 200 {
		msgs = append(msgs, petition(i))
		if i%10 == 0 {
			var m map[string]any
			json.Unmarshal(petition(5000+i).Value, &m)
			m["category"] = "aliens"
			v, _ := json.Marshal(m)
			key := fmt.Sprintf("XF%07d", 5000+i)
			bad[key] = string(v)
			msgs = append(msgs, kafka.Message{Key: []byte(key), Value: v})
		}
	}
	e.produce(e.topics.Petitions, msgs...)
	stop := e.consumer(ingest.Config{BatchRecords: 50})
	defer stop()
	e.waitFor("the good records stored", 60*time.Second, func() bool { return e.count("petitions") >= 200 })
	e.waitFor("the bad ones in the DLQ", 60*time.Second, func() bool { return len(e.dlq()) >= len(bad) })

	dialer := &kafka.Dialer{Timeout: 10 * time.Second}
	other, _ := ingest.NewSealer([]byte("another-pseudonym-key-0123456789ab"))
	if _, err := ingest.ReadDLQ(ctx, dialer, e.broker.Addr(), e.topics.DLQ, other); err == nil || !strings.Contains(err.Error(), "key") {
		t.Fatalf("the DLQ opened with another key: %v", err)
	}
	sealer, _ := ingest.NewSealer(testKey)
	got, err := ingest.ReadDLQ(ctx, dialer, e.broker.Addr(), e.topics.DLQ, sealer)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(bad) {
		t.Fatalf("read %d records from the DLQ, want %d", len(got), len(bad))
	}
	for i, r := range got {
		if r.Record != bad[r.Key] || r.Field != "category" || r.SourceTopic != e.topics.Petitions || r.Truncated {
			t.Fatalf("DLQ record %+v; produced %q", r, bad[r.Key])
		}
		got[i].Record = strings.Replace(r.Record, `"aliens"`, `"demolition"`, 1)
	}

	w := &kafka.Writer{Addr: kafka.TCP(e.broker.Addr()), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll, BatchTimeout: 5 * time.Millisecond}
	defer w.Close()
	if err := ingest.Replay(ctx, w, got); err != nil {
		t.Fatal(err)
	}
	want := uint64(200 + len(bad))
	e.waitFor("the fixed records stored", 60*time.Second, func() bool { return e.count("petitions") >= want })
	time.Sleep(time.Second)
	if c, u := e.count("petitions"), e.uniq("petitions", "case_id"); c != want || u != want {
		t.Fatalf("petitions: count %d, uniqExact %d, want %d", c, u, want)
	}
	if n := len(e.dlq()); n != len(bad) {
		t.Fatalf("the DLQ holds %d records after the replay, want the %d from before", n, len(bad))
	}
	err = ingest.Replay(ctx, w, []ingest.Rejected{{SourceTopic: e.topics.Petitions, Key: "X", Record: "{", Truncated: true}})
	if err == nil || !strings.Contains(err.Error(), "in part") {
		t.Fatalf("a truncated record was replayed: %v", err)
	}
}
