package ingest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"xfwatch/ingest"
)

// malformed returns the i-th kind of record SPEC section 3 forbids, and
// the field the DLQ error must name ("" for not JSON, "size" for too big).
func malformed(i int) (kafka.Message, string) {
	base := func() map[string]any {
		var m map[string]any
		json.Unmarshal(petition(1_000_000+i).Value, &m)
		return m
	}
	m := base()
	field := ""
	switch i % 13 {
	case 0:
		return kafka.Message{Key: []byte(fmt.Sprint("bad-", i)), Value: []byte(`{"case_id": "X1", "received_at": `)}, ""
	case 1:
		delete(m, "case_id")
		field = "case_id"
	case 2:
		m["case_id"] = "bad id with spaces"
		field = "case_id"
	case 3:
		m["received_at"] = time.Now().Add(2 * time.Hour).Format(time.RFC3339)
		field = "received_at"
	case 4:
		m["received_at"] = "1999-12-31T23:00:00+08:00"
		field = "received_at"
	case 5:
		m["channel"] = "pigeon"
		field = "channel"
	case 6:
		m["origin_region"] = "999999"
		field = "origin_region"
	case 7:
		m["category"] = "weather"
		field = "category"
	case 8:
		m["headcount"] = 0
		field = "headcount"
	case 9:
		m["petitioner"] = map[string]any{"id_number": "620102199001011230"} // wrong check digit
		field = "id_number"
	case 10:
		m["petitioner"] = map[string]any{}
		field = "petitioner"
	case 11:
		m["responsible_unit"] = "NO-SUCH-UNIT"
		field = "responsible_unit"
	case 12:
		m["content"] = strings.Repeat("长", 400_000) // about 1.2 MB: over the 1 MiB record limit
		field = "size"
	}
	v, _ := json.Marshal(m)
	return kafka.Message{Key: []byte(fmt.Sprint("bad-", i)), Value: v}, field
}

// TestPoisonEveryKindGoesToTheDLQ: 1% of the records are malformed in
// each way the data contract forbids; exactly those reach the DLQ, with
// their source and the reason, and every good record is stored.
func TestPoisonEveryKindGoesToTheDLQ(t *testing.T) {
	e := newEnv(t, 3)
	began := time.Now()
	n := scale(10000, 100000)
	var msgs []kafka.Message
	bad := 0
	wantField := map[string]string{} // key → field
	original := map[string][]byte{}  // key → the bad record as produced
	for i := range n {
		msgs = append(msgs, petition(i))
		if i%100 == 50 {
			m, f := malformed(bad)
			wantField[string(m.Key)] = f
			original[string(m.Key)] = m.Value
			msgs = append(msgs, m)
			bad++
		}
	}
	e.produce(e.topics.Petitions, msgs...)
	stop := e.consumer(ingest.Config{BatchRecords: 2000})
	e.waitFor("every good record stored", 180*time.Second, func() bool { return e.count("petitions") >= uint64(n) })
	e.waitFor("every bad record in the DLQ", 60*time.Second, func() bool { return len(e.dlq()) >= bad })
	time.Sleep(time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	dlq := e.dlq()
	c, u := e.count("petitions"), e.uniq("petitions", "case_id")
	faultReport(t, "poison 1%", uint64(n+bad), c, u, bad, time.Since(began))
	if c != uint64(n) || u != uint64(n) {
		t.Fatalf("petitions: count %d, uniqExact %d, want %d", c, u, n)
	}
	if len(dlq) != bad {
		t.Fatalf("DLQ holds %d records, want exactly the %d bad ones", len(dlq), bad)
	}
	// The key holder can recover each rejected record from its sealed copy;
	// another key cannot.
	sealer, err := ingest.NewSealer(testKey)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := ingest.NewSealer([]byte("another-pseudonym-key-0123456789ab"))
	seen := map[string]bool{}
	for _, m := range dlq {
		var rec ingest.DLQRecord
		if err := json.Unmarshal(m.Value, &rec); err != nil {
			t.Fatalf("DLQ value is not a DLQ record: %v", err)
		}
		plain, err := sealer.Open(rec.Sealed)
		want := original[string(m.Key)]
		if rec.SealedTruncated {
			want = want[:ingest.MaxSealed]
		}
		if err != nil || !bytes.Equal(plain, want) {
			t.Fatalf("the sealed copy of %q does not open to the record produced (err %v)", m.Key, err)
		}
		if _, err := other.Open(rec.Sealed); err == nil {
			t.Fatalf("the sealed copy of %q opens with another key", m.Key)
		}
		h := map[string]string{}
		for _, x := range m.Headers {
			h[x.Key] = string(x.Value)
		}
		key := string(m.Key)
		f, ok := wantField[key]
		if !ok {
			t.Fatalf("DLQ record with key %q was not one of the bad ones", key)
		}
		seen[key] = true
		if h[ingest.HeaderSourceTopic] != e.topics.Petitions || h[ingest.HeaderSourcePartition] == "" || h[ingest.HeaderStage] == "" {
			t.Fatalf("DLQ headers %v", h)
		}
		if _, err := strconv.ParseInt(h[ingest.HeaderSourceOffset], 10, 64); err != nil {
			t.Fatalf("DLQ source offset %q", h[ingest.HeaderSourceOffset])
		}
		if f != "" && f != "size" && !strings.Contains(h[ingest.HeaderError], f) {
			t.Errorf("DLQ error %q does not name %s", h[ingest.HeaderError], f)
		}
		if f == "size" && !strings.Contains(strings.ToLower(h[ingest.HeaderError]), "byte") {
			t.Errorf("DLQ error for an oversized record: %q", h[ingest.HeaderError])
		}
		if strings.Contains(string(m.Value), "1391234") {
			t.Fatalf("DLQ payload carries a phone number in plain text")
		}
	}
	if len(seen) != bad {
		t.Fatalf("%d distinct bad records in the DLQ, want %d", len(seen), bad)
	}
}

// TestSIGTERMFlushesAndCommitsEveryTime: a consumer process holding its
// batches (never cut by size or time) gets SIGTERM, round after round; each
// time it flushes them, commits, and exits 0.
func TestSIGTERMFlushesAndCommitsEveryTime(t *testing.T) {
	e := newEnv(t, 2)
	began := time.Now()
	rounds := scale(3, 20)
	per := 500
	total := 0
	for r := range rounds {
		var msgs []kafka.Message
		for i := range per {
			msgs = append(msgs, petition(total+i))
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "XFWATCH_INGEST_CHILD=1", "XF_BROKER="+e.broker.Addr(), "XF_DSN="+e.dsn(),
			"XF_BATCH=1048576", "XF_FLUSH_MS=3600000")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		e.produce(e.topics.Petitions, msgs...)
		time.Sleep(2500 * time.Millisecond)
		if got := e.count("petitions"); got != uint64(total) {
			t.Fatalf("round %d: %d rows stored before the SIGTERM; the batches should be held", r, got)
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("round %d: the consumer exited with %v after SIGTERM", r, err)
		}
		total += per
		if got := e.count("petitions"); got != uint64(total) {
			t.Fatalf("round %d: after SIGTERM %d rows are stored, want %d", r, got, total)
		}
		var sum int64
		for _, off := range e.committed(e.topics.Petitions, 2) {
			sum += off
		}
		if sum != int64(total) {
			t.Fatalf("round %d: committed offsets add up to %d, want %d", r, sum, total)
		}
	}
	c, u := e.count("petitions"), e.uniq("petitions", "case_id")
	faultReport(t, "SIGTERM under load", uint64(total), c, u, rounds, time.Since(began))
}
