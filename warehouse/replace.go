package warehouse

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// tables lists every table the migrations create, by name.
var tables = map[string]Table{}

func init() {
	for _, tb := range []Table{petitionsTable, hotlineTable, eventsTable, unitReportsTable, restrictedTextsTable,
		regionsTable, villagesTable, unitsTable, periodsTable, auditTable, ingestBatchesTable, migrationsTable,
		transformRunsTable, transformStateTable, transformDirtyTable, alertsTable, alertLogTable, alertOutboxTable} {
		tables[tb.Name] = tb
	}
	for _, tb := range withStaging(transformTables()...) {
		tables[tb.Name] = tb
	}
}

// Replace makes rows the whole content of table, atomically: a staging copy
// is filled and compared with the table inside the engine, and exchanged with
// it only if they differ. It reports whether the table changed.
func (db *DB) Replace(ctx context.Context, table string, columns []string, rows [][]any) (changed bool, err error) {
	tb, ok := tables[table]
	if !ok {
		return false, fmt.Errorf("no table %q in the schema", table)
	}
	staging := tb
	staging.Name = table + "_staging"
	// Not DROP … SYNC: chDB 26.5 never returns from it (its background
	// drop task does not run); a plain DROP frees the name at once.
	drop := func() {
		for _, name := range []string{staging.Name, db.LocalName(staging.Name)} {
			_ = db.Exec(context.WithoutCancel(ctx), fmt.Sprintf("DROP TABLE IF EXISTS %s%s", db.Table(name), db.onCluster()))
		}
	}
	drop()
	defer drop()
	for _, stmt := range staging.CreateSQL(db.Target) {
		if err := db.Exec(ctx, stmt); err != nil {
			return false, fmt.Errorf("cannot create %s: %w", staging.Name, err)
		}
	}
	cols := make([]string, len(columns))
	for i, c := range columns {
		cols[i] = quoteIdent(c)
	}
	colList := strings.Join(cols, ", ")
	if len(rows) > 0 {
		batch, err := db.PrepareBatch(ctx, fmt.Sprintf("INSERT INTO %s (%s)", db.Table(staging.Name), colList))
		if err != nil {
			return false, fmt.Errorf("cannot load %s: %w", table, err)
		}
		defer batch.Abort()
		for i, r := range rows {
			if err := batch.Append(r...); err != nil {
				return false, fmt.Errorf("%s row %d: %w", table, i+1, err)
			}
		}
		if err := batch.Send(); err != nil {
			return false, fmt.Errorf("cannot load %s: %w", table, err)
		}
	}
	var diff uint64
	q := fmt.Sprintf(`SELECT
		(SELECT count() FROM (SELECT %[1]s FROM %[2]s EXCEPT ALL SELECT %[1]s FROM %[3]s)) +
		(SELECT count() FROM (SELECT %[1]s FROM %[3]s EXCEPT ALL SELECT %[1]s FROM %[2]s))`,
		colList, db.Table(staging.Name), db.Table(table))
	if err := db.QueryRow(ctx, q).Scan(&diff); err != nil {
		return false, fmt.Errorf("cannot compare %s with its new content: %w", table, err)
	}
	if diff == 0 {
		return false, nil
	}
	if err := db.Exec(ctx, fmt.Sprintf("EXCHANGE TABLES %s AND %s%s",
		db.Table(db.LocalName(staging.Name)), db.Table(db.LocalName(table)), db.onCluster())); err != nil {
		return false, fmt.Errorf("cannot swap in the new %s: %w", table, err)
	}
	return true, nil
}

// Columns returns the column names of a schema table, in order.
func Columns(table string) ([]string, bool) {
	tb, ok := tables[table]
	if !ok {
		return nil, false
	}
	out := make([]string, len(tb.Columns))
	for i, c := range tb.Columns {
		out[i] = c.Name
	}
	return out, true
}

// PrepareInsert prepares a batch inserting these columns of a schema table
// with their types named (InsertTypes), so that no DESCRIBE TABLE goes to
// the engine before it. Query options already in ctx (settings such as
// insert_deduplication_token) are kept.
func (db *DB) PrepareInsert(ctx context.Context, table string, cols ...string) (driver.Batch, error) {
	types, err := InsertTypes(table, cols)
	if err != nil {
		return nil, err
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quoteIdent(c)
	}
	ctx = clickhouse.Context(ctx, clickhouse.WithColumnNamesAndTypes(types))
	return db.PrepareBatch(ctx, "INSERT INTO "+db.Table(table)+" ("+strings.Join(quoted, ", ")+")")
}

// InsertTypes gives the types an insert of these columns of a schema table
// sends, for clickhouse-go's WithColumnNamesAndTypes (over HTTP it would ask
// the engine with DESCRIBE TABLE before every insert otherwise). A
// LowCardinality(T) column is sent as T: the engine builds the dictionary,
// where clickhouse-go would box and hash every value in Go.
func InsertTypes(table string, names []string) ([]clickhouse.ColumnNameAndType, error) {
	tb, ok := tables[table]
	if !ok {
		return nil, fmt.Errorf("no table %q in the schema", table)
	}
	out := make([]clickhouse.ColumnNameAndType, len(names))
	for i, n := range names {
		j := slices.IndexFunc(tb.Columns, func(c Column) bool { return c.Name == n })
		if j < 0 {
			return nil, fmt.Errorf("no column %q in table %s", n, table)
		}
		typ := tb.Columns[j].Type
		if inner, ok := strings.CutPrefix(typ, "LowCardinality("); ok {
			typ = strings.TrimSuffix(inner, ")")
		}
		out[i] = clickhouse.ColumnNameAndType{Name: n, Type: typ}
	}
	return out, nil
}
