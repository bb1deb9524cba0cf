package warehouse

import (
	"fmt"
	"slices"
	"strings"
)

// Column of a table.
type Column struct {
	Name, Type, Comment string
}

// Table describes one table once; DDL for a single server and for a cluster
// (ReplicatedMergeTree under a Distributed table) is generated from it.
type Table struct {
	Name    string
	Comment string
	Columns []Column
	// Engine is the MergeTree family member without Replicated, with its
	// arguments: "MergeTree", "ReplacingMergeTree(version)".
	Engine      string
	PartitionBy string
	OrderBy     string
	// Dedup drops a retried insert carrying the same
	// insert_deduplication_token; non-replicated tables need
	// non_replicated_deduplication_window for that (it is 0 by default).
	Dedup bool
	// ShardKey is the Distributed table's sharding expression on a cluster.
	ShardKey string
	// Indexes are data-skipping indexes (on a cluster, of the local table).
	Indexes []Index
}

// Index is a data-skipping index: each block of Granularity granules keeps
// a summary of Expr of type Type (minmax: its least and greatest value), and
// a read skips the blocks whose summary rules out its condition.
type Index struct {
	Name, Expr, Type string
	Granularity      int
}

// sql is the index as in CREATE TABLE and ADD INDEX.
func (ix Index) sql() string {
	return fmt.Sprintf("%s %s TYPE %s GRANULARITY %d", quoteIdent(ix.Name), ix.Expr, ix.Type, ix.Granularity)
}

// dedupWindow is how many recent insert blocks' tokens a table remembers.
const dedupWindow = 10000

// Target says where DDL goes: a database, and a cluster or none.
type Target struct {
	Database string
	Cluster  string
}

// onCluster is the ON CLUSTER clause for DDL, or "".
func (t Target) onCluster() string {
	if t.Cluster == "" {
		return ""
	}
	return " ON CLUSTER " + quoteIdent(t.Cluster)
}

// LocalName is the table that holds the rows: the table itself on a single
// server, "<name>_local" under the Distributed table on a cluster.
func (t Target) LocalName(table string) string {
	if t.Cluster == "" {
		return table
	}
	return table + "_local"
}

