package main

import (
	"context"
	"fmt"
	"time"

	"xfwatch/gen"
	"xfwatch/ingest"
	"xfwatch/refdata"
)

func init() {
	register("gen", "realistic synthetic records with planted hotspots, repeaters, collective petitions; ground truth as JSON", runGen)
}

func runGen(ctx context.Context, args []string) error {
	fs := newFlags("gen", "gen --kafka ADDRS [--days 90] [--start DATE] [--seed 1] [--truth FILE] [--scale 1] [--bad-ratio 0]")
	var kf kafkaFlags
	kf.register(fs)
	daysN := fs.Int("days", 90, "days of records")
	start := fs.String("start", "", "first day, YYYY-MM-DD (default: --days before today)")
	seed := fs.Uint64("seed", 1, "seed: the same seed and start give the same records")
	truthFile := fs.String("truth", "", "write the planted ground truth to this JSON file")
	scale := fs.Float64("scale", 1, "volume: 1 is about 40 petitions and 400 hotline orders a weekday")
	bad := fs.Float64("bad-ratio", 0, "share of records replaced by malformed ones, for testing the DLQ")
	if err := parse(fs, args); err != nil {
		return err
	}
	brokers, dialer, err := kf.dialer()
	if err != nil {
		return err
	}
	cfg, err := genConfig(*daysN, *start, *seed, *scale, *bad)
	if err != nil {
		return err
	}
	records, truth, err := gen.Generate(cfg)
	if err != nil {
		return err
	}
	if err := gen.Produce(ctx, brokers, dialer, ingest.DefaultTopics, records); err != nil {
		return err
	}
	if *truthFile != "" {
		if err := truth.Write(*truthFile); err != nil {
			return err
		}
	}
	fmt.Printf("produced %d records from %s for %d days: %v (%d malformed)\n", len(records), truth.Start, truth.Days, truth.Counts, truth.Bad)
	return nil
}

// genConfig validates the generator flags.
func genConfig(days int, start string, seed uint64, scale, bad float64) (gen.Config, error) {
	if days < 1 || days > 3660 {
		return gen.Config{}, usagef("--days %d: give 1 to 3660", days)
	}
	if scale <= 0 || scale > 1000 {
		return gen.Config{}, usagef("--scale %v: give a number above 0, at most 1000", scale)
	}
	if bad < 0 || bad > 1 {
		return gen.Config{}, usagef("--bad-ratio %v: give 0 to 1", bad)
	}
	city, err := refdata.Default()
	if err != nil {
		return gen.Config{}, err
	}
	first := time.Now().AddDate(0, 0, -days)
	if start != "" {
		d, err := refdata.ParseDate(start)
		if err != nil {
			return gen.Config{}, usagef("--start: %v", err)
		}
		first = d.Time
	}
	return gen.Config{Start: first, Days: days, Seed: seed, Scale: scale, BadRatio: bad, City: city}, nil
}
