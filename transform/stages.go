package transform

import (
	"context"
	"fmt"
	"regexp"
)

// A transform's SQL is one SELECT with a chain of CTEs. The engine's
// analyzer takes time that grows faster than the chain: on the 10M
// warehouse, planning risk_daily's SELECT for a tick's month (EXPLAIN PLAN)
// took 0.68–0.82 s of the statement's 1.0–1.7 s, against 0.15 s and 0.08 s
// for its two halves planned apart. Transform.Stages names CTEs that are
// computed first, each into a scratch table, so that the statements after
// read a table instead of planning the chain again.

// stagedSQL splits sql at stages (CTE names, taken in turn): fill
// computes each stage's CTE, with the CTEs defined before it, into the
// scratch table scratch(stage), and its statements, run in order, precede
// rest, which is sql with each stage's definition replaced by a read of its
// table.
func stagedSQL(sql string, stages []string, scratch func(stage string) string) (fill []string, rest string, err error) {
	rest = sql
	for _, st := range stages {
		open, end, err := cteSpan(rest, st)
		if err != nil {
			return nil, "", err
		}
		fill = append(fill, "CREATE OR REPLACE TABLE "+scratch(st)+" ENGINE = Memory AS\n"+rest[:end]+"\nSELECT * FROM "+st)
		rest = rest[:open] + "(SELECT * FROM " + scratch(st) + ")" + rest[end:]
	}
	return fill, rest, nil
}

// cteSpan finds the definition "name AS (…)" that begins a line of sql:
// the offsets of its opening parenthesis and one past its closing one.
// Parentheses in comments, string literals and quoted names do not count.
func cteSpan(sql, name string) (open, end int, err error) {
	loc := regexp.MustCompile(`(?m)^[ \t]*` + regexp.QuoteMeta(name) + `[ \t]+AS[ \t]*\(`).FindStringIndex(sql)
	if loc == nil {
		return 0, 0, fmt.Errorf("no CTE %q begins a line of the SQL", name)
	}
	open = loc[1] - 1
	depth := 0
	for i := open; i < len(sql); i++ {
		switch c := sql[i]; {
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '\'' || c == '`' || c == '"':
			for i++; i < len(sql) && sql[i] != c; i++ {
				if sql[i] == '\\' {
					i++
				}
			}
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return open, i + 1, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("CTE %q: unbalanced parentheses", name)
}

// fillStaging returns the statements that fill t's staging table with the
// rows of sql (rendered), its stages computed first into scratch tables
// named <transform>_scratch_<cte>, and a func that empties those tables,
// which hold their rows in the engine's memory, for the run to call when
// done. (They are not dropped: DROP TABLE … SYNC of one hung in the test
// engine.)
func (r *Runner) fillStaging(ctx context.Context, t Transform, stages []string, staging, colList, sql string, threads int) ([]string, func(), error) {
	scratch := func(stage string) string { return r.DB.Table(t.Name + "_scratch_" + stage) }
	fill, rest, err := stagedSQL(sql, stages, scratch)
	if err != nil {
		return nil, nil, fmt.Errorf("transform %s: %w", t.Name, err)
	}
	stmts := append(append([]string{"TRUNCATE TABLE " + staging}, fill...), t.insertInto(staging, colList, rest, threads))
	empty := func() {
		for _, stage := range stages {
			if err := r.DB.Exec(context.WithoutCancel(ctx), "TRUNCATE TABLE IF EXISTS "+scratch(stage)); err != nil && r.Log != nil {
				r.Log.Warn("cannot empty a transform's scratch table", "transform", t.Name, "table", scratch(stage), "err", err)
			}
		}
	}
	return stmts, empty, nil
}
