package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/segmentio/kafka-go"

	"xfwatch/gen"
	"xfwatch/ingest"
	"xfwatch/refdata"
)

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	digitRunRE = regexp.MustCompile(`[0-9]{7,17}[0-9Xx]?`)
	idShapeRE  = regexp.MustCompile(`[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]`)
	mobileRE   = regexp.MustCompile(`(^|\D)1[3-9]\d{9}(\D|$)`)
)

func TestNoPIIInWarehouseDLQOrLogs(t *testing.T) {
	e := newEnv(t, 3)
	city, _ := refdata.Default()
	began := time.Now()
	// `make faults` (XFWATCH_FAULTS=full): about 10^5 ID and mobile numbers.
	records, truth, err := gen.Generate(gen.Config{Start: time.Now().AddDate(0, 0, -30), Days: 30, Seed: 11, BadRatio: 0.01, City: city,
		Scale: scale(1.0, 8.0)})
	if err != nil {
		t.Fatal(err)
	}
	// Every ID number, phone and name the generator put in a record.
	secrets := map[string]bool{}
	for _, r := range records {
		var m map[string]any
		if json.Unmarshal(r.Value, &m) != nil {
			continue
		}
		for _, k := range []string{"petitioner", "caller"} {
			if p, ok := m[k].(map[string]any); ok {
				for _, f := range []string{"id_number", "phone", "name"} {
					if s, ok := p[f].(string); ok && s != "" {
						secrets[s] = true
					}
				}
			}
		}
	}
	numbers := 0
	for s := range secrets {
		if digitRunRE.MatchString(s) {
			numbers++
		}
	}
	if numbers < scale(1000, 100000) {
		t.Fatalf("only %d ID and mobile numbers generated", numbers)
	}
	logs := &syncBuffer{}
	stop := e.consumer(ingest.Config{Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err := gen.Produce(context.Background(), []string{e.broker.Addr()}, nil, e.topics, records); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the load stored", 120*time.Second, func() bool {
		return e.count("petitions")+e.count("hotline_orders")+e.count("events")+e.count("unit_reports") >= uint64(len(records)-truth.Bad)
	})
	stop()

	ctx := context.Background()
	rows, err := e.db.Query(ctx, "SELECT table, name FROM system.columns WHERE database = {db:String} AND type LIKE '%String%'",
		clickhouse.Named("db", e.db.Database))
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ table, name string }
	var cols []col
	for rows.Next() {
		var c col
		rows.Scan(&c.table, &c.name)
		cols = append(cols, c)
	}
	rows.Close()
	scanned := 0
	for _, c := range cols {
		q := "SELECT DISTINCT toString(`" + c.name + "`) FROM " + e.db.Table(c.table)
		vals, err := e.db.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for vals.Next() {
			var v string
			vals.Scan(&v)
			scanned++
			if hit := findSecret(v, secrets, !reference[c.table]); hit != "" {
				t.Errorf("%s.%s holds %q", c.table, c.name, hit)
			}
			if strings.HasSuffix(c.name, "_key") {
				continue // a pseudonym: hex digits, checked above for exact secrets only
			}
			if idShapeRE.MatchString(v) || mobileRE.MatchString(v) {
				t.Errorf("%s.%s holds an ID or mobile number: %q", c.table, c.name, v)
			}
		}
		vals.Close()
	}
	dlq := e.dlq()
	if len(dlq) != truth.Bad {
		t.Errorf("DLQ has %d records, %d were malformed", len(dlq), truth.Bad)
	}
	for _, m := range dlq {
		text := string(m.Value)
		for _, h := range m.Headers {
			text += " " + string(h.Value)
		}
		for _, run := range digitRunRE.FindAllString(text, -1) {
			if secrets[run] {
				t.Errorf("DLQ record holds %q", run)
			}
		}
	}
	for _, run := range digitRunRE.FindAllString(logs.String(), -1) {
		if secrets[run] {
			t.Errorf("logs hold %q", run)
		}
	}
	t.Logf("scanned %d distinct values in %d string columns, %d DLQ records and %d bytes of logs against %d identities (%d ID and mobile numbers)",
		scanned, len(cols), len(dlq), len(logs.String()), len(secrets), numbers)
	line := fmt.Sprintf("FAULTS %-22s records %7d  ID and mobile numbers %d  hits in warehouse, DLQ and logs: 0  (%v)",
		"privacy scan", len(records), numbers, time.Since(began).Round(time.Second))
	t.Log(line)
	if full() && !t.Failed() {
		fmt.Println(line)
	}
}

// reference tables hold place and unit names, which are not people.
var reference = map[string]bool{"regions": true, "region_villages": true, "units": true, "sensitive_periods": true}

// findSecret returns a secret held in v: a digit run equal to an ID number
// or phone, or (withNames) a 2- or 3-character window equal to a name.
func findSecret(v string, secrets map[string]bool, withNames bool) string {
	for _, run := range digitRunRE.FindAllString(v, -1) {
		if secrets[run] {
			return run
		}
	}
	if !withNames {
		return ""
	}
	r := []rune(v)
	for i := range r {
		for n := 2; n <= 3 && i+n <= len(r); n++ {
			if w := string(r[i : i+n]); secrets[w] {
				return w
			}
		}
	}
	return ""
}

// TestSameKeyAcrossRestarts: a person petitioning again after the consumer
// restarted gets the same pseudonym (the key comes from the key file, not
// the process).
func TestSameKeyAcrossRestarts(t *testing.T) {
	e := newEnv(t, 1)
	first := petition(1)
	var m map[string]any
	json.Unmarshal(first.Value, &m)
	m["case_id"] = "XF-AGAIN"
	again, _ := json.Marshal(m)
	stop := e.consumer(ingest.Config{})
	e.produce(e.topics.Petitions, first)
	e.waitFor("the first petition", 30*time.Second, func() bool { return e.count("petitions") == 1 })
	stop()
	stop = e.consumer(ingest.Config{})
	e.produce(e.topics.Petitions, kafka.Message{Key: []byte("XF-AGAIN"), Value: again})
	e.waitFor("the second petition", 30*time.Second, func() bool { return e.count("petitions") == 2 })
	stop()
	if n := e.uniq("petitions", "petitioner_key"); n != 1 {
		t.Fatalf("one person has %d pseudonyms across a restart", n)
	}
}
