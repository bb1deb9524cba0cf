package gen

import (
	"bytes"
	"sort"
	"testing"
	"time"

	"xfwatch/ingest"
	"xfwatch/refdata"
)

func config(t *testing.T, seed uint64, bad float64) Config {
	t.Helper()
	city, err := refdata.Default()
	if err != nil {
		t.Fatal(err)
	}
	return Config{Start: time.Date(2026, 1, 5, 0, 0, 0, 0, loc), Days: 60, Seed: seed, BadRatio: bad, City: city}
}

func decoder(t *testing.T, cfg Config) *ingest.Decoder {
	keyer, err := ingest.NewKeyer([]byte("generator-test-key-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return &ingest.Decoder{Ref: ingest.NewReference(cfg.City), Keyer: keyer,
		Now: func() time.Time { return cfg.Start.AddDate(0, 0, cfg.Days) }}
}

func TestSameSeedSameRecords(t *testing.T) {
	a, ta, _ := Generate(config(t, 7, 0.01))
	b, tb, _ := Generate(config(t, 7, 0.01))
	c, _, _ := Generate(config(t, 8, 0.01))
	if len(a) != len(b) || ta.Bad != tb.Bad {
		t.Fatalf("same seed: %d vs %d records", len(a), len(b))
	}
	for i := range a {
		if a[i].Key != b[i].Key || !bytes.Equal(a[i].Value, b[i].Value) {
			t.Fatalf("record %d differs between runs with one seed", i)
		}
	}
	if len(a) == len(c) && bytes.Equal(a[0].Value, c[0].Value) {
		t.Fatal("another seed gave the same records")
	}
}

func TestRecordsAreValidAndRealistic(t *testing.T) {
	cfg := config(t, 1, 0)
	records, truth, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d := decoder(t, cfg)
	perKind := map[ingest.Kind]int{}
	weekday, weekend := 0, 0
	counties := map[string]int{}
	for _, r := range records {
		row, rej := d.Decode(r.Kind, r.Value)
		if rej != nil {
			t.Fatalf("generated %s record rejected: %v\n%s", r.Kind, rej, r.Value)
		}
		perKind[r.Kind]++
		if r.Kind == ingest.KindPetition {
			counties[row.County]++
			if wd := row.At.In(loc).Weekday(); wd == time.Saturday || wd == time.Sunday {
				weekend++
			} else {
				weekday++
			}
		}
	}
	p, h := perKind[ingest.KindPetition], perKind[ingest.KindHotline]
	if p < 1000 || h < 8*p || h > 12*p {
		t.Errorf("%d petitions and %d orders: want a hotline about ten times the petitions", p, h)
	}
	if perKind[ingest.KindEvent] < 2*(p+h) || perKind[ingest.KindUnitReport] == 0 {
		t.Errorf("events %d, reports %d", perKind[ingest.KindEvent], perKind[ingest.KindUnitReport])
	}
	if perDay := (float64(weekend) / 2) / (float64(weekday) / 5); perDay > 0.6 {
		t.Errorf("a weekend day has %.0f%% of a weekday's petitions: want a weekly rhythm", perDay*100)
	}
	if counties["620102"] < 3*counties["620111"] {
		t.Errorf("城关区 %d petitions, 红古区 %d: want districts weighted by population", counties["620102"], counties["620111"])
	}
	if len(truth.Surges) == 0 || len(truth.Repeaters) == 0 || len(truth.Collective) == 0 ||
		len(truth.BeijingAbnormal) == 0 || len(truth.Escalations) == 0 || len(truth.SkipLevel) == 0 {
		t.Errorf("nothing planted: %+v", truth)
	}
	// Some events reach Kafka after a later event of another case: out of order.
	late := 0
	var last time.Time
	for _, r := range records {
		if r.Kind == ingest.KindEvent {
			row, _ := d.Decode(r.Kind, r.Value)
			if row.At.Before(last.Add(-time.Hour)) {
				late++
			}
			last = row.At
		}
	}
	if late == 0 {
		t.Error("no event arrives out of order")
	}
}

func TestBadRatioMakesExactlyThatManyRejects(t *testing.T) {
	cfg := config(t, 3, 0.02)
	records, truth, _ := Generate(cfg)
	d := decoder(t, cfg)
	rejected := 0
	for _, r := range records {
		if _, rej := d.Decode(r.Kind, r.Value); rej != nil {
			rejected++
		}
	}
	if truth.Bad == 0 || rejected != truth.Bad {
		t.Fatalf("%d records rejected, truth says %d are bad", rejected, truth.Bad)
	}
}

// Repeat petitions (the same key and category within 180 days) are a
// steady share of a run's petitions, its last weeks included: a trend of
// 重复访 over the demo's days should not fall to nothing.
func TestRepeatPetitionsHoldSteady(t *testing.T) {
	cfg := config(t, 1, 0)
	cfg.Days = 90
	records, _, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d := decoder(t, cfg)
	var rows []ingest.Row
	for _, r := range records {
		if r.Kind == ingest.KindPetition {
			row, rej := d.Decode(r.Kind, r.Value)
			if rej != nil {
				t.Fatal(rej)
			}
			rows = append(rows, row)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].At.Before(rows[j].At) })
	const width = 15 // days a bucket
	n, repeats := make([]int, cfg.Days/width), make([]int, cfg.Days/width)
	last := map[string]time.Time{}
	for _, r := range rows {
		b := int(r.At.Sub(cfg.Start).Hours()/24) / width
		k := r.Key + "|" + r.Category
		if prev, ok := last[k]; ok && r.At.Sub(prev) <= 180*24*time.Hour && b < len(n) {
			repeats[b]++
		}
		if b < len(n) {
			n[b]++
		}
		last[k] = r.At
	}
	for b := 1; b < len(n); b++ { // the first days have no one to come back
		if share := float64(repeats[b]) / float64(n[b]); share < 0.05 {
			t.Errorf("days %d–%d: %d repeat petitions of %d (%.1f%%), want at least 5%%", b*width, (b+1)*width-1, repeats[b], n[b], share*100)
		}
	}
}
