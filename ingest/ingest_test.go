package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"xfwatch/broker"
	"xfwatch/ingest"
	"xfwatch/refdata"
	"xfwatch/warehouse"
	"xfwatch/warehouse/whtest"
)

func TestMain(m *testing.M) { os.Exit(whtest.Main(m)) }

var testKey = []byte("test-pseudonym-key-0123456789abcdef")

// env is a broker and a warehouse database with the demo city loaded.
type env struct {
	t      testing.TB
	broker *broker.Broker
	db     *warehouse.DB
	topics ingest.Topics
}

func newEnv(t *testing.T, partitions int) *env { return newEnvB(t, partitions) }

func newEnvB(t testing.TB, partitions int) *env {
	t.Helper()
	topics := ingest.DefaultTopics
	b, err := broker.Start(broker.Config{Listen: "127.0.0.1:0", Partitions: partitions, Topics: topics.All()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	db := whtest.DB(t)
	set, err := refdata.Default()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := refdata.Load(context.Background(), db, set); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, broker: b, db: db, topics: topics}
}

func (e *env) produce(topic string, msgs ...kafka.Message) {
	e.t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(e.broker.Addr()), Topic: topic, Balancer: &kafka.Hash{},
		RequiredAcks: kafka.RequireAll, BatchSize: 1000, BatchBytes: 8 << 20, BatchTimeout: 5 * time.Millisecond}
	defer w.Close()
	if err := w.WriteMessages(context.Background(), msgs...); err != nil {
		e.t.Fatal(err)
	}
}

// consumer starts a consumer; stop cancels it and returns Run's error.
func (e *env) consumer(cfg ingest.Config) (stop func() error) {
	e.t.Helper()
	cfg.Brokers = []string{e.broker.Addr()}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c, err := ingest.New(cfg, e.db, testKey)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	var result error
	stop = func() error {
		once.Do(func() { cancel(); result = <-done })
		return result
	}
	e.t.Cleanup(func() { stop() })
	return stop
}

// waitFor polls cond until it holds or the timeout passes.
func (e *env) waitFor(what string, timeout time.Duration, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (e *env) count(table string) uint64 { return whtest.Count(e.t, e.db, table) }

func (e *env) uniq(table, id string) uint64 {
	return whtest.Uint(e.t, e.db, "SELECT uniqExact("+id+") FROM "+e.db.Table(table))
}

// dlq reads every message in the DLQ topic.
func (e *env) dlq() []kafka.Message {
	e.t.Helper()
	var out []kafka.Message
	conn, err := kafka.Dial("tcp", e.broker.Addr())
	if err != nil {
		e.t.Fatal(err)
	}
	parts, err := conn.ReadPartitions(e.topics.DLQ)
	conn.Close()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range parts {
		c, err := kafka.DialLeader(context.Background(), "tcp", e.broker.Addr(), e.topics.DLQ, p.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		last, _ := c.ReadLastOffset()
		for off := int64(0); off < last; {
			c.Seek(off, kafka.SeekAbsolute)
			b := c.ReadBatchWith(kafka.ReadBatchConfig{MinBytes: 1, MaxBytes: 10 << 20, MaxWait: time.Second})
			for {
				m, err := b.ReadMessage()
				if err != nil {
					break
				}
				out = append(out, m)
				off = m.Offset + 1
			}
			b.Close()
		}
		c.Close()
	}
	return out
}

func idNumber(i int) string {
	first := fmt.Sprintf("620102%s%03d", time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%20000).Format("20060102"), i%1000)
	return first + string(ingest.IDCheckChar(first))
}

func petition(i int) kafka.Message {
	id := fmt.Sprintf("XF%07d", i)
	v, _ := json.Marshal(map[string]any{
		"case_id": id, "received_at": time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format(time.RFC3339),
		"channel": "visit", "receiving_level": "county", "origin_region": "620102001", "category": "demolition",
		"headcount": 1 + i%7, "responsible_unit": "G620102", "subject": "拆迁补偿",
		"content":    fmt.Sprintf("来访人%d反映问题，电话1391234%04d", i, i%10000),
		"petitioner": map[string]any{"id_number": idNumber(i), "phone": fmt.Sprintf("1391234%04d", i%10000), "name": "张三"},
	})
	return kafka.Message{Key: []byte(id), Value: v}
}

func hotline(i int) kafka.Message {
	id := fmt.Sprintf("H%07d", i)
	v, _ := json.Marshal(map[string]any{
		"order_id": id, "received_at": time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format(time.RFC3339),
		"channel": "phone", "kind": "complaint", "region": "620103", "category": "wage_arrears",
		"caller": map[string]any{"phone": fmt.Sprintf("1381234%04d", i%10000)}, "assigned_unit": "CITY-RSJ",
	})
	return kafka.Message{Key: []byte(id), Value: v}
}

func event(i int) kafka.Message {
	id := fmt.Sprintf("E%07d", i)
	v, _ := json.Marshal(map[string]any{
		"event_id": id, "ref_kind": "petition", "ref": fmt.Sprintf("XF%07d", i), "type": "accepted", "unit": "G620102",
		"at": time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format(time.RFC3339),
	})
	return kafka.Message{Key: []byte(fmt.Sprintf("XF%07d", i)), Value: v}
}

func report(i int) kafka.Message {
	id := "R" + strconv.Itoa(i)
	v, _ := json.Marshal(map[string]any{
		"report_id": id, "unit": "G620102001", "day": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%300).Format(time.DateOnly),
		"submitted_at": "2026-11-01T18:00:00+08:00", "incidents": i % 3,
	})
	return kafka.Message{Key: []byte("G620102001"), Value: v}
}

