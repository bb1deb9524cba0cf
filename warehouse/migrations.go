package warehouse

import "fmt"

// Migration is one schema version. Up returns its statements for a target;
// each must be idempotent (IF NOT EXISTS, IF EXISTS), so that a migration
// interrupted half-way can simply run again.
type Migration struct {
	Version int
	Name    string
	Up      func(Target) []string
}

func createTables(tables ...Table) func(Target) []string {
	return func(t Target) []string {
		var out []string
		for _, tb := range tables {
			out = append(out, tb.CreateSQL(t)...)
		}
		return out
	}
}

// withTwins is stmt of each table and of its staging twin.
func withTwins(tables []Table, stmt func(Table) string) []string {
	var out []string
	for _, tb := range withStaging(tables...) {
		out = append(out, stmt(tb))
	}
	return out
}

// patchUpdates lets the tables and their staging twins take patch-part
// deletes (Table.PatchUpdatesSQL).
func patchUpdates(t Target, tables ...Table) []string {
	return withTwins(tables, func(tb Table) string { return tb.PatchUpdatesSQL(t) })
}

// fullRunNext makes the next run of an incremental transform a full one,
// whatever SQL it last ran: an empty fingerprint in transform_state.
func fullRunNext(t Target, transform string) string {
	return fmt.Sprintf("INSERT INTO %s.%s (transform, as_of, watermark, fingerprint, updated_at) "+
		"SELECT %s, today(), fromUnixTimestamp64Milli(0), '', now64(3)", quoteIdent(t.Database), quoteIdent("transform_state"), quoteString(transform))
}

// Migrations is the schema history, oldest first. Append; never edit a
// migration that has shipped.
var Migrations = []Migration{
	{1, "record tables: petitions, hotline_orders, events, unit_reports, restricted_texts",
		createTables(petitionsTable, hotlineTable, eventsTable, unitReportsTable, restrictedTextsTable)},
	{2, "reference tables: regions, region_villages, units, sensitive_periods",
		createTables(regionsTable, villagesTable, unitsTable, periodsTable)},
	{3, "bookkeeping: audit_log, ingest_batches",
		createTables(auditTable, ingestBatchesTable)},
	{4, "indicator tables and their staging twins; transform_runs",
		createTables(append(withStaging(IndicatorTables...), transformRunsTable)...)},
	{5, "alerts, alert_log, alert_outbox",
		createTables(alertsTable, alertLogTable, alertOutboxTable)},
	{6, "repeat_monthly: collective and people (for the cockpit's cards)",
		func(t Target) []string {
			var out []string
			for _, tb := range withStaging(repeatMonthlyTable) {
				out = append(out, tb.AddColumnsSQL(t, "collective", "people")...)
			}
			return out
		}},
	{7, "assessment_scores, assessment_bulletins",
		createTables(assessmentScoresTable, assessmentBulletinsTable)},
	{8, "incremental ticks: transform_state, transform_dirty; daily_counts for the hotspot transforms; patch-part deletes on the incremental tables",
		func(t Target) []string {
			return append(createTables(append(withStaging(dailyCountsTable), transformStateTable, transformDirtyTable)...)(t),
				patchUpdates(t, dailyCountsTable, petitionFlagsTable, keyHistoryTable, caseStatusTable)...)
		}},
	{9, "petition_flags without its copy of the petitioner's pseudonym (petitions has it; sharded by case on a cluster)",
		func(t Target) []string {
			var out []string
			for _, tb := range withStaging(petitionFlagsTable) {
				out = append(out, tb.DropColumnsSQL(t, "petitioner_key")...)
			}
			return out
		}},
	{10, "audit_log keeps an insert deduplication window (a batch the audit spool resends is stored once)",
		func(t Target) []string { return auditTable.DedupSQL(t) }},
	{11, "petitions.key_hash: a 64-bit hash of the pseudonym the engine keeps, for the transforms' look-ups by key",
		func(t Target) []string { return petitionsTable.MaterializedColumnSQL(t, "key_hash") }},
	{12, "weekly_counts: daily_counts by week, for hotspot_weekly (filled by the next transform run)",
		func(t Target) []string {
			return append(createTables(withStaging(weeklyCountsTable)...)(t), patchUpdates(t, weeklyCountsTable)...)
		}},
	{13, "case_status ordered by the month of active_until first, with each month's latest evaluation (its rows are kept, active in every month, until the next case_status run recomputes them all)",
		func(t Target) []string {
			var out []string
			for _, tb := range withStaging(caseStatusTable) {
				out = append(out, tb.RebuildSQL(t, map[string]string{
					"evaluated_months": "[]", "evaluated_satisfaction": "[]", "active_until": "toDate('2149-06-06')",
					// added by migration 15; the full run this one asks for writes it
					"rejected": "false"})...)
			}
			out = append(out, patchUpdates(t, caseStatusTable)...)
			// The copied rows lack their evaluations.
			return append(out, fullRunNext(t, "case_status"))
		}},
	{14, "every indicator table and its staging twin carry the table's comment (a full run exchanges the two, comments included)",
		func(t Target) []string {
			return withTwins(tablesAt14(), func(tb Table) string { return tb.CommentSQL(t) })
		}},
	{15, "case_status.rejected: a new day moves an open case's clocks from its row (filled by the next case_status run, a full one)",
		func(t Target) []string {
			var out []string
			for _, tb := range withStaging(caseStatusTable) {
				out = append(out, tb.AddColumnsSQL(t, "rejected")...)
			}
			// The rows lack the flag until a full run writes it.
			return append(out, fullRunNext(t, "case_status"))
		}},
	{16, "case_id_range: each granule's least and greatest case_id in petitions, petition_flags and case_status (and the twins), for the look-ups of a tick's cases",
		func(t Target) []string {
			out := petitionsTable.AddIndexesSQL(t, caseIDRange.Name)
			for _, tb := range withStaging(petitionFlagsTable, caseStatusTable) {
				out = append(out, tb.AddIndexesSQL(t, caseIDRange.Name)...)
			}
			return out
		}},
	{17, "hotline_status: each 12345 order's 办理 for unit_monthly's hotline rates (filled by the next transform run); order_id_range on hotline_orders",
		func(t Target) []string {
			out := append(createTables(withStaging(hotlineStatusTable)...)(t), patchUpdates(t, hotlineStatusTable)...)
			return append(out, hotlineTable.AddIndexesSQL(t, orderIDRange.Name)...)
		}},
	{18, "ingested_at_range: each granule's earliest and latest ingested_at in petitions, hotline_orders and events, for a tick's look-ups of the records stored since its last run",
		func(t Target) []string {
			var out []string
			for _, tb := range []Table{petitionsTable, hotlineTable, eventsTable} {
				out = append(out, tb.AddIndexesSQL(t, ingestedAtRange.Name)...)
			}
			return out
		}},
	{19, "hotline_orders.key_hash: a 64-bit hash of the caller's pseudonym the engine keeps, for the transforms' look-ups by key (as petitions.key_hash)",
		func(t Target) []string { return hotlineTable.MaterializedColumnSQL(t, "key_hash") }},
}
