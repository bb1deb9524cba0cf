package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"xfwatch/broker"
	"xfwatch/ingest"
)

func TestStopFlushesAndCommitsTheLastBatch(t *testing.T) {
	e := newEnv(t, 2)
	const n = 1500
	var msgs []kafka.Message
	for i := 0; i < n; i++ {
		msgs = append(msgs, petition(i))
	}
	// Batches this large and this slow are never cut by size or time here:
	// only the stop can flush them.
	stop := e.consumer(ingest.Config{BatchRecords: 1 << 20, FlushInterval: time.Hour})
	e.produce(e.topics.Petitions, msgs...)
	time.Sleep(2 * time.Second)
	if got := e.count("petitions"); got != 0 {
		t.Fatalf("%d rows stored before the stop; the test needs them held", got)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if got := e.count("petitions"); got != n {
		t.Fatalf("after the stop %d rows are stored, want %d", got, n)
	}
	committed := e.committed(e.topics.Petitions, 2)
	var sum int64
	for _, off := range committed {
		sum += off
	}
	if sum != n {
		t.Fatalf("committed offsets %v add up to %d, want %d", committed, sum, n)
	}
}

func TestBrokenProducerHalts(t *testing.T) {
	e := newEnv(t, 1)
	var msgs []kafka.Message
	for i := 0; i < 50; i++ {
		msgs = append(msgs, petition(i))
	}
	for i := 0; i < 150; i++ {
		msgs = append(msgs, kafka.Message{Key: []byte(fmt.Sprint(i)), Value: []byte(`{"case_id": 1}`)})
	}
	e.produce(e.topics.Petitions, msgs...)
	stop := e.consumer(ingest.Config{BatchRecords: 50, MaxBadRun: 100})
	deadline := time.Now().Add(30 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		if len(e.dlq()) > 0 || e.count("petitions") == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second)
	err = stop()
	var h *ingest.HaltError
	if !errors.As(err, &h) {
		t.Fatalf("Run returned %v, want a HaltError", err)
	}
	if got := e.count("petitions"); got != 50 {
		t.Fatalf("%d good records stored, want the 50 before the bad run", got)
	}
	if committed := e.committed(e.topics.Petitions, 1)[0]; committed > 100 {
		t.Fatalf("committed offset %d runs into the bad records past the halt", committed)
	}
	if len(e.dlq()) > 100 {
		t.Fatalf("%d records drained into the DLQ; the halt should stop that at 100", len(e.dlq()))
	}
}

func TestRebalanceWhileRecordsFlow(t *testing.T) {
	e := newEnv(t, 4)
	began := time.Now()
	n := scale(30000, 200000)
	var msgs []kafka.Message
	for i := 0; i < n; i++ {
		msgs = append(msgs, petition(i))
	}
	cfg := ingest.Config{BatchRecords: 500, FlushInterval: 50 * time.Millisecond}
	// Committed offsets never go backwards, sampled throughout.
	backwards := make(chan string, 10)
	sampling, stopSampling := context.WithCancel(context.Background())
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		last := map[int]int64{}
		for sampling.Err() == nil {
			for p, c := range e.committed(e.topics.Petitions, 4) {
				if c < 0 {
					continue // nothing committed yet, or the group is rebalancing
				}
				if c < last[p] {
					select {
					case backwards <- fmt.Sprintf("partition %d: committed offset went from %d back to %d", p, last[p], c):
					default:
					}
				}
				last[p] = max(last[p], c)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()
	base := []func() error{e.consumer(cfg)}
	for range scale(0, 3) { // the full run: four steady consumers
		base = append(base, e.consumer(cfg))
	}
	go e.produce(e.topics.Petitions, msgs...)
	changes := 0
	if !full() {
		e.waitFor("some rows", 30*time.Second, func() bool { return e.count("petitions") > 2000 })
		second := e.consumer(cfg) // joins: the group rebalances
		e.waitFor("more rows", 60*time.Second, func() bool { return e.count("petitions") > 15000 })
		if err := base[0](); err != nil { // leaves: rebalances again
			t.Fatal(err)
		}
		base[0] = second
		changes = 2
	} else {
		// A fifth joins and leaves every few seconds while the records flow.
		for e.count("petitions") < uint64(n) && changes < 40 {
			time.Sleep(3 * time.Second)
			extra := e.consumer(cfg)
			changes++
			time.Sleep(3 * time.Second)
			if err := extra(); err != nil {
				t.Fatal(err)
			}
			changes++
		}
	}
	e.waitFor("every row", 300*time.Second, func() bool { return e.count("petitions") >= uint64(n) })
	time.Sleep(time.Second)
	for _, stop := range base {
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}
	stopSampling()
	sampler.Wait()
	close(backwards)
	for b := range backwards {
		t.Error(b)
	}
	c, u := e.count("petitions"), e.uniq("petitions", "case_id")
	faultReport(t, "consumers join/leave", uint64(n), c, u, changes, time.Since(began))
	if c != uint64(n) || u != uint64(n) {
		t.Fatalf("count %d, uniqExact %d, want %d", c, u, n)
	}
}

func TestBrokerRestartDuringIngest(t *testing.T) {
	e := newEnv(t, 2)
	e.broker.Close() // replace the in-memory broker with one that persists
	dir := t.TempDir()
	b, err := broker.Start(broker.Config{Listen: "127.0.0.1:0", Partitions: 2, Topics: e.topics.All(), DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	e.broker = b
	addr := b.Addr()
	const n = 10000
	var msgs []kafka.Message
	for i := 0; i < n; i++ {
		msgs = append(msgs, petition(i))
	}
	stop := e.consumer(ingest.Config{BatchRecords: 500, FlushInterval: 50 * time.Millisecond,
		RetryBackoff: 50 * time.Millisecond, MaxBackoff: time.Second})
	e.produce(e.topics.Petitions, msgs[:n/2]...)
	e.waitFor("the first half", 60*time.Second, func() bool { return e.count("petitions") >= n/2 })
	b.Close()
	time.Sleep(2 * time.Second)
	b2, err := broker.Start(broker.Config{Listen: addr, Partitions: 2, Topics: e.topics.All(), DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	e.broker = b2
	restarted := time.Now()
	e.produce(e.topics.Petitions, msgs[n/2:]...)
	e.waitFor("progress after the broker restart", 60*time.Second, func() bool { return e.count("petitions") >= n })
	t.Logf("caught up %v after the broker came back", time.Since(restarted).Round(time.Millisecond))
	time.Sleep(time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	c, u := e.count("petitions"), e.uniq("petitions", "case_id")
	faultReport(t, "broker restart", uint64(n), c, u, 1, time.Since(restarted))
	if c != uint64(n) || u != uint64(n) {
		t.Fatalf("count %d, uniqExact %d, want %d", c, u, n)
	}
}

// A backlog is inserted in batches cut by record count, not by the flush
// interval: records that are already waiting gain nothing from a time cut,
// and small batches cost the engine more. Once the worker has read to the
// partition's end the flush interval applies again.
func TestCatchUpCutsBatchesByCount(t *testing.T) {
	e := newEnv(t, 1)
	const n = 30000
	var msgs []kafka.Message
	size := 0
	for i := 0; i < n; i++ {
		msgs = append(msgs, petition(i))
		size += len(msgs[i].Value)
	}
	if size < 8<<20 {
		t.Fatalf("the backlog is %d bytes; the test needs more than two 4 MiB fetches of it", size)
	}
	e.produce(e.topics.Petitions, msgs...)
	stop := e.consumer(ingest.Config{BatchRecords: n, FlushInterval: time.Millisecond, CatchUpInterval: time.Minute})
	// Each batch is noted in ingest_batches after its rows are stored.
	batches := func() (count, rows uint64) {
		t.Helper()
		if err := e.db.QueryRow(context.Background(), "SELECT count(), sum(rows) FROM "+e.db.Table("ingest_batches")+
			" WHERE table = 'petitions'").Scan(&count, &rows); err != nil {
			t.Fatal(err)
		}
		return count, rows
	}
	e.waitFor("the backlog stored", time.Minute, func() bool { _, rows := batches(); return rows == n })
	if count, _ := batches(); count != 1 || e.count("petitions") != n {
		t.Fatalf("the backlog went in %d batches; want one of %d rows", count, n)
	}
	// A trickle: each fetch reaches the partition's end, so batches are
	// cut by the flush interval, not held for the catch-up one (a minute).
	trickling, stopTrickle := context.WithCancel(context.Background())
	defer stopTrickle()
	go func() {
		w := &kafka.Writer{Addr: kafka.TCP(e.broker.Addr()), Topic: e.topics.Petitions, BatchSize: 1, RequiredAcks: kafka.RequireAll}
		defer w.Close()
		for i := n; trickling.Err() == nil && i < n+10000; i++ {
			_ = w.WriteMessages(trickling, petition(i))
			time.Sleep(5 * time.Millisecond)
		}
	}()
	e.waitFor("trickled records stored while the trickle goes on", 30*time.Second, func() bool { return e.count("petitions") >= n+20 })
	stopTrickle()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
