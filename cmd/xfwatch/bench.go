package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"xfwatch/bench"
)

func init() {
	register("bench", "measure SPEC section 10's figures on this machine and print the table with the targets", runBench)
}

func runBench(ctx context.Context, args []string) error {
	fs := newFlags("bench", "bench [--records N] [--recompute-records N] [--markdown FILE] [--profile-dir DIR] [--ingest-only]")
	records := fs.Int("records", 1_000_000, "petition records through ingest (raw stages, end to end)")
	recompute := fs.Uint64("recompute-records", 10_000_000, "petitions, and as many hotline orders, for the recompute and the views")
	markdown := fs.String("markdown", "", "also write the table to this file (e.g. BENCHMARKS.md)")
	dir := fs.String("dir", "", "scratch directory (default: the system's temporary directory)")
	profiles := fs.String("profile-dir", "", "write CPU profiles of the end-to-end run here: the ingest process (ingest.cpu) and the broker side, this process (broker.cpu); for go tool pprof")
	ingestOnly := fs.Bool("ingest-only", false, "measure the ingest rows only (no recompute, tick or views)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *records < 10000 {
		return usagef("--records %d: give at least 10000", *records)
	}
	rep, err := bench.Run(ctx, bench.Config{Records: *records, RecomputeRecords: *recompute, Dir: *dir, Progress: os.Stderr,
		ProfileDir: *profiles, IngestOnly: *ingestOnly})
	if err != nil {
		return err
	}
	rep.Markdown(os.Stdout)
	if *markdown != "" {
		if err := writeBenchMarkdown(*markdown, rep); err != nil {
			return fmt.Errorf("--markdown: %w", err)
		}
	}
	return nil
}

// writeBenchMarkdown puts the table between the file's bench markers
// (keeping the prose around them), or writes a new file.
func writeBenchMarkdown(path string, rep *bench.Report) error {
	var table strings.Builder
	rep.Markdown(&table)
	const start, end = "<!-- bench:start -->", "<!-- bench:end -->"
	old, err := os.ReadFile(path)
	if err == nil {
		text := string(old)
		i, j := strings.Index(text, start), strings.Index(text, end)
		if i >= 0 && j > i {
			return os.WriteFile(path, []byte(text[:i+len(start)]+"\n"+table.String()+text[j:]), 0o644)
		}
	}
	return os.WriteFile(path, []byte("# Benchmarks\n\n`make bench` (`xfwatch bench`) measures SPEC section 10's figures in one run.\n\n"+
		start+"\n"+table.String()+end+"\n"), 0o644)
}
