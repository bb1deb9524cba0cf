package rekey_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"xfwatch/alerts"
	"xfwatch/broker"
	"xfwatch/ingest"
	"xfwatch/refdata"
	"xfwatch/rekey"
	"xfwatch/warehouse"
	"xfwatch/warehouse/whtest"
)

func TestMain(m *testing.M) { os.Exit(whtest.Main(m)) }

func petition(id string) kafka.Message {
	first := "62010219800101123"
	v, _ := json.Marshal(map[string]any{
		"case_id": id, "received_at": time.Now().Add(-time.Hour).Format(time.RFC3339), "channel": "visit",
		"receiving_level": "county", "origin_region": "620102001", "category": "demolition", "headcount": 1,
		"responsible_unit": "G620102", "petitioner": map[string]any{"id_number": first + string(ingest.IDCheckChar(first))},
	})
	return kafka.Message{Key: []byte(id), Value: v}
}

// ingestOne stores one record with the key file content and waits for it.
func ingestOne(t *testing.T, db *warehouse.DB, addr string, key []byte, m kafka.Message, want uint64) {
	t.Helper()
	c, err := ingest.New(ingest.Config{Brokers: []string{addr}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, db, key)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	w := &kafka.Writer{Addr: kafka.TCP(addr), Topic: ingest.DefaultTopics.Petitions, RequiredAcks: kafka.RequireAll}
	if err := w.WriteMessages(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	w.Close()
	deadline := time.Now().Add(30 * time.Second)
	for whtest.Count(t, db, "petitions") < want && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func keyOf(t *testing.T, db *warehouse.DB, id string) string {
	t.Helper()
	var k string
	if err := db.QueryRow(context.Background(), "SELECT petitioner_key FROM "+db.Table("petitions")+" WHERE case_id = '"+id+"'").Scan(&k); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRotationKeepsPeopleLinkedAndChangesEveryPseudonym(t *testing.T) {
	ctx := context.Background()
	db := whtest.DB(t)
	city, _ := refdata.Default()
	if _, err := refdata.Load(ctx, db, city); err != nil {
		t.Fatal(err)
	}
	b, err := broker.Start(broker.Config{Listen: "127.0.0.1:0", Topics: ingest.DefaultTopics.All()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	k1 := []byte("first-key-0123456789abcdef0123456789abcdef")
	ingestOne(t, db, b.Addr(), k1, petition("XF-1"), 1)
	before := keyOf(t, db, "XF-1")
	// An open alert about this person, and derived state keyed by them.
	h := alerts.MemberHash(before)
	if err := db.Exec(ctx, "INSERT INTO "+db.Table("alerts")+" (alert_id, rule, status, member, dedup_key, version) VALUES ('A1', 'repeat_petitioner', 'firing', '"+h+"', 'repeat_petitioner|"+h+"', 1)"); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(ctx, "INSERT INTO "+db.Table("key_history")+" (petitioner_key, as_of) VALUES ('"+before+"', today())"); err != nil {
		t.Fatal(err)
	}

	k2 := []byte("second-key-0123456789abcdef0123456789abcdef")
	content, rep, err := rekey.Rotate(ctx, db, k1, k2)
	if err != nil {
		t.Fatal(err)
	}
	after := keyOf(t, db, "XF-1")
	if after == before || after != ingest.HMACHex(k2, before) {
		t.Fatalf("pseudonym after rotation %s, want HMAC(k2, %s) = %s", after, before, ingest.HMACHex(k2, before))
	}
	if rep.Rows["petitions"] != 1 || rep.Alerts != 1 {
		t.Errorf("report %+v", rep)
	}
	var member, dedup string
	if err := db.QueryRow(ctx, "SELECT member, dedup_key FROM "+db.Table("alerts")+" WHERE alert_id = 'A1'").Scan(&member, &dedup); err != nil {
		t.Fatal(err)
	}
	if member != alerts.MemberHash(after) || dedup != "repeat_petitioner|"+alerts.MemberHash(after) {
		t.Errorf("alert member %s dedup %s, want the new pseudonym's hash", member, dedup)
	}
	if n := whtest.Count(t, db, "key_history"); n != 0 {
		t.Errorf("key_history kept %d rows keyed by old pseudonyms", n)
	}
	// The same person petitions again under the chained key file: same pseudonym.
	ingestOne(t, db, b.Addr(), content, petition("XF-2"), 2)
	if again := keyOf(t, db, "XF-2"); again != after {
		t.Fatalf("after rotation the same person got %s, stored rows have %s", again, after)
	}
	// The old key alone no longer reproduces any stored pseudonym.
	ingestOne(t, db, b.Addr(), k1, petition("XF-3"), 3)
	if old := keyOf(t, db, "XF-3"); old == after {
		t.Fatal("the old key still reproduces the stored pseudonyms")
	}
}
