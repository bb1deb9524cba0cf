package ingest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"xfwatch/ingest"
	"xfwatch/warehouse"
)

// A test binary started with XFWATCH_INGEST_CHILD=1 is a consumer process,
// so that a test can kill it with SIGKILL.
func init() {
	if os.Getenv("XFWATCH_INGEST_CHILD") != "1" {
		return
	}
	// SIGTERM stops it gracefully, as `xfwatch ingest` does.
	ctx, _ := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	db, err := warehouse.Open(ctx, os.Getenv("XF_DSN"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	c, err := ingest.New(ingest.Config{
		Brokers: []string{os.Getenv("XF_BROKER")}, BatchRecords: envInt("XF_BATCH", 2000), FlushInterval: time.Duration(envInt("XF_FLUSH_MS", 50)) * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, db, testKey)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := c.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func TestKillNineMidStreamLosesAndDoublesNothing(t *testing.T) {
	e := newEnv(t, 4)
	began := time.Now()
	n := scale(40000, 200000)
	rounds := scale(8, 20)
	var msgs []kafka.Message
	for i := 0; i < n; i++ {
		msgs = append(msgs, petition(i))
	}
	go e.produce(e.topics.Petitions, msgs...)
	rng := rand.New(rand.NewSource(1))
	kills := 0
	for round := 0; round < rounds && e.count("petitions") < uint64(n); round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "XFWATCH_INGEST_CHILD=1", "XF_BROKER="+e.broker.Addr(), "XF_DSN="+e.dsn())
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(300+rng.Intn(1200)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		kills++
	}
	// A last consumer finishes the job.
	stop := e.consumer(ingest.Config{})
	e.waitFor("every petition stored", 300*time.Second, func() bool { return e.count("petitions") >= uint64(n) })
	time.Sleep(time.Second)
	stop()
	c, u := e.count("petitions"), e.uniq("petitions", "case_id")
	faultReport(t, "kill -9 of ingest", uint64(n), c, u, kills, time.Since(began))
	if c != uint64(n) || u != uint64(n) {
		t.Fatalf("after %d kill -9: count %d, uniqExact %d, want %d", kills, c, u, n)
	}
	t.Logf("%d consumers killed with SIGKILL; %d petitions stored once each", kills, n)
}

func (e *env) dsn() string {
	return "http://" + whtestAddr(e.t) + "/" + e.db.Database
}

// proxy is a TCP relay that can drop every connection and refuse new ones,
// to take the warehouse away from the consumer for a while.
type proxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c], p.conns[up] = true, true
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func (p *proxy) up(t *testing.T) {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.serve(ln)
}

func TestWarehouseOutageCommitsNothingUnstored(t *testing.T) {
	e := newEnv(t, 2)
	px := newProxy(t, whtestAddr(t))
	db, err := warehouse.Open(context.Background(), "http://"+px.addr+"/"+e.db.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	began := time.Now()
	n := scale(20000, 200000)
	outages := scale(1, 3)
	outage := scale(3*time.Second, 30*time.Second)
	var msgs []kafka.Message
	for i := 0; i < n; i++ {
		msgs = append(msgs, petition(i))
	}
	cfg := ingest.Config{Brokers: []string{e.broker.Addr()}, BatchRecords: 1000, FlushInterval: 50 * time.Millisecond,
		RetryBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	c, err := ingest.New(cfg, db, testKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()

	// Sample committed offsets against stored rows throughout.
	violations := make(chan string, 10)
	sampling, stopSampling := context.WithCancel(context.Background())
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		for sampling.Err() == nil {
			for p, committed := range e.committed(e.topics.Petitions, 2) {
				if committed <= 0 {
					continue
				}
				var stored int64 = -1
				_ = e.db.QueryRow(context.Background(), "SELECT max(offset) FROM "+e.db.Table("petitions")+
					" WHERE partition = "+strconv.Itoa(p)+" HAVING count() > 0").Scan(&stored)
				if stored < committed-1 {
					select {
					case violations <- fmt.Sprintf("partition %d committed %d but max stored offset is %d", p, committed, stored):
					default:
					}
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()

	during := uint64(n)
	part := n / (outages + 1)
	e.produce(e.topics.Petitions, msgs[:part]...)
	for k := 0; k < outages; k++ {
		// Each chunk once: a record produced twice is skipped as a
		// duplicate but its offset committed, past the stored rows.
		time.Sleep(300 * time.Millisecond)
		px.down()
		e.produce(e.topics.Petitions, msgs[(k+1)*part:min((k+2)*part, n)]...)
		time.Sleep(outage)
		during = min(during, e.count("petitions"))
		px.up(t)
		e.waitFor("the petitions so far stored after the outage", 120*time.Second, func() bool { return e.count("petitions") >= uint64(min((k+2)*part, n)) })
	}
	e.produce(e.topics.Petitions, msgs[min((outages+1)*part, n):]...)
	e.waitFor("every petition stored after the outage", 120*time.Second, func() bool { return e.count("petitions") >= uint64(n) })
	time.Sleep(500 * time.Millisecond)
	stopSampling()
	sampler.Wait()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	close(violations)
	for v := range violations {
		t.Error(v)
	}
	if during >= uint64(n) {
		t.Fatalf("the outage did not hold anything back (%d stored while the warehouse was away)", during)
	}
	c2, u := e.count("petitions"), e.uniq("petitions", "case_id")
	faultReport(t, "warehouse outage", uint64(n), c2, u, outages, time.Since(began))
	if c2 != uint64(n) || u != uint64(n) {
		t.Fatalf("count %d, uniqExact %d, want %d", c2, u, n)
	}
}

// committed returns the group's committed offset per partition.
func (e *env) committed(topic string, partitions int) map[int]int64 {
	client := &kafka.Client{Addr: kafka.TCP(e.broker.Addr()), Timeout: 5 * time.Second}
	ids := make([]int, partitions)
	for i := range ids {
		ids[i] = i
	}
	res, err := client.OffsetFetch(context.Background(), &kafka.OffsetFetchRequest{
		GroupID: "xfwatch-ingest", Topics: map[string][]int{topic: ids}})
	out := map[int]int64{}
	if err != nil {
		return out
	}
	for _, p := range res.Topics[topic] {
		out[p.Partition] = p.CommittedOffset
	}
	return out
}
