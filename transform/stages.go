package transform

import (
	"context"
	"fmt"
	"regexp"
	"strings"
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

// cteDef matches a CTE definition "name AS (" at the start of a line.
var cteDef = regexp.MustCompile(`(?m)^[ \t]*(\w+)[ \t]+AS[ \t]*\(`)

// pruneCTEs drops from sql the CTEs of its outermost WITH (definitions
// that begin a line outside any parentheses) whose name nothing else in
// the statement's code mentions (comments and string literals do not
// count), until every one left is mentioned. The engine
// analyses every CTE of a WITH, used or not: a stage of risk_daily planned
// (EXPLAIN PLAN) in 50–53 ms without the three CTEs only later stages
// read, 60–67 ms with them; and each statement after a stage still
// defined the CTEs the stage had read. A column of the same name keeps a
// CTE: pruning only ever leaves one too many. (The transforms never quote
// a CTE's name.)
func pruneCTEs(sql string) string {
	for {
		pruned, code := false, codeOnly(sql)
		for _, m := range cteDef.FindAllStringSubmatchIndex(sql, -1) {
			if depthAt(sql, m[0]) != 0 {
				continue
			}
			name := sql[m[2]:m[3]]
			_, end, err := spanFrom(sql, m[1]-1)
			if err != nil {
				return sql
			}
			if regexp.MustCompile(`\b` + name + `\b`).MatchString(code[:m[0]] + code[end:]) {
				continue
			}
			start := m[0]
			if rest := strings.TrimLeft(sql[end:], " \t\n"); strings.HasPrefix(rest, ",") {
				end = len(sql) - len(rest) + 1 // the comma after it, and its line's end
				if strings.HasPrefix(sql[end:], "\n") {
					end++
				}
			} else if k := commaBefore(sql, start); k >= 0 {
				start = k // the last CTE: the comma before it
			}
			sql, pruned = sql[:start]+sql[end:], true
			break
		}
		if !pruned {
			return sql
		}
	}
}

// commaBefore is the offset of the comma that ends the text before pos,
// past white space and comment lines, or -1.
func commaBefore(sql string, pos int) int {
	k := pos
	for {
		k = len(strings.TrimRight(sql[:k], " \t\n"))
		line := sql[strings.LastIndex(sql[:k], "\n")+1 : k]
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			break
		}
		k -= len(line)
	}
	if k > 0 && sql[k-1] == ',' {
		return k - 1
	}
	return -1
}

// codeOnly is sql with its comments, string literals and quoted names
// blanked out, at the same offsets.
func codeOnly(sql string) string {
	b := []byte(strings.Repeat(" ", len(sql)))
	eachCode(sql, 0, func(i int) bool {
		b[i] = sql[i]
		return true
	})
	return string(b)
}

// depthAt is how many parentheses are open at pos in sql.
func depthAt(sql string, pos int) int {
	depth := 0
	eachCode(sql, 0, func(i int) bool {
		if i >= pos {
			return false
		}
		switch sql[i] {
		case '(':
			depth++
		case ')':
			depth--
		}
		return true
	})
	return depth
}

// eachCode calls f with the offset of each character of sql from i on
// that is not in a comment, a string literal or a quoted name, until f
// returns false.
func eachCode(sql string, i int, f func(i int) bool) {
	for ; i < len(sql); i++ {
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
		default:
			if !f(i) {
				return
			}
		}
	}
}

// cteSpan finds the definition "name AS (…)" that begins a line of sql:
// the offsets of its opening parenthesis and one past its closing one.
// Parentheses in comments, string literals and quoted names do not count.
func cteSpan(sql, name string) (open, end int, err error) {
	loc := regexp.MustCompile(`(?m)^[ \t]*` + regexp.QuoteMeta(name) + `[ \t]+AS[ \t]*\(`).FindStringIndex(sql)
	if loc == nil {
		return 0, 0, fmt.Errorf("no CTE %q begins a line of the SQL", name)
	}
	if open, end, err = spanFrom(sql, loc[1]-1); err != nil {
		return 0, 0, fmt.Errorf("CTE %q: %w", name, err)
	}
	return open, end, nil
}

// spanFrom is cteSpan from the opening parenthesis at open.
func spanFrom(sql string, open int) (int, int, error) {
	depth, end := 0, -1
	eachCode(sql, open, func(i int) bool {
		switch sql[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				end = i + 1
				return false
			}
		}
		return true
	})
	if end < 0 {
		return 0, 0, fmt.Errorf("unbalanced parentheses")
	}
	return open, end, nil
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
	for i := range fill {
		fill[i] = pruneCTEs(fill[i])
	}
	stmts := append(append([]string{"TRUNCATE TABLE " + staging}, fill...), t.insertInto(staging, colList, pruneCTEs(rest), threads))
	empty := func() {
		for _, stage := range stages {
			if err := r.DB.Exec(context.WithoutCancel(ctx), "TRUNCATE TABLE IF EXISTS "+scratch(stage)); err != nil && r.Log != nil {
				r.Log.Warn("cannot empty a transform's scratch table", "transform", t.Name, "table", scratch(stage), "err", err)
			}
		}
	}
	return stmts, empty, nil
}
