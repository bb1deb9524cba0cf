package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/segmentio/kafka-go"

	"xfwatch/broker"
	"xfwatch/ingest"
	"xfwatch/refdata"
	"xfwatch/warehouse"
)

// Config says how big to measure.
type Config struct {
	Records          int    // petition records through ingest
	RecomputeRecords uint64 // petitions, and as many hotline orders, for the recompute and the views
	ProfileDir       string // if set, CPU profiles of the end-to-end run go there: the ingest process's (ingest.cpu) and the bench process's, the broker's side (broker.cpu)
	IngestOnly       bool   // stop after the ingest rows
	Binary           string // the xfwatch binary (its own, by default)
	Dir              string // scratch directory (removed after)
	Progress         io.Writer
}

// Row is one figure of the table.
type Row struct {
	Figure, Measured, Target string
	Met                      string // "yes", "no" or "" (no target)
}

// Report is the table with where and when it was measured.
type Report struct {
	Date, Machine string
	Rows          []Row
	Notes         []string
}

func (r *Report) add(figure, measured, target string, met *bool) {
	m := ""
	if met != nil {
		m = map[bool]string{true: "yes", false: "**no**"}[*met]
	}
	r.Rows = append(r.Rows, Row{figure, measured, target, m})
}

func ptr(b bool) *bool { return &b }

// Markdown prints the report.
func (r *Report) Markdown(w io.Writer) {
	fmt.Fprintf(w, "Measured %s on %s.\n\n", r.Date, r.Machine)
	fmt.Fprintln(w, "| figure | measured | target (SPEC §10) | met |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, x := range r.Rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", x.Figure, x.Measured, x.Target, x.Met)
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range r.Notes {
			fmt.Fprintln(w, "- "+n)
		}
	}
}

func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb uint64
		fmt.Sscanf(strings.SplitN(string(b), "\n", 2)[0], "MemTotal: %d kB", &kb)
		mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
	}
	return fmt.Sprintf("%s, %d cores%s, %s", cpu, runtime.NumCPU(), mem, runtime.Version())
}

func rate(n int, d time.Duration) string {
	return fmt.Sprintf("%s records/s", thousands(float64(n)/d.Seconds()))
}

func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s)) * p)
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

// busy says how many cores the engine kept busy over a wall time.
func busy(cpu, wall time.Duration) string {
	if cpu <= 0 || wall <= 0 {
		return ""
	}
	return fmt.Sprintf("; engine CPU %v = %.1f cores busy", cpu.Round(100*time.Millisecond), cpu.Seconds()/wall.Seconds())
}

// perRecord is CPU time a record, in µs.
func perRecord(cpu time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(cpu.Nanoseconds()) / 1000 / float64(n)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }

