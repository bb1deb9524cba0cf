package main

import (
	"context"
	"fmt"
	"os"

	"xfwatch/bench"
)

func init() {
	register("bench", "measure SPEC section 10's figures on this machine and print the table with the targets", runBench)
}

func runBench(ctx context.Context, args []string) error {
	fs := newFlags("bench", "bench [--records N] [--recompute-records N] [--markdown FILE]")
	records := fs.Int("records", 1_000_000, "petition records through ingest (raw stages, end to end)")
	recompute := fs.Uint64("recompute-records", 10_000_000, "petitions, and as many hotline orders, for the recompute and the views")
	markdown := fs.String("markdown", "", "also write the table to this file (e.g. BENCHMARKS.md)")
	dir := fs.String("dir", "", "scratch directory (default: the system's temporary directory)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *records < 10000 {
		return usagef("--records %d: give at least 10000", *records)
	}
	rep, err := bench.Run(ctx, bench.Config{Records: *records, RecomputeRecords: *recompute, Dir: *dir, Progress: os.Stderr})
	if err != nil {
		return err
	}
	rep.Markdown(os.Stdout)
	if *markdown != "" {
		f, err := os.Create(*markdown)
		if err != nil {
			return fmt.Errorf("--markdown: %w", err)
		}
		defer f.Close()
		fmt.Fprint(f, "# Benchmarks\n\n`make bench` (`xfwatch bench`) measures SPEC section 10's figures in one run; this is the latest.\n\n")
		rep.Markdown(f)
	}
	return nil
}
