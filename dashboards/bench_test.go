package dashboards_test

import (
	"context"
	"os"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"xfwatch/bench"
	"xfwatch/refdata"
	"xfwatch/warehouse/whtest"
)

// BenchmarkViews measures page and API latency with 20 concurrent users on
// XFWATCH_BENCH_PETITIONS petitions and as many hotline orders (default
// 10M; SPEC section 10: p95 ≤ 100 ms), with the same steps as `xfwatch
// bench`. One run is the measurement: use -benchtime 1x.
func BenchmarkViews(b *testing.B) {
	n := uint64(10_000_000)
	if s := os.Getenv("XFWATCH_BENCH_PETITIONS"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			b.Fatalf("XFWATCH_BENCH_PETITIONS=%q: %v", s, err)
		}
		n = v
	}
	ctx := context.Background()
	db := whtest.DB(b)
	city, err := refdata.Default()
	if err == nil {
		_, err = refdata.Load(ctx, db, city)
	}
	if err != nil {
		b.Fatal(err)
	}
	rc, err := bench.Recompute(ctx, db, n, nil, func(f string, a ...any) { b.Logf(f, a...) })
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("indicators in %v (slowest: %s)", rc.Full.Round(time.Second), rc.Slowest)
	if p := os.Getenv("XFWATCH_VIEWS_PROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	b.ResetTimer()
	for b.Loop() {
		pages, api, err := bench.Views(ctx, db)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(ms(pages[len(pages)/2]), "page_p50_ms")
		b.ReportMetric(ms(pages[len(pages)*95/100]), "page_p95_ms")
		b.ReportMetric(ms(api[len(api)/2]), "api_p50_ms")
		b.ReportMetric(ms(api[len(api)*95/100]), "api_p95_ms")
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