// Run measures everything and returns the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Records <= 0 {
		cfg.Records = 1_000_000
	}
	if cfg.RecomputeRecords == 0 {
		cfg.RecomputeRecords = 10_000_000
	}
	if cfg.Binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		cfg.Binary = exe
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	say := func(format string, a ...any) { fmt.Fprintf(cfg.Progress, "bench: "+format+"\n", a...) }
	if cfg.ProfileDir != "" {
		if err := os.MkdirAll(cfg.ProfileDir, 0o755); err != nil {
			return nil, fmt.Errorf("--profile-dir: %w", err)
		}
	}
	dir, err := os.MkdirTemp(cfg.Dir, "xfwatch-bench-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	logf, err := os.Create(filepath.Join(dir, "children.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	rep := &Report{Date: time.Now().Format("2006-01-02 15:04 MST"), Machine: machine()}

	// The engine in its own process, behind ClickHouse's HTTP interface.
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	engine, err := start(ctx, cfg.Binary, logf, "warehouse", "--listen", addr, "--data", filepath.Join(dir, "warehouse"))
	if err != nil {
		return nil, err
	}
	defer engine.stop(time.Minute)
	if err := waitHTTP("http://"+addr+"/ping", 2*time.Minute, engine); err != nil {
		return nil, fmt.Errorf("the warehouse process: %w", err)
	}
	city, err := refdata.Default()
	if err != nil {
		return nil, err
	}
	openDB := func(name string) (*warehouse.DB, error) {
		dsn := "http://" + addr + "/" + name
		if err := warehouse.EnsureDatabase(ctx, dsn, ""); err != nil {
			return nil, err
		}
		db, err := warehouse.Open(ctx, dsn)
		if err != nil {
			return nil, err
		}
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		if _, err := warehouse.Migrate(ctx, db, quiet); err != nil {
			return nil, err
		}
		if _, err := refdata.Load(ctx, db, city); err != nil {
			return nil, err
		}
		return db, nil
	}

	// Records in the broker.
	kafkaBroker, err := broker.Start(broker.Config{Listen: "127.0.0.1:0", Partitions: 6, Topics: ingest.DefaultTopics.All()})
	if err != nil {
		return nil, err
	}
	defer kafkaBroker.Close()
	day := time.Now().AddDate(0, 0, -3).Truncate(24 * time.Hour)
	msgs := petitions(city, cfg.Records, 0, day)
	size := 0
	for _, m := range msgs {
		size += len(m.Value)
	}
	say("producing %d petition records (%d bytes each on average)", len(msgs), size/len(msgs))
	t0 := time.Now()
	if err := produce(ctx, kafkaBroker.Addr(), ingest.DefaultTopics.Petitions, msgs); err != nil {
		return nil, err
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("%d petition records of %d bytes on average, 6 partitions, produced in %v.",
		len(msgs), size/len(msgs), time.Since(t0).Round(time.Millisecond)))

	// Raw stages. Each one's CPU time (this process's, which runs the
	// broker too, plus the engine's) is what it costs a record whatever the
	// number of cores; their sum bounds any pipeline of them on this machine.
	say("raw stages")
	self := os.Getpid()
	cpuNow := func() time.Duration { return cpuOf(self) + engine.cpu() }
	var rawCPU float64 // µs a record, summed over the stages
	stage := func(figure string, n int, d, cpu time.Duration, split ...string) {
		us := perRecord(cpu, n)
		rawCPU += us
		rep.add(figure, fmt.Sprintf("%s; %.2f µs CPU a record%s", rate(n, d), us, strings.Join(split, "")), "—", nil)
	}
	c0 := cpuNow()
	read, values, err := readAll(ctx, kafkaBroker.Addr(), ingest.DefaultTopics.Petitions)
	if err != nil {
		return nil, err
	}
	stage("broker read, kafka-go `Conn.ReadBatch`, 6 partitions in parallel", len(values), read, cpuNow()-c0)
	c0 = cpuNow()
	rows, decode, err := decodeAll(city, values)
	if err != nil {
		return nil, err
	}
	stage("JSON decode, validate, pseudonymise (all cores)", len(rows), decode, cpuNow()-c0)
	c0 = cpuNow()
	batches, build := buildAll(rows)
	stage("Arrow build (rows and their texts)", len(rows), build, cpuNow()-c0)
	raw, err := openDB("bench_raw")
	if err != nil {
		return nil, err
	}
	c0, e0 := cpuNow(), engine.cpu()
	w0, err := mergeWork(ctx, raw)
	if err != nil {
		return nil, err
	}
	insert, err := insertAll(ctx, raw, batches)
	insertCPU, insertEngine := cpuNow()-c0, engine.cpu()-e0
	var merged time.Duration
	if err == nil {
		// The engine's merges of these parts must not run into the next
		// figure; their CPU is noted apart (end to end, merges run while
		// the records flow and count in the engine's share).
		m0 := engine.cpu()
		merged, err = settle(ctx, raw, 3*time.Minute)
		var w1 merges
		if err == nil {
			w1, err = mergeWork(ctx, raw)
		}
		rep.Notes = append(rep.Notes, fmt.Sprintf("After the engine-insert stage the engine merged its parts for %v (until no merge ran, checked every second), "+
			"%.2f µs of CPU a record (not in the stage's figure); during and after the stage it merged %s.",
			merged.Round(time.Second), perRecord(engine.cpu()-m0, len(rows)), w1.since(w0, len(rows))))
	}
	raw.Close()
	if err != nil {
		return nil, err
	}
	stage("engine insert of pre-built batches, rows and texts (clickhouse-go → HTTP → chDB)", len(rows), insert, insertCPU,
		fmt.Sprintf(" (clickhouse-go's columns and encoding %.2f, the engine %.2f)",
			perRecord(insertCPU-insertEngine, len(rows)), perRecord(insertEngine, len(rows))))
	cores := runtime.NumCPU()
	rep.add(fmt.Sprintf("the raw stages' CPU a record, summed: what %d cores allow at most", cores),
		fmt.Sprintf("%.2f µs → %s records/s", rawCPU, thousands(float64(cores)*1e6/rawCPU)), "—", nil)

	// End to end, with `xfwatch ingest` in its own process.
	say("end to end")
	db, err := openDB("bench")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	keyFile := filepath.Join(dir, "key")
	if _, err := ingest.EnsureKeyFile(keyFile); err != nil {
		return nil, err
	}
	metricsAddr, _ := freePort()
	ingestArgs := []string{"ingest", "--kafka", kafkaBroker.Addr(), "--clickhouse", "http://" + addr + "/bench",
		"--group", "bench", "--key-file", keyFile, "--metrics-listen", metricsAddr}
	if cfg.ProfileDir != "" {
		ingestArgs = append(ingestArgs, "--cpuprofile", filepath.Join(cfg.ProfileDir, "ingest.cpu"))
	}
	consumer, err := start(ctx, cfg.Binary, logf, ingestArgs...)
	if err != nil {
		return nil, err
	}
	defer consumer.stop(time.Minute)
	w0, err = mergeWork(ctx, db)
	if err != nil {
		return nil, err
	}
	stopProfile, err := profileSelf(cfg.ProfileDir, "broker.cpu")
	if err != nil {
		return nil, err
	}
	t0 = time.Now()
	self0, engine0, ingest0 := cpuOf(self), engine.cpu(), consumer.cpu()
	if err := waitCount(ctx, db, "petitions", uint64(cfg.Records), 30*time.Minute, consumer, metricsAddr); err != nil {
		stopProfile()
		return nil, err
	}
	e2e := time.Since(t0)
	stopProfile()
	ingestCPU := perRecord(consumer.cpu()-ingest0, cfg.Records)
	engineCPU := perRecord(engine.cpu()-engine0, cfg.Records)
	brokerCPU := perRecord(cpuOf(self)-self0, cfg.Records)
	// The merges the run leaves behind are part of what storing its records
	// costs; they are noted apart, as the engine-insert stage's are.
	m0 := engine.cpu()
	mergedAfter, err := settle(ctx, db, 3*time.Minute)
	if err != nil {
		return nil, err
	}
	w1, err := mergeWork(ctx, db)
	if err != nil {
		return nil, err
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("After the end-to-end run the engine merged for %v more, %.2f µs of CPU a record (not in the run's figures); "+
		"during and after the run it merged %s.", mergedAfter.Round(time.Second), perRecord(engine.cpu()-m0, cfg.Records), w1.since(w0, cfg.Records)))
	ratio := read.Seconds() / e2e.Seconds()
	if insert > read {
		ratio = insert.Seconds() / e2e.Seconds()
	}
	e2eRate := float64(cfg.Records) / e2e.Seconds()
	rep.add("end-to-end ingest, `xfwatch ingest` process, ~400 B petitions", fmt.Sprintf("%s records/s = %.2f × the slowest raw stage (%s)",
		thousands(e2eRate), ratio, map[bool]string{true: "engine insert", false: "broker read"}[insert > read]),
		"≥ 300,000 records/s and ≥ 0.5 × slowest raw stage", ptr(e2eRate >= 300000 && ratio >= 0.5))
	total := ingestCPU + engineCPU + brokerCPU
	rep.add("CPU a record, end to end: what it lets "+fmt.Sprint(cores)+" cores do at most",
		fmt.Sprintf("%.2f µs (ingest process %.2f, engine %.2f, broker and bench %.2f) → %s records/s",
			total, ingestCPU, engineCPU, brokerCPU, thousands(float64(cores)*1e6/total)), "—", nil)

	// Freshness at a steady 5,000 records/s, and record → alert.
	say("freshness")
	fresh, err := freshness(ctx, db, kafkaBroker.Addr(), city, cfg.Records, day)
	if err != nil {
		return nil, err
	}
	rep.add("freshness, produced → queryable, at 5,000 records/s for 10 s", fmt.Sprintf("p50 %s, p95 %s", ms(pct(fresh, .5)), ms(pct(fresh, .95))),
		"p95 ≤ 1 s", ptr(pct(fresh, .95) <= time.Second))
	say("record to alert")
	alerts, err := recordToAlert(ctx, db, kafkaBroker.Addr(), city)
	if err != nil {
		return nil, err
	}
	rep.add("record → alert (进京非正常上访 produced → alert stored by the ingest process)", fmt.Sprintf("p50 %s, p95 %s (%d records)",
		ms(pct(alerts, .5)), ms(pct(alerts, .95)), len(alerts)), "p95 ≤ 5 s", ptr(pct(alerts, .95) <= 5*time.Second))
	ingestPeak := consumer.hwm()
	consumer.stop(time.Minute)
	rep.add("peak RSS of the ingest process", fmt.Sprintf("%.0f MB", float64(ingestPeak)/1e6), "≤ 512 MB", ptr(ingestPeak <= 512e6))

	if cfg.IngestOnly {
		return rep, nil
	}
	// Recompute and views at scale.
	say("recompute over %d petitions and %d orders", cfg.RecomputeRecords, cfg.RecomputeRecords)
	big, err := openDB("bench_big")
	if err != nil {
		return nil, err
	}
	defer big.Close()
	rc, err := Recompute(ctx, big, cfg.RecomputeRecords, engine.cpu, say)
	if err != nil {
		return nil, err
	}
	rep.add(fmt.Sprintf("full recompute of all indicators, %s petitions + %s orders over 2 years", thousands(float64(cfg.RecomputeRecords)), thousands(float64(cfg.RecomputeRecords))),
		rc.Full.Round(100*time.Millisecond).String()+busy(rc.FullCPU, rc.Full), "≤ 10 s", ptr(rc.Full <= 10*time.Second))
	tickRow := func(what string, tk Ticks) {
		rep.add(fmt.Sprintf("incremental tick: %s (%s new petitions + %s new orders, and %s handling events of earlier ones), the same day; the median of %d such ticks",
			what, thousands(float64(tk.Petitions)), thousands(float64(tk.Petitions)), thousands(float64(tk.FollowUps)), SameDayTicks),
			fmt.Sprintf("%v (%v–%v)%s", tk.Took.Round(10*time.Millisecond), tk.Min.Round(10*time.Millisecond), tk.Max.Round(10*time.Millisecond),
				busy(tk.CPU, tk.Took)), "≤ 1 s", ptr(tk.Took <= time.Second))
	}
	tickRow("an hour's records", rc.Hour)
	tickRow("a minute's records, the scheduler's default interval", rc.Minute)
	rep.add("first tick of a new day (every clock and window moves)", rc.DayTick.Round(10*time.Millisecond).String()+busy(rc.DayTickCPU, rc.DayTick), "—", nil)
	rep.Notes = append(rep.Notes, "Slowest transforms of the full recompute: "+rc.Slowest+".",
		"Slowest transforms of the median incremental tick: "+rc.Hour.Slowest+" (an hour's records); "+rc.Minute.Slowest+
			" (a minute's); of the new day's tick: "+rc.DayTickSlowest+".")
	settled, err := settle(ctx, big, 3*time.Minute)
	if err != nil {
		return nil, err
	}
	say("background merges settled in %v", settled.Round(time.Second))
	rep.Notes = append(rep.Notes, fmt.Sprintf("The ticks and the views are timed once the engine runs no background merge "+
		"(waited for that %v before the first tick, again before each other tick, and %v before the views).", rc.Settled.Round(time.Second), settled.Round(time.Second)))
	say("views")
	pages, api, err := Views(ctx, big)
	if err != nil {
		return nil, err
	}
	rep.add("web pages (cockpit, drill-down, alerts, trends), 20 concurrent users", fmt.Sprintf("p50 %s, p95 %s", ms(pct(pages, .5)), ms(pct(pages, .95))),
		"p95 ≤ 100 ms", ptr(pct(pages, .95) <= 100*time.Millisecond))
	rep.add("`/api/v1/trends` (JSON, CSV, rates), 20 concurrent users", fmt.Sprintf("p50 %s, p95 %s", ms(pct(api, .5)), ms(pct(api, .95))),
		"p95 ≤ 100 ms", ptr(pct(api, .95) <= 100*time.Millisecond))
	enginePeak := engine.hwm()
	rep.add("peak RSS of the engine process (chDB)", fmt.Sprintf("%.0f MB", float64(enginePeak)/1e6), "—", nil)
	return rep, nil
}