func TestExactlyOnceWithDuplicatesAndPoison(t *testing.T) {
	e := newEnv(t, 3)
	const n = 3000
	gens := map[string]func(int) kafka.Message{
		e.topics.Petitions: petition, e.topics.Hotline: hotline, e.topics.Events: event, e.topics.UnitReports: report,
	}
	bad := map[string]int{}
	for topic, gen := range gens {
		var msgs []kafka.Message
		for i := 0; i < n; i++ {
			msgs = append(msgs, gen(i))
			if i%10 == 0 { // a producer's retry: the same record again
				msgs = append(msgs, gen(i))
			}
			if i%100 == 0 { // poison
				msgs = append(msgs, kafka.Message{Key: []byte("bad"), Value: []byte(`{"broken": `)})
				bad[topic]++
			}
		}
		e.produce(topic, msgs...)
	}
	stop := e.consumer(ingest.Config{BatchRecords: 500})
	tables := map[string]string{"petitions": "case_id", "hotline_orders": "order_id", "events": "event_id", "unit_reports": "report_id"}
	e.waitFor("all records stored", 60*time.Second, func() bool {
		for table := range tables {
			if e.count(table) < n {
				return false
			}
		}
		return true
	})
	// Let any stray duplicate land before checking there is none.
	time.Sleep(time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for table, id := range tables {
		if c, u := e.count(table), e.uniq(table, id); c != n || u != n {
			t.Errorf("%s: count %d, uniqExact %d, want %d", table, c, u, n)
		}
	}
	if got := e.count("restricted_texts"); got != n {
		t.Errorf("restricted_texts: %d rows, want %d (one per petition with content)", got, n)
	}
	// The strings stored are the ones produced, each in its own row (the
	// inserts hand clickhouse-go the Arrow columns' bytes: strcolumn.go);
	// headcount, a number column, ties a petition's strings to its row.
	for _, q := range []string{
		"SELECT countIf(channel = 'visit' AND receiving_level = 'county' AND category = 'demolition' AND subject = '拆迁补偿' " +
			"AND responsible_unit = 'G620102' AND length(petitioner_key) = 64 AND headcount = 1 + toUInt32(substring(case_id, 3)) % 7) FROM " + e.db.Table("petitions"),
		"SELECT countIf(ref_kind = 'petition' AND field = 'content' AND " +
			"startsWith(text, concat('来访人', toString(toUInt32(substring(ref, 3))), '反映问题'))) FROM " + e.db.Table("restricted_texts"),
		"SELECT countIf(region = '620103' AND category = 'wage_arrears' AND assigned_unit = 'CITY-RSJ' AND length(caller_key) = 64) FROM " +
			e.db.Table("hotline_orders"),
	} {
		var got uint64
		if err := e.db.QueryRow(context.Background(), q).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != n {
			t.Errorf("%d of %d rows hold the strings produced: %s", got, n, q)
		}
	}
	dlq := e.dlq()
	if len(dlq) != 4*(n/100) {
		t.Fatalf("DLQ holds %d records, want %d", len(dlq), 4*(n/100))
	}
	for _, m := range dlq {
		h := map[string]string{}
		for _, x := range m.Headers {
			h[x.Key] = string(x.Value)
		}
		if h[ingest.HeaderStage] != ingest.StageDecode || h[ingest.HeaderSourceTopic] == "" ||
			h[ingest.HeaderSourceOffset] == "" || h[ingest.HeaderError] == "" || h[ingest.HeaderSourcePartition] == "" {
			t.Fatalf("DLQ headers %v", h)
		}
	}
}

func whtestAddr(t testing.TB) string { return whtest.Embedded(t).Addr }
