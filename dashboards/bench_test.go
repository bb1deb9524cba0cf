package dashboards_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"xfwatch/alerts"
	"xfwatch/dashboards"
	"xfwatch/gen"
	"xfwatch/refdata"
	"xfwatch/transform"
	"xfwatch/warehouse/whtest"
)

// benchEnv is a warehouse with XFWATCH_BENCH_PETITIONS petitions (default
// 10M) over two years, their indicators, and a views server.
var benchEnv struct {
	once sync.Once
	url  string
	err  error
}

func setupBench(b *testing.B) string {
	benchEnv.once.Do(func() {
		n := uint64(10_000_000)
		if s := os.Getenv("XFWATCH_BENCH_PETITIONS"); s != "" {
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				benchEnv.err = fmt.Errorf("XFWATCH_BENCH_PETITIONS=%q: %v", s, err)
				return
			}
			n = v
		}
		ctx := context.Background()
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		db := whtest.DB(b)
		city, err := refdata.Default()
		if err == nil {
			_, err = refdata.Load(ctx, db, city)
		}
		if err != nil {
			benchEnv.err = err
			return
		}
		today := time.Now().UTC().Truncate(24 * time.Hour)
		start := today.AddDate(-2, 0, 0)
		t0 := time.Now()
		rows, err := gen.Bulk{DB: db, Start: start, Days: int(today.Sub(start).Hours() / 24), Seed: 1, Petitions: n, Orders: n}.Fill(ctx)
		if err != nil {
			benchEnv.err = err
			return
		}
		b.Logf("bulk rows %v in %v", rows, time.Since(t0).Round(time.Millisecond))
		t0 = time.Now()
		sched := &transform.Scheduler{Runner: &transform.Runner{DB: db, Config: transform.DefaultConfig(), Log: quiet}, Log: quiet}
		if _, err := sched.Backfill(ctx, start, today, false, nil); err != nil {
			benchEnv.err = err
			return
		}
		b.Logf("indicators over %d days in %v", int(today.Sub(start).Hours()/24), time.Since(t0).Round(time.Millisecond))
		rules, _ := alerts.DefaultConfig()
		engine := &alerts.Engine{DB: db, Config: rules, Log: quiet}
		if _, err := engine.Evaluate(ctx, time.Now()); err != nil {
			benchEnv.err = err
			return
		}
		// 20 analysts and 20 officers, each client its own account and session.
		h, _ := dashboards.HashPassword(password("bench"))
		var list []dashboards.User
		for i := range 20 {
			list = append(list, dashboards.User{Name: fmt.Sprintf("analyst%d", i), Hash: h, Role: "analyst"},
				dashboards.User{Name: fmt.Sprintf("officer%d", i), Hash: h, Role: "officer"})
		}
		raw, _ := yaml.Marshal(list)
		path := filepath.Join(b.TempDir(), "users.yaml")
		os.WriteFile(path, raw, 0o600)
		users, err := dashboards.LoadUsers(path)
		if err != nil {
			benchEnv.err = err
			return
		}
		srv, err := dashboards.New(dashboards.Config{DB: db, Users: users, Alerts: engine, Log: quiet, Rate: 1e6, Burst: 1e6})
		if err != nil {
			benchEnv.err = err
			return
		}
		go srv.Run(context.Background())
		benchEnv.url = httptest.NewServer(srv).URL
	})
	if benchEnv.err != nil {
		b.Fatal(benchEnv.err)
	}
	return benchEnv.url
}

func benchClient(b *testing.B, base, name string) *http.Client {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	resp, err := hc.PostForm(base+"/login", url.Values{"user": {name}, "password": {password("bench")}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("login %s: %v %v", name, err, resp)
	}
	resp.Body.Close()
	return hc
}

// BenchmarkViews measures page and API latency with 20 concurrent users on
// 10M petitions and 10M hotline orders (SPEC section 10: p95 <= 100 ms).
func BenchmarkViews(b *testing.B) {
	base := setupBench(b)
	const users = 20
	pages := []struct{ name, who, path string }{
		{"cockpit", "officer", "/cockpit"},
		{"cockpit-county", "officer", "/cockpit?county=620102"},
		{"alerts", "officer", "/alerts"},
		{"trends-page", "analyst", "/trends?metric=petitions&dims=region&grain=month&compare=yoy"},
		{"api-json", "analyst", "/api/v1/trends?metric=petitions&dims=region,category&grain=month&compare=yoy"},
		{"api-csv-township", "analyst", "/api/v1/trends?metric=petitions&dims=region&grain=week&level=township&format=csv"},
		{"api-rate", "analyst", "/api/v1/trends?metric=conclude_on_time_rate&dims=unit&grain=month&compare=mom"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			clients := make([]*http.Client, users)
			for i := range clients {
				clients[i] = benchClient(b, base, fmt.Sprintf("%s%d", p.who, i))
			}
			var mu sync.Mutex
			var lat []time.Duration
			var wg sync.WaitGroup
			next := make(chan struct{}, b.N)
			for range b.N {
				next <- struct{}{}
			}
			close(next)
			b.ResetTimer()
			for i := range users {
				wg.Add(1)
				go func(c *http.Client) {
					defer wg.Done()
					for range next {
						t0 := time.Now()
						resp, err := c.Get(base + p.path)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != 200 {
							b.Errorf("%s: status %d", p.path, resp.StatusCode)
							return
						}
						d := time.Since(t0)
						mu.Lock()
						lat = append(lat, d)
						mu.Unlock()
					}
				}(clients[i])
			}
			wg.Wait()
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
				b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95_ms")
			}
		})
	}
}