func produce(ctx context.Context, addr, topic string, msgs []kafka.Message) error {
	w := &kafka.Writer{Addr: kafka.TCP(addr), Topic: topic, Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll,
		BatchSize: 5000, BatchBytes: 8 << 20, BatchTimeout: 2 * time.Millisecond}
	defer w.Close()
	const chunk = 50000
	for i := 0; i < len(msgs); i += chunk {
		if err := w.WriteMessages(ctx, msgs[i:min(i+chunk, len(msgs))]...); err != nil {
			return err
		}
	}
	return nil
}

// readAll reads every partition to its end with the batch API, in parallel.
func readAll(ctx context.Context, addr, topic string) (time.Duration, [][]byte, error) {
	parts := make([][][]byte, 6)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	t0 := time.Now()
	for p := range 6 {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			conn, err := kafka.DialLeader(ctx, "tcp", addr, topic, p)
			if err != nil {
				errs[p] = err
				return
			}
			defer conn.Close()
			last, err := conn.ReadLastOffset()
			if err != nil {
				errs[p] = err
				return
			}
			for off := int64(0); off < last; {
				conn.SetReadDeadline(time.Now().Add(30 * time.Second))
				batch := conn.ReadBatch(1, 16<<20)
				for {
					m, err := batch.ReadMessage()
					if err != nil {
						break
					}
					parts[p] = append(parts[p], m.Value)
					off = m.Offset + 1
				}
				if err := batch.Close(); err != nil {
					errs[p] = err
					return
				}
				if _, err := conn.Seek(off, kafka.SeekAbsolute); err != nil {
					errs[p] = err
					return
				}
			}
		}(p)
	}
	wg.Wait()
	d := time.Since(t0)
	var out [][]byte
	for p := range parts {
		if errs[p] != nil {
			return 0, nil, fmt.Errorf("reading partition %d: %w", p, errs[p])
		}
		out = append(out, parts[p]...)
	}
	return d, out, nil
}

