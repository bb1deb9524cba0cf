package transform

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestStagedSQLSplitsAtCTEs(t *testing.T) {
	sql := `
WITH toDate({from:Date}) AS d0,
a AS (
    SELECT 1 AS x -- a comment ( with a parenthesis
),
ears_b AS (SELECT 2 AS x),
b AS (
    SELECT x, ')' AS s, ` + "`odd)name`" + ` AS y FROM a WHERE x IN (1, (2))
),
c AS (SELECT * FROM b)
SELECT * FROM c`
	fill, rest, err := stagedSQL(sql, []string{"b", "c"}, func(s string) string { return "db.t_" + s })
	if err != nil {
		t.Fatal(err)
	}
	wantB := "CREATE OR REPLACE TABLE db.t_b ENGINE = Memory AS\n" + sql[:strings.Index(sql, "\n),\nc AS")+2] + "\nSELECT * FROM b"
	if len(fill) != 2 || fill[0] != wantB {
		t.Fatalf("stage b:\n%s\nwant:\n%s", fill[0], wantB)
	}
	// The second stage reads the first's table.
	if !strings.Contains(fill[1], "b AS (SELECT * FROM db.t_b),\nc AS (SELECT * FROM b)\nSELECT * FROM c") {
		t.Fatalf("stage c:\n%s", fill[1])
	}
	if !strings.HasSuffix(rest, "b AS (SELECT * FROM db.t_b),\nc AS (SELECT * FROM db.t_c)\nSELECT * FROM c") ||
		!strings.Contains(rest, "a AS (\n    SELECT 1 AS x -- a comment ( with a parenthesis\n),\nears_b AS (SELECT 2 AS x),") {
		t.Fatalf("rest:\n%s", rest)
	}
	if _, _, err := stagedSQL(sql, []string{"d"}, func(s string) string { return s }); err == nil || !strings.Contains(err.Error(), `"d"`) {
		t.Fatalf("a missing CTE: %v", err)
	}
	if _, _, err := stagedSQL("WITH a AS (SELECT (1 AS x\nSELECT 1", []string{"a"}, func(s string) string { return s }); err == nil {
		t.Fatal("unbalanced parentheses: no error")
	}
}

func TestPruneCTEsDropsTheUnused(t *testing.T) {
	sql := `
WITH toDate({from:Date}) AS d0,
a AS (SELECT 1 AS x),
-- b: what c reads
b AS (SELECT x, d0 FROM a),
unused AS (
    SELECT ')' AS s -- ( a parenthesis
),
c AS (
    WITH
    inner AS (SELECT 1)
    SELECT * FROM b, (SELECT * FROM inner) AS z
),
d AS (
    WITH
    nested AS (SELECT 1)
    SELECT * FROM nested
),
-- read by nothing
e AS (SELECT 3),
last AS (SELECT * FROM e)
SELECT *, 1 AS d FROM c -- not e`
	// unused goes with the comma after it; last, then e, which only last
	// and a comment read, with the comma before them; d stays, a column's
	// name too.
	want := `
WITH toDate({from:Date}) AS d0,
a AS (SELECT 1 AS x),
-- b: what c reads
b AS (SELECT x, d0 FROM a),
c AS (
    WITH
    inner AS (SELECT 1)
    SELECT * FROM b, (SELECT * FROM inner) AS z
),
d AS (
    WITH
    nested AS (SELECT 1)
    SELECT * FROM nested
)
SELECT *, 1 AS d FROM c -- not e`
	if got := pruneCTEs(sql); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := pruneCTEs(want); got != want {
		t.Fatalf("pruned again:\n%s", got)
	}
}

// TestStagesGiveTheInlineRows: risk_daily computed in stages writes the
// same rows as its SQL run as one query, and leaves its scratch tables
// empty.
func TestStagesGiveTheInlineRows(t *testing.T) {
	f := newFx(t)
	n := 0
	for d := date("2026-04-01"); !d.After(date("2026-06-30")); d = d.AddDate(0, 0, 1) {
		for i := 0; i < 1+d.Day()%5; i++ {
			n++
			f.petition(fmt.Sprintf("S%05d", n), d.Format(time.DateOnly)+fmt.Sprintf(" %02d:00", 9+i), "township",
				"620105001", []string{"education", "housing"}[i%2], fmt.Sprintf("k%05d", n%40), 1+i%3*3, i == 3, "G620105001")
		}
	}
	for _, tr := range []string{"daily_counts", "weekly_counts", "petition_flags", "hotspot_weekly"} {
		f.run(tr, "2026-05-01", "2026-06-30", "2026-06-30")
	}
	rows := `SELECT * FROM risk_daily WHERE risk > 0 ORDER BY day, region, category`
	tr, _ := ByName("risk_daily")
	if len(tr.Stages) == 0 {
		t.Fatal("risk_daily has no stages")
	}
	staged, err := f.runner.Run(context.Background(), tr, date("2026-05-01"), date("2026-06-30"), date("2026-06-30"), false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(staged.SQL[1], "CREATE OR REPLACE TABLE") {
		t.Fatalf("the staged run's second statement:\n%.200s", staged.SQL[1])
	}
	got := f.tsv(rows)
	if strings.Count(got, "\n") < 30 || !strings.Contains(got, "\t620105\t") {
		t.Fatalf("too few risk rows to compare:\n%s", got)
	}
	for _, st := range tr.Stages {
		f.expect("SELECT count() FROM risk_daily_scratch_"+st, "0")
	}
	tr.Stages = nil
	inline, err := f.runner.Run(context.Background(), tr, date("2026-05-01"), date("2026-06-30"), date("2026-06-30"), false)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(inline.SQL, "\n"), "scratch") {
		t.Fatal("the inline run read a scratch table")
	}
	if again := f.tsv(rows); again != got || inline.Rows != staged.Rows {
		t.Fatalf("inline (%d rows):\n%s\nstaged (%d rows):\n%s", inline.Rows, again, staged.Rows, got)
	}
}
