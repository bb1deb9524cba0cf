package transform

import (
	"fmt"
	"strings"
	"testing"
)

func TestInsertIntoSettings(t *testing.T) {
	plain := Transform{Name: "x"}
	tuned := Transform{Name: "x", Settings: "query_plan_join_swap_table = 0"}
	for _, c := range []struct {
		t       Transform
		threads int
		want    string
	}{
		{plain, 0, ")"},
		{plain, 1, ")"},
		{plain, 2, ")\nSETTINGS max_insert_threads = 2"},
		{tuned, 1, ")\nSETTINGS query_plan_join_swap_table = 0"},
		{tuned, 4, ")\nSETTINGS max_insert_threads = 4, query_plan_join_swap_table = 0"},
	} {
		got := c.t.insertInto("s", "`a`", "SELECT 1 AS a", c.threads)
		if !strings.HasPrefix(got, "INSERT INTO s (`a`)\nSELECT `a` FROM (\nSELECT 1 AS a\n)") || !strings.HasSuffix(got, c.want) {
			t.Errorf("threads %d, settings %q:\n%s", c.threads, c.t.Settings, got)
		}
	}
}

// TestInsertThreadsKeepRows: a transform writes the same rows with the
// engine's threads (read from it when InsertThreads is 0) as with one.
func TestInsertThreadsKeepRows(t *testing.T) {
	f := newFx(t)
	for i := range 300 {
		id := fmt.Sprintf("T%03d", i)
		f.petition(id, fmt.Sprintf("2026-03-%02d 10:00", 1+i%28), "county", "620102", "housing", fmt.Sprintf("k%d", i%40), 1, false, "G620102")
		f.event("petition", id, fmt.Sprintf("2026-04-%02d 15:00", 1+i%28), "accepted", "G620102", "", "")
		if i%3 == 0 {
			f.event("petition", id, fmt.Sprintf("2026-05-%02d 15:00", 1+i%28), "concluded", "G620102", "partial", "")
		}
	}
	engine := strings.TrimSpace(f.tsv("SELECT getSetting('max_threads')"))
	t.Logf("the engine's max_threads: %s", engine)
	hash := "SELECT count(), sum(cityHash64(*)) FROM case_status"
	res := f.run("case_status", "2026-03-01", "2026-06-30", "2026-06-30")
	withEngine := f.tsv(hash)
	if f.runner.InsertThreads < 1 || fmt.Sprint(f.runner.InsertThreads) != engine {
		t.Fatalf("InsertThreads %d after a run, the engine's max_threads %s", f.runner.InsertThreads, engine)
	}
	if multi := strings.Contains(strings.Join(res.SQL, "\n"), "max_insert_threads = "+engine); multi != (engine != "1") {
		t.Errorf("the insert names max_insert_threads = %s: %v; statements:\n%s", engine, multi, strings.Join(res.SQL, "\n"))
	}
	f.runner.InsertThreads = 1
	res = f.run("case_status", "2026-03-01", "2026-06-30", "2026-06-30")
	if strings.Contains(strings.Join(res.SQL, "\n"), "max_insert_threads") {
		t.Errorf("InsertThreads 1 still sets max_insert_threads")
	}
	if one := f.tsv(hash); one != withEngine || !strings.HasPrefix(one, "300\t") {
		t.Errorf("case_status with %s threads: %s; with one: %s", engine, withEngine, one)
	}
}