func decodeAll(city *refdata.Set, values [][]byte) ([]ingest.Row, time.Duration, error) {
	keyer, err := ingest.NewKeyer([]byte("bench-pseudonym-key-0123456789abcdef"))
	if err != nil {
		return nil, 0, err
	}
	dec := &ingest.Decoder{Ref: ingest.NewReference(city), Keyer: keyer}
	rows := make([]ingest.Row, len(values))
	workers := runtime.NumCPU()
	var wg sync.WaitGroup
	var bad sync.Map
	t0 := time.Now()
	for w := range workers {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(values); i += workers {
				r, rej := dec.Decode(ingest.KindPetition, values[i])
				if rej != nil {
					bad.Store(i, rej.Error())
				}
				rows[i] = r
			}
		}(w)
	}
	wg.Wait()
	d := time.Since(t0)
	var first error
	bad.Range(func(k, v any) bool { first = fmt.Errorf("record %v rejected: %v", k, v); return false })
	return rows, d, first
}

type builtBatch struct {
	rec, texts arrow.Record
	token      string
}

func buildAll(rows []ingest.Row) ([]builtBatch, time.Duration) {
	const size = 50000
	var out []builtBatch
	t0 := time.Now()
	for i := 0; i < len(rows); i += size {
		end := min(i+size, len(rows))
		m, tx := ingest.BuildBatch(ingest.KindPetition, rows[i:end], "bench", 0, int64(i))
		out = append(out, builtBatch{rec: m, texts: tx, token: fmt.Sprintf("bench-0-%d-%d", i, end-1)})
	}
	return out, time.Since(t0)
}

