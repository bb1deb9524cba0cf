package bench

import (
	"cmp"
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
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/segmentio/kafka-go"
	"go.yaml.in/yaml/v3"

	"xfwatch/alerts"
	"xfwatch/dashboards"
	"xfwatch/gen"
	"xfwatch/ingest"
	"xfwatch/refdata"
	"xfwatch/transform"
	"xfwatch/warehouse"
)

// insertAll inserts the pre-built batches (rows and texts), two at a time (as two
// partitions' workers would).
func insertAll(ctx context.Context, db *warehouse.DB, batches []builtBatch) (time.Duration, error) {
	t0 := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(batches))
	sem := make(chan struct{}, 2)
	for _, b := range batches {
		wg.Add(1)
		sem <- struct{}{}
		go func(b builtBatch) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := ingest.InsertBatch(ctx, db, ingest.KindPetition, b.rec, b.texts, b.token); err != nil {
				errs <- err
			}
			b.rec.Release()
			b.texts.Release()
		}(b)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

// freshness produces 100 records every 20 ms for 10 s and measures, per
// batch, the time from the producer's acknowledgement to the records being
// counted in the warehouse.
func freshness(ctx context.Context, db *warehouse.DB, addr string, city *refdata.Set, from int, day time.Time) ([]time.Duration, error) {
	w := &kafka.Writer{Addr: kafka.TCP(addr), Topic: ingest.DefaultTopics.Petitions, Balancer: &kafka.Hash{},
		RequiredAcks: kafka.RequireAll, BatchSize: 100, BatchTimeout: time.Millisecond}
	defer w.Close()
	var base uint64
	if err := db.QueryRow(ctx, "SELECT count() FROM "+db.Table("petitions")).Scan(&base); err != nil {
		return nil, err
	}
	type sent struct {
		total uint64
		at    time.Time
	}
	var mu sync.Mutex
	var pending []sent
	var lat []time.Duration
	done := make(chan struct{})
	pollErr := make(chan error, 1)
	go func() {
		defer close(pollErr)
		for {
			var n uint64
			if err := db.QueryRow(ctx, "SELECT count() FROM "+db.Table("petitions")).Scan(&n); err != nil {
				pollErr <- err
				return
			}
			now := time.Now()
			mu.Lock()
			for len(pending) > 0 && n-base >= pending[0].total {
				lat = append(lat, now.Sub(pending[0].at))
				pending = pending[1:]
			}
			left := len(pending)
			mu.Unlock()
			select {
			case <-done:
				if left == 0 {
					return
				}
			default:
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	total := uint64(0)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for i := range 500 {
		<-tick.C
		msgs := petitions(city, 100, from+i*100, day)
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			return nil, err
		}
		total += 100
		mu.Lock()
		pending = append(pending, sent{total, time.Now()})
		mu.Unlock()
	}
	close(done)
	select {
	case err := <-pollErr:
		if err != nil {
			return nil, err
		}
	case <-time.After(2 * time.Minute):
		return nil, fmt.Errorf("freshness: records still missing after 2 minutes")
	}
	return lat, nil
}

// recordToAlert produces 20 进京非正常上访 records, one every 300 ms, and
// measures until each one's alert is in the alerts table.
func recordToAlert(ctx context.Context, db *warehouse.DB, addr string, city *refdata.Set) ([]time.Duration, error) {
	w := &kafka.Writer{Addr: kafka.TCP(addr), Topic: ingest.DefaultTopics.Petitions, Balancer: &kafka.Hash{},
		RequiredAcks: kafka.RequireAll, BatchSize: 1, BatchTimeout: time.Millisecond}
	defer w.Close()
	var out []time.Duration
	for i := range 20 {
		id := fmt.Sprintf("BA%06d", i)
		v := fmt.Sprintf(`{"case_id":%q,"received_at":%q,"channel":"visit","receiving_level":"national","origin_region":"620102001",`+
			`"category":"land_acquisition","headcount":1,"abnormal":true,"responsible_unit":"G620102","subject":"进京",`+
			`"petitioner":{"id_number":%q}}`, id, time.Now().Format(time.RFC3339), idNumber(900000+i))
		t0 := time.Now()
		if err := w.WriteMessages(ctx, kafka.Message{Key: []byte(id), Value: []byte(v)}); err != nil {
			return nil, err
		}
		for {
			var n uint64
			if err := db.QueryRow(ctx, "SELECT count() FROM "+db.Table("alerts")+" WHERE JSONExtractString(evidence, 'case_id') = {id:String}",
				clickhouse.Named("id", id)).Scan(&n); err != nil {
				return nil, err
			}
			if n > 0 {
				out = append(out, time.Since(t0))
				break
			}
			if time.Since(t0) > time.Minute {
				return nil, fmt.Errorf("no alert for %s after a minute", id)
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
	}
	return out, nil
}

// SameDayTicks is how many same-day ticks Recompute times (the median is
// reported). Ticks of the same code on this machine spread by up to a
// second (2.3–3.6 s at 10M records): five make the median steadier than
// the three before 2026-11-28.
const SameDayTicks = 5

// Recomputed is what Recompute measured.
type Recomputed struct {
	Full    time.Duration // backfill of every indicator over two years
	Slowest string        // the transforms that took longest in it
	// Hour: scheduler ticks after an hour's worth of new records and of
	// handling events of earlier ones (the same day), each after its own
	// hour of records. Minute: the same after a minute's worth, the
	// scheduler's default interval (xfwatch transform --every). DayTick:
	// the first tick of the next day.
	Hour, Minute   Ticks
	DayTick        time.Duration
	DayTickSlowest string
	// Settled: how long the engine's background merges took to finish
	// before the first tick.
	Settled time.Duration
	// The engine's CPU time in the backfill and the new day's tick, when
	// Recompute was given a way to read it.
	FullCPU, DayTickCPU time.Duration
}

// Ticks is SameDayTicks same-day ticks, each after its own period of new
// records: the median tick (Took, with its engine CPU and slowest
// transforms), the fastest and the slowest (a single tick moved by a third
// between runs with the machine's state).
type Ticks struct {
	Took, Min, Max, CPU time.Duration
	Slowest             string
	// Petitions: the new petitions (and as many orders) of each tick's
	// period; FollowUps: the handling events of earlier petitions and
	// orders in it (the mean).
	Petitions, FollowUps uint64
}

// Recompute fills two years of n petitions and n orders into db (migrated,
// reference data loaded) and times a full backfill of every indicator, then
// a tick after an hour's worth of new records and the first tick of the
// next day. engineCPU, if not nil, reads the engine process's CPU time.
func Recompute(ctx context.Context, db *warehouse.DB, n uint64, engineCPU func() time.Duration, say func(string, ...any)) (Recomputed, error) {
	var out Recomputed
	if engineCPU == nil {
		engineCPU = func() time.Duration { return 0 }
	}
	// Days are the transforms' local days: from 16:00 UTC on, the UTC date
	// is a day behind Shanghai's, and a tick after a backfill to the UTC
	// date was the first tick of a new day, not the same-day tick measured.
	tcfg := transform.DefaultConfig()
	loc, err := time.LoadLocation(tcfg.Timezone)
	if err != nil {
		return out, err
	}
	local := time.Now().In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	start := today.AddDate(-2, 0, 0)
	t0 := time.Now()
	// The handling events of the last SameDayTicks hours are held back:
	// each same-day tick's hour brings its share, as a running system gets
	// events for its earlier cases and orders besides the new records.
	cut := t0.Add(-SameDayTicks * time.Hour)
	bulk := gen.Bulk{DB: db, Start: start, Days: int(today.Sub(start).Hours() / 24), Seed: 1, Petitions: n, Orders: n, Until: cut}
	if _, err := bulk.Fill(ctx); err != nil {
		return out, err
	}
	say("filled in %v", time.Since(t0).Round(time.Second))
	// Let the fill settle past the incremental transforms' watermark margin,
	// as records stored long before a run do.
	time.Sleep(transform.WatermarkMargin + time.Second)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sched := &transform.Scheduler{Runner: &transform.Runner{DB: db, Config: tcfg, Log: quiet},
		Every: time.Minute, RecomputeDays: 2, Log: quiet}
	t0, c0 := time.Now(), engineCPU()
	rep, err := sched.Backfill(ctx, start, today, false, nil)
	if err != nil {
		return out, err
	}
	out.Full, out.FullCPU = time.Since(t0), engineCPU()-c0
	say("full recompute %v", out.Full.Round(time.Second))
	if out.Slowest, err = slowest(ctx, db, rep.RunID); err != nil {
		return out, err
	}
	// An hour's worth of new records (two years of n is about n/17,500 an
	// hour), then the tick that picks them up; SameDayTicks times. Then a
	// minute's worth, SameDayTicks times, from where the hours ended.
	now := time.Now()
	ticks := sameDay{ctx: ctx, db: db, sched: sched, bulk: bulk, today: today, now: now, engineCPU: engineCPU, say: say}
	if out.Hour, err = ticks.run(time.Hour, cut, 2, func(settled time.Duration) {
		out.Settled = settled
		say("background merges settled in %v", settled.Round(time.Second))
	}); err != nil {
		return out, err
	}
	if out.Minute, err = ticks.run(time.Minute, cut.Add(SameDayTicks*time.Hour), 2+SameDayTicks, nil); err != nil {
		return out, err
	}
	t0, c0 = time.Now(), engineCPU()
	if rep, err = sched.Tick(ctx, now.Add(24*time.Hour), 0, false); err != nil {
		return out, err
	}
	out.DayTick, out.DayTickCPU = time.Since(t0), engineCPU()-c0
	out.DayTickSlowest, err = slowest(ctx, db, rep.RunID)
	say("first tick of a new day %v (%s)", out.DayTick.Round(time.Millisecond), out.DayTickSlowest)
	return out, err
}

// sameDay is what Recompute's same-day ticks share: each tick is
// scheduled at now, after new records dated today and the handling events
// of bulk's earlier cases and orders in its own period.
type sameDay struct {
	ctx       context.Context
	db        *warehouse.DB
	sched     *transform.Scheduler
	bulk      gen.Bulk
	today     time.Time
	now       time.Time
	engineCPU func() time.Duration
	say       func(string, ...any)
}

// run times SameDayTicks ticks, the i-th after period's share of bulk's
// two years of petitions and as many orders (at least one each), seeded
// seed + i, and the handling events of [from + i·period, from +
// (i+1)·period); first, if not nil, gets the wait for the engine's merges
// before the first tick.
func (d sameDay) run(period time.Duration, from time.Time, seed uint64, first func(time.Duration)) (Ticks, error) {
	out := Ticks{Petitions: max(1, uint64(float64(d.bulk.Petitions)*period.Hours()/(730*24)))}
	type tick struct {
		took, cpu time.Duration
		slowest   string
	}
	var ticks []tick
	for i := range SameDayTicks {
		if _, err := (gen.Bulk{DB: d.db, Start: d.today, Days: 1, Seed: seed + uint64(i), Petitions: out.Petitions, Orders: out.Petitions}).Fill(d.ctx); err != nil {
			return out, err
		}
		at := from.Add(time.Duration(i) * period)
		followUps, err := d.bulk.FollowUps(d.ctx, at, at.Add(period))
		if err != nil {
			return out, err
		}
		out.FollowUps += followUps
		// Steady state: the backfill's inserts leave the engine merging
		// parts of 10M-row tables for a while, which a tick every minute
		// does not.
		settled, err := settle(d.ctx, d.db, 3*time.Minute)
		if err != nil {
			return out, err
		}
		if i == 0 && first != nil {
			first(settled)
		}
		t0, c0 := time.Now(), d.engineCPU()
		rep, err := d.sched.Tick(d.ctx, d.now, 0, false)
		if err != nil {
			return out, err
		}
		tk := tick{took: time.Since(t0), cpu: d.engineCPU() - c0}
		if tk.slowest, err = slowest(d.ctx, d.db, rep.RunID); err != nil {
			return out, err
		}
		d.say("tick after %v of records %v (%s)", period, tk.took.Round(time.Millisecond), tk.slowest)
		ticks = append(ticks, tk)
	}
	out.FollowUps /= SameDayTicks
	slices.SortFunc(ticks, func(a, b tick) int { return cmp.Compare(a.took, b.took) })
	mid := ticks[len(ticks)/2]
	out.Took, out.CPU, out.Slowest = mid.took, mid.cpu, mid.slowest
	out.Min, out.Max = ticks[0].took, ticks[len(ticks)-1].took
	return out, nil
}

// settle waits until the engine runs no merge in db's database, or limit
// has passed, and returns how long it waited.
func settle(ctx context.Context, db *warehouse.DB, limit time.Duration) (time.Duration, error) {
	t0 := time.Now()
	for time.Since(t0) < limit {
		var n uint64
		if err := db.QueryRow(clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters{"db": db.Database})),
			"SELECT count() FROM system.merges WHERE database = {db:String}").Scan(&n); err != nil {
			return 0, err
		}
		if n == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return time.Since(t0), nil
}

// merges is the engine's count of the rows and bytes its merges have
// written since it started (system.events: every database, so a stage's
// figure is the difference across it, with nothing else merging).
type merges struct{ rows, bytes uint64 }

func mergeWork(ctx context.Context, db *warehouse.DB) (merges, error) {
	var m merges
	err := db.QueryRow(ctx, "SELECT sumIf(value, event = 'MergedRows'), sumIf(value, event = 'MergedUncompressedBytes') FROM system.events").
		Scan(&m.rows, &m.bytes)
	if err != nil {
		return m, fmt.Errorf("cannot read the engine's merge counters: %w", err)
	}
	return m, nil
}

// since says how much was merged after earlier, for n records stored (rows
// and texts: two rows a record here), as rows merged per row stored.
func (m merges) since(earlier merges, n int) string {
	rows := m.rows - earlier.rows
	return fmt.Sprintf("%s rows (%.2f a row stored, petitions and texts), %s MB before compression",
		thousands(float64(rows)), float64(rows)/float64(2*n), thousands(float64(m.bytes-earlier.bytes)/1e6))
}

// slowest names the four transforms of a run that took longest.
func slowest(ctx context.Context, db *warehouse.DB, runID string) (string, error) {
	rows, err := db.Query(clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters{"run": runID})),
		`SELECT transform, sum(dateDiff('millisecond', started_at, finished_at)) AS ms FROM `+db.Table("transform_runs")+`
		WHERE run_id = {run:String} GROUP BY transform ORDER BY ms DESC LIMIT 4`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var t string
		var ms int64
		if err := rows.Scan(&t, &ms); err != nil {
			return "", err
		}
		parts = append(parts, fmt.Sprintf("%s %.1f s", t, float64(ms)/1000))
	}
	return strings.Join(parts, ", "), rows.Err()
}

// Views serves the dashboards over db and has 20 users each request pages
// and API calls; it returns the latencies, sorted.
func Views(ctx context.Context, db *warehouse.DB) (pages, api []time.Duration, err error) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	rules, err := alerts.DefaultConfig()
	if err != nil {
		return nil, nil, err
	}
	engine := &alerts.Engine{DB: db, Config: rules, Log: quiet}
	if _, err := engine.Evaluate(ctx, time.Now()); err != nil {
		return nil, nil, err
	}
	hash, err := dashboards.HashPassword("bench-password")
	if err != nil {
		return nil, nil, err
	}
	var list []dashboards.User
	for i := range 20 {
		list = append(list, dashboards.User{Name: fmt.Sprintf("officer%d", i), Hash: hash, Role: "officer"},
			dashboards.User{Name: fmt.Sprintf("analyst%d", i), Hash: hash, Role: "analyst"})
	}
	raw, _ := yaml.Marshal(list)
	dir, err := os.MkdirTemp("", "xfwatch-bench-users-*")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "users.yaml")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		return nil, nil, err
	}
	users, err := dashboards.LoadUsers(path)
	if err != nil {
		return nil, nil, err
	}
	srv, err := dashboards.New(dashboards.Config{DB: db, Users: users, Alerts: engine, Log: quiet, Rate: 1e6, Burst: 1e6,
		AuditSpool: filepath.Join(dir, "audit-spool")})
	if err != nil {
		return nil, nil, err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go srv.Run(runCtx)
	hs := httptest.NewServer(srv)
	defer hs.Close()
	pagePaths := []string{"/cockpit", "/cockpit?county=620102", "/alerts"}
	trendsPage := "/trends?metric=petitions&dims=region&grain=month&compare=yoy"
	apiPaths := []string{trendsPage, "/api/v1/trends?metric=petitions&dims=region,category&grain=month&compare=yoy",
		"/api/v1/trends?metric=petitions&dims=region&grain=week&level=township&format=csv",
		"/api/v1/trends?metric=conclude_on_time_rate&dims=unit&grain=month&compare=mom"}
	run := func(who string, paths []string) (map[string][]time.Duration, error) {
		var mu sync.Mutex
		lat := map[string][]time.Duration{}
		var wg, in sync.WaitGroup
		errs := make(chan error, 20)
		// Everyone logs in first (bcrypt is meant to be slow), then all
		// twenty browse at once.
		start := make(chan struct{})
		for i := range 20 {
			wg.Add(1)
			in.Add(1)
			go func(i int) {
				defer wg.Done()
				jar, _ := cookiejar.New(nil)
				c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				resp, err := c.PostForm(hs.URL+"/login", url.Values{"user": {fmt.Sprintf("%s%d", who, i)}, "password": {"bench-password"}})
				in.Done()
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				<-start
				for k := range 10 * len(paths) {
					p := paths[(i+k)%len(paths)]
					t0 := time.Now()
					resp, err := c.Get(hs.URL + p)
					if err != nil {
						errs <- err
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						errs <- fmt.Errorf("%s: status %d", p, resp.StatusCode)
						return
					}
					mu.Lock()
					lat[p] = append(lat[p], time.Since(t0))
					mu.Unlock()
				}
			}(i)
		}
		in.Wait()
		close(start)
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return nil, err
		}
		return lat, nil
	}
	officers, err := run("officer", pagePaths)
	if err != nil {
		return nil, nil, err
	}
	// The trends page needs the trends permission: analysts load it
	// between their API calls.
	analysts, err := run("analyst", apiPaths)
	if err != nil {
		return nil, nil, err
	}
	for _, l := range officers {
		pages = append(pages, l...)
	}
	pages = append(pages, analysts[trendsPage]...)
	for p, l := range analysts {
		if p != trendsPage {
			api = append(api, l...)
		}
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i] < pages[j] })
	sort.Slice(api, func(i, j int) bool { return api[i] < api[j] })
	return pages, api, nil
}
