package transform

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// ClickHouse resolves `db`.table against an alias of the same name in the
// query first ("Compound identifier 'p.units' cannot be resolved"), so the
// warehouse database cannot be named like any alias the indicator SQL
// gives with AS (tables, CTEs, columns).
var sqlAliases = sync.OnceValue(func() map[string]bool {
	// "expr AS name", and "name AS (" for CTEs and windows
	res := []*regexp.Regexp{regexp.MustCompile(`(?i)\bAS\s+([a-z_][a-z0-9_]*)`), regexp.MustCompile(`(?i)\b([a-z_][a-z0-9_]*)\s+AS\s*\(`)}
	out := map[string]bool{}
	// the rendered SQL: template functions (ears) add CTEs of their own
	v := DefaultConfig().vars("db")
	v.Dirty = "dirty"
	for _, t := range All {
		src := t.SQL
		if t.Incremental != nil {
			src += "\n" + t.Incremental.Dirty + "\n" + t.Incremental.Span
			if c := t.Incremental.Clock; c != nil {
				src += "\n" + c.Rows + "\n" + c.Replace
			}
		}
		if sql, err := render(t.Name, src, v); err == nil {
			src = sql
		}
		for _, re := range res {
			for _, m := range re.FindAllStringSubmatch(src, -1) {
				out[strings.ToLower(m[1])] = true
			}
		}
	}
	return out
})

// CheckDatabase refuses a database name the indicator SQL also uses as an
// alias, naming the fix.
func CheckDatabase(name string) error {
	if !sqlAliases()[strings.ToLower(name)] {
		return nil
	}
	return fmt.Errorf("warehouse database %q: the indicator SQL uses %q as an alias, and ClickHouse would read `%s`.table as that alias; "+
		"put the schema in a database with another name (in --clickhouse …/DB, e.g. xfwatch)", name, name, name)
}
