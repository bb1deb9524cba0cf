package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"xfwatch/assess"
	"xfwatch/gen"
	"xfwatch/warehouse"
)

func init() {
	register("assess", "考核: annual or monthly scores per unit, ranks with intervals, 通报 (stored, and printed or exported)", runAssess)
}

func runAssess(ctx context.Context, args []string) error {
	fs := newFlags("assess", "assess --clickhouse DSN --year Y [--month M] [--format table|csv|xlsx|json] [--out FILE]")
	dsn := fs.String("clickhouse", "", "warehouse DSN, e.g. http://127.0.0.1:8123/xfwatch")
	year := fs.Int("year", 0, "assessment year")
	month := fs.Int("month", 0, "a month (1-12) for the monthly scores and 通报; leave out for the annual scores")
	format := fs.String("format", "table", "table, csv (UTF-8 with BOM), xlsx or json")
	out := fs.String("out", "", "write to this file (default: standard output; xlsx needs a file)")
	rubrics := fs.String("rubrics", "", "directory of rubric files, one per year (default: the shipped ones, assess/rubrics/)")
	noStore := fs.Bool("no-store", false, "compute and print only; do not store the scores and bulletins")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := need(fs, "clickhouse", *dsn, "http://127.0.0.1:8123/xfwatch"); err != nil {
		return err
	}
	if *year == 0 {
		return usagef("--year is required, e.g. --year %d", time.Now().Year())
	}
	switch *format {
	case "table", "csv", "json":
	case "xlsx":
		if *out == "" {
			return usagef("--format xlsx needs --out FILE.xlsx")
		}
	default:
		return usagef("--format %q: use table, csv, xlsx or json", *format)
	}
	rs, err := assess.LoadRubrics(*rubrics)
	if err != nil {
		return usagef("--rubrics: %v", err)
	}
	if _, err := rs.For(*year); err != nil {
		return usagef("--year: %v", err)
	}
	db, err := openWarehouse(ctx, *dsn, "")
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := assess.Compute(ctx, db, rs, *year, *month, time.Now())
	if err != nil {
		return usagef("%v", err)
	}
	if !*noStore {
		if err := assess.Save(ctx, db, res); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := res.Write(&buf, *format); err != nil {
		return err
	}
	if *out == "" {
		_, err = os.Stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	fmt.Fprintln(os.Stderr, res.Summary()+"; written to "+*out)
	return nil
}

// demoAssess scores the demo year and its last complete month with the
// shipped rubric, stores them, and says where the generator's laggards
// landed.
func demoAssess(ctx context.Context, db *warehouse.DB, truth *gen.Truth) error {
	rs, err := assess.LoadRubrics("")
	if err != nil {
		return err
	}
	now := time.Now()
	y := rs.CurrentYear(now)
	if _, err := rs.For(y); err != nil {
		fmt.Printf("\n考核: %v\n", err)
		return nil
	}
	res, err := assess.Compute(ctx, db, rs, y, 0, now)
	if err != nil {
		return err
	}
	if err := assess.Save(ctx, db, res); err != nil {
		return err
	}
	// the last complete month: the year's last, in a year already ended
	m := int(now.Month()) - 1
	if y < now.Year() {
		m = 12
	}
	if m >= 1 {
		monthly, err := assess.Compute(ctx, db, rs, y, m, now)
		if err != nil {
			return err
		}
		if err := assess.Save(ctx, db, monthly); err != nil {
			return err
		}
	}
	fmt.Println("\n考核 — " + res.Summary())
	lag := map[string]bool{}
	for _, u := range truth.Laggards {
		lag[u] = true
	}
	ranked := 0
	for _, s := range res.Scores {
		if s.Rank > 0 {
			ranked++
		}
	}
	for _, s := range res.Scores {
		if s.Rank > 0 && (s.Rank > ranked-3 || lag[s.Unit]) {
			mark := ""
			if lag[s.Unit] {
				mark = "  ← planted laggard"
			}
			fmt.Printf("  %2d/%d  %-16s %5.1f  (90%% %.1f–%.1f, rank band %d–%d)%s\n", s.Rank, ranked, s.Name, s.Score, s.Low, s.High, s.RankBest, s.RankWorst, mark)
		}
	}
	return nil
}
