package ingest_test

import (
	"io"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"xfwatch/ingest"
)

// BenchmarkIngestEndToEnd: ~400-byte petition records already in the
// broker, consumed into the warehouse; reports records/s.
func BenchmarkIngestEndToEnd(b *testing.B) {
	n := benchRecords()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnvB(b, 6)
		msgs := make([]kafka.Message, n)
		size := 0
		for j := range msgs {
			msgs[j] = petition(j)
			size += len(msgs[j].Value)
		}
		t0 := time.Now()
		e.produce(e.topics.Petitions, msgs...)
		b.Logf("produced %d in %v", n, time.Since(t0))
		b.SetBytes(int64(size))
		b.StartTimer()
		start := time.Now()
		stop := e.consumer(ingest.Config{Logger: benchLogger()})
		for e.count("petitions") < uint64(n) {
			time.Sleep(20 * time.Millisecond)
			if time.Since(start) > 5*time.Minute {
				b.Fatalf("only %d of %d records stored after 5 minutes", e.count("petitions"), n)
			}
			if os.Getenv("XFWATCH_BENCH_TRACE") != "" && time.Since(start) > 5*time.Second {
				b.Logf("%v: %d stored", time.Since(start), e.count("petitions"))
				time.Sleep(2 * time.Second)
			}
		}
		elapsed := time.Since(start)
		b.StopTimer()
		stop()
		b.ReportMetric(float64(n)/elapsed.Seconds(), "records/s")
		b.ReportMetric(float64(size)/float64(n), "bytes/record")
	}
}

func benchRecords() int {
	if v := os.Getenv("XFWATCH_BENCH_RECORDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err == nil {
			return n
		}
	}
	return 200000
}

func benchLogger() *slog.Logger {
	if os.Getenv("XFWATCH_BENCH_TRACE") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