func waitCount(ctx context.Context, db *warehouse.DB, table string, n uint64, limit time.Duration, c *child, metrics string) error {
	deadline := time.Now().Add(limit)
	var inserted, got uint64
	for poll := 0; ; poll++ {
		// The ingest process's count of the records the engine acknowledged
		// is read first, and the warehouse counted once it says all are in,
		// and once a second whatever it says (should the metric be missing):
		// any query costs the engine about 5 ms of CPU here, and a count()
		// every 50 ms took a tenth to a fifth of a core from the run and put
		// 1–2 µs of CPU a record in the engine's share (alternating runs,
		// 1M records: 7.84 and 9.05 µs against 6.77 and 6.08).
		var err error
		inserted, err = insertedSoFar(ctx, metrics)
		if err != nil || inserted >= n || poll%20 == 19 {
			if err := db.QueryRow(ctx, "SELECT count() FROM "+db.Table(table)).Scan(&got); err != nil {
				return err
			}
			if got >= n {
				return nil
			}
		}
		select {
		case err := <-c.done:
			return c.exited("the ingest process", err)
		case <-ctx.Done():
			return ctx.Err()
		// Every 50 ms: 0.5 % of a 10 s run.
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d records stored after %v (the ingest process reported %d inserted)", got, n, limit, inserted)
		}
		c.hwm()
	}
}

// insertedSoFar reads the petitions the ingest process reports inserted
// (xfwatch_ingest_records_total, outcome "inserted") from its metrics
// endpoint at addr. An endpoint that does not answer within a second, or
// not with 200, is an error (the caller then counts the warehouse).
func insertedSoFar(ctx context.Context, addr string) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("metrics endpoint %s: %s", addr, res.Status)
	}
	var n float64
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "xfwatch_ingest_records_total{") || !strings.Contains(line, `outcome="inserted"`) ||
			!strings.Contains(line, `topic="`+ingest.DefaultTopics.Petitions+`"`) {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			return 0, fmt.Errorf("metrics line %q: %w", line, err)
		}
		n += v
	}
	return uint64(n), sc.Err()
}