// CreateSQL returns the statements that create tb in target; each is
// idempotent (IF NOT EXISTS).
func (tb Table) CreateSQL(target Target) []string {
	var b strings.Builder
	local := target.LocalName(tb.Name)
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s.%s%s\n(\n", quoteIdent(target.Database), quoteIdent(local), target.onCluster())
	for i, c := range tb.Columns {
		fmt.Fprintf(&b, "    %s %s", quoteIdent(c.Name), c.Type)
		if c.Comment != "" {
			fmt.Fprintf(&b, " COMMENT %s", quoteString(c.Comment))
		}
		if i < len(tb.Columns)-1 || len(tb.Indexes) > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	for i, ix := range tb.Indexes {
		fmt.Fprintf(&b, "    INDEX %s", ix.sql())
		if i < len(tb.Indexes)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString(")\n")
	engine := tb.Engine
	var settings []string
	if target.Cluster != "" {
		name, args, _ := strings.Cut(engine, "(")
		args = strings.TrimSuffix(args, ")")
		zk := fmt.Sprintf("'/clickhouse/tables/{shard}/%s/%s', '{replica}'", target.Database, local)
		if args != "" {
			zk += ", " + args
		}
		engine = "Replicated" + name + "(" + zk + ")"
	} else if tb.Dedup {
		settings = append(settings, fmt.Sprintf("non_replicated_deduplication_window = %d", dedupWindow))
	}
	fmt.Fprintf(&b, "ENGINE = %s\n", engine)
	if tb.PartitionBy != "" {
		fmt.Fprintf(&b, "PARTITION BY %s\n", tb.PartitionBy)
	}
	fmt.Fprintf(&b, "ORDER BY %s", tb.OrderBy)
	if len(settings) > 0 {
		fmt.Fprintf(&b, "\nSETTINGS %s", strings.Join(settings, ", "))
	}
	if tb.Comment != "" {
		fmt.Fprintf(&b, "\nCOMMENT %s", quoteString(tb.Comment))
	}
	stmts := []string{b.String()}
	if target.Cluster != "" {
		key := tb.ShardKey
		if key == "" {
			key = "rand()"
		}
		stmts = append(stmts, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s%s AS %s.%s\nENGINE = Distributed(%s, %s, %s, %s)",
			quoteIdent(target.Database), quoteIdent(tb.Name), target.onCluster(),
			quoteIdent(target.Database), quoteIdent(local),
			quoteString(target.Cluster), quoteString(target.Database), quoteString(local), key))
	}
	return stmts
}

// quoteIdent quotes a ClickHouse identifier.
func quoteIdent(s string) string {
	return "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`").Replace(s) + "`"
}

// quoteString quotes a ClickHouse string literal; used only for names and
// comments that are part of the schema, never for user values.
func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// PatchUpdatesSQL returns idempotent statements that let the table take
// lightweight updates and deletes as patch parts (a DELETE of a few keys is
// then an insert, not a mutation rewriting every part).
func (tb Table) PatchUpdatesSQL(target Target) string {
	return fmt.Sprintf("ALTER TABLE %s.%s%s MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1",
		quoteIdent(target.Database), quoteIdent(target.LocalName(tb.Name)), target.onCluster())
}

// CommentSQL returns the statement that sets the table's comment to tb's
// (the local table's, on a cluster).
func (tb Table) CommentSQL(target Target) string {
	return fmt.Sprintf("ALTER TABLE %s.%s%s MODIFY COMMENT %s",
		quoteIdent(target.Database), quoteIdent(target.LocalName(tb.Name)), target.onCluster(), quoteString(tb.Comment))
}

// AddColumnsSQL returns idempotent statements that add tb's named columns
// to a table created before they existed (the local table and, on a
// cluster, the Distributed table over it).
func (tb Table) AddColumnsSQL(target Target, names ...string) []string {
	var adds []string
	for _, n := range names {
		for _, c := range tb.Columns {
			if c.Name == n {
				adds = append(adds, fmt.Sprintf("ADD COLUMN IF NOT EXISTS %s %s COMMENT %s", quoteIdent(c.Name), c.Type, quoteString(c.Comment)))
			}
		}
	}
	if len(adds) != len(names) {
		panic(fmt.Sprintf("AddColumnsSQL: table %s lacks one of %v", tb.Name, names))
	}
	tables := []string{target.LocalName(tb.Name)}
	if target.Cluster != "" {
		tables = append(tables, tb.Name)
	}
	var out []string
	for _, name := range tables {
		out = append(out, fmt.Sprintf("ALTER TABLE %s.%s%s %s", quoteIdent(target.Database), quoteIdent(name), target.onCluster(), strings.Join(adds, ", ")))
	}
	return out
}

// MaterializedColumnSQL returns idempotent statements that add tb's
// MATERIALIZED column name to a table created before it existed and write
// it into the parts the table holds (a mutation), so that reads do not
// compute it.
func (tb Table) MaterializedColumnSQL(target Target, name string) []string {
	return append(tb.AddColumnsSQL(target, name), fmt.Sprintf("ALTER TABLE %s.%s%s MATERIALIZE COLUMN %s",
		quoteIdent(target.Database), quoteIdent(target.LocalName(tb.Name)), target.onCluster(), quoteIdent(name)))
}

// AddIndexesSQL returns idempotent statements that add tb's named indexes
// to a table created before they existed and build them for the rows it
// holds (a mutation rewriting the index files of every part).
func (tb Table) AddIndexesSQL(target Target, names ...string) []string {
	table := quoteIdent(target.Database) + "." + quoteIdent(target.LocalName(tb.Name)) + target.onCluster()
	var out []string
	for _, n := range names {
		i := slices.IndexFunc(tb.Indexes, func(ix Index) bool { return ix.Name == n })
		if i < 0 {
			panic(fmt.Sprintf("AddIndexesSQL: table %s lacks index %s", tb.Name, n))
		}
		out = append(out, fmt.Sprintf("ALTER TABLE %s ADD INDEX IF NOT EXISTS %s", table, tb.Indexes[i].sql()),
			fmt.Sprintf("ALTER TABLE %s MATERIALIZE INDEX %s", table, quoteIdent(n)))
	}
	return out
}

// DropColumnsSQL returns idempotent statements that drop columns tb no
// longer has from a table created with them. On a cluster the Distributed
// table over the local one is dropped first and created again (its
// sharding key may name them): run it with ingest and transforms stopped,
// as every migration.
func (tb Table) DropColumnsSQL(target Target, names ...string) []string {
	var drops []string
	for _, n := range names {
		for _, c := range tb.Columns {
			if c.Name == n {
				panic(fmt.Sprintf("DropColumnsSQL: table %s still has %s", tb.Name, n))
			}
		}
		drops = append(drops, "DROP COLUMN IF EXISTS "+quoteIdent(n))
	}
	db := quoteIdent(target.Database)
	var out []string
	if target.Cluster != "" {
		out = append(out, fmt.Sprintf("DROP TABLE IF EXISTS %s.%s%s", db, quoteIdent(tb.Name), target.onCluster()))
	}
	out = append(out, fmt.Sprintf("ALTER TABLE %s.%s%s %s", db, quoteIdent(target.LocalName(tb.Name)), target.onCluster(), strings.Join(drops, ", ")))
	if target.Cluster != "" {
		out = append(out, tb.CreateSQL(target)[1])
	}
	return out
}

// DedupSQL returns the idempotent statement that gives a table made Dedup
// after it was created its insert deduplication window (nothing on a
// cluster: the replicated engine keeps one already).
func (tb Table) DedupSQL(target Target) []string {
	if target.Cluster != "" || !tb.Dedup {
		return nil
	}
	return []string{fmt.Sprintf("ALTER TABLE %s.%s MODIFY SETTING non_replicated_deduplication_window = %d",
		quoteIdent(target.Database), quoteIdent(tb.Name), dedupWindow)}
}

// RebuildSQL returns statements that create tb again as it is now defined
// (a partition or sort key ALTER cannot change), for a table whose rows a
// transform derives. On a single server the rows are kept: a twin is
// created, filled from the table — added gives the value of each column the
// table was created without — and exchanged with it. On a cluster the table
// is dropped and created empty (a ReplicatedMergeTree's path is its name,
// so a twin cannot take its place); the next transform run fills it. Each
// statement can run again after a failure part-way.
func (tb Table) RebuildSQL(target Target, added map[string]string) []string {
	db := quoteIdent(target.Database)
	if target.Cluster != "" {
		return append([]string{
			fmt.Sprintf("DROP TABLE IF EXISTS %s.%s%s SYNC", db, quoteIdent(tb.Name), target.onCluster()),
			fmt.Sprintf("DROP TABLE IF EXISTS %s.%s%s SYNC", db, quoteIdent(target.LocalName(tb.Name)), target.onCluster()),
		}, tb.CreateSQL(target)...)
	}
	twin := tb
	twin.Name = tb.Name + "_rebuilt"
	var cols, vals []string
	for _, c := range tb.Columns {
		cols = append(cols, quoteIdent(c.Name))
		if v, ok := added[c.Name]; ok {
			vals = append(vals, v)
		} else {
			vals = append(vals, quoteIdent(c.Name))
		}
	}
	// Not DROP … SYNC: chDB 26.5 never returns from it (see Replace).
	drop := fmt.Sprintf("DROP TABLE IF EXISTS %s.%s", db, quoteIdent(twin.Name))
	return append(append([]string{drop}, twin.CreateSQL(target)...),
		fmt.Sprintf("INSERT INTO %s.%s (%s) SELECT %s FROM %s.%s", db, quoteIdent(twin.Name), strings.Join(cols, ", "),
			strings.Join(vals, ", "), db, quoteIdent(tb.Name)),
		fmt.Sprintf("EXCHANGE TABLES %s.%s AND %s.%s", db, quoteIdent(twin.Name), db, quoteIdent(tb.Name)),
		drop)
}
