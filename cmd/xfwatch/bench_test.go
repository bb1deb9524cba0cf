package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBenchPrintsEveryRow runs `xfwatch bench` small: every figure of SPEC
// section 10 gets a measured value and its target, and the markdown file
// keeps its prose around the table.
func TestBenchPrintsEveryRow(t *testing.T) {
	needEngine(t)
	md := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	prose := "# Benchmarks\n\nprose before\n\n<!-- bench:start -->\nold table\n<!-- bench:end -->\n\nprose after\n"
	if err := os.WriteFile(md, []byte(prose), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := xfwatch(t, nil, "bench", "--records", "10000", "--recompute-records", "20000", "--markdown", md, "--dir", t.TempDir())
	if code != 0 {
		t.Fatalf("bench: exit %d\n%s", code, out)
	}
	for _, row := range []string{"broker read", "JSON decode", "Arrow build", "engine insert", "the raw stages' CPU a record", "end-to-end ingest", "CPU a record, end to end", "freshness",
		"record → alert", "peak RSS of the ingest process", "full recompute", "incremental tick", "web pages", "/api/v1/trends",
		"peak RSS of the engine"} {
		line := ""
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "| ") && strings.Contains(l, row) {
				line = l
			}
		}
		cells := strings.Split(line, "|")
		if line == "" || len(cells) < 5 || strings.TrimSpace(cells[2]) == "" || strings.TrimSpace(cells[3]) == "" {
			t.Errorf("no measured row for %q:\n%s", row, out)
		}
	}
	// Each tick row is the median of five, with the fastest and the
	// slowest: after an hour's records, and after a minute's (the
	// scheduler's default interval).
	for _, period := range []string{"an hour's records", "a minute's records"} {
		if !regexp.MustCompile(`\| incremental tick: ` + period + `.*the median of 5 such ticks \| [0-9.]+m?s \([0-9.]+m?s–[0-9.]+m?s\)`).MatchString(out) {
			t.Errorf("the tick row of %s gives no median of five ticks with their range:\n%s", period, out)
		}
	}
	// What the engine merged is noted for the insert stage and the run end
	// to end, from its own counters (the merges a run leaves are part of
	// what storing its records costs).
	for _, what := range []string{"stage", "run"} {
		if !regexp.MustCompile(`during and after the ` + what + ` it merged [0-9,]+ rows \([0-9.]+ a row stored`).MatchString(out) {
			t.Errorf("no note of what the engine merged during and after the %s:\n%s", what, out)
		}
	}
	b, _ := os.ReadFile(md)
	text := string(b)
	if !strings.Contains(text, "prose before") || !strings.Contains(text, "prose after") || strings.Contains(text, "old table") ||
		!strings.Contains(text, "| end-to-end ingest") {
		t.Errorf("BENCHMARKS.md after the run:\n%s", text)
	}
}
