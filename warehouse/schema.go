package warehouse

import "time"

// TimeZone of every DateTime column: days, weeks and months are counted in
// the city's local time.
const TimeZone = "Asia/Shanghai"

// City is TimeZone's location.
var City = func() *time.Location {
	l, err := time.LoadLocation(TimeZone)
	if err != nil {
		panic(err)
	}
	return l
}()

// CityDay is t's date in the city, as a Date column holds it (midnight UTC):
// the day a reader of the indicators is in.
func CityDay(t time.Time) time.Time {
	l := t.In(City)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

const (
	tsType = "DateTime64(3, 'Asia/Shanghai')"
	lcStr  = "LowCardinality(String)"
)

// ingestColumns end every record table: where the row came from in Kafka,
// so a row can be traced and a partition's progress checked against it.
var ingestColumns = []Column{
	{"topic", lcStr, "Kafka topic the record was read from"},
	{"partition", "Int32", "Kafka partition"},
	{"offset", "Int64", "Kafka offset"},
	{"ingested_at", tsType + " DEFAULT now64(3)", "when ingest stored the row"},
}

func withIngest(cols ...Column) []Column { return append(cols, ingestColumns...) }

// caseIDRange keeps each granule's least and greatest case_id, for the
// tables not ordered by it. Registries number cases in the order they
// come (XF20261128…), and the cases a tick looks up are mostly recent: at
// 10M records the look-up of a tick's 2,260 cases in petitions read 209
// of 1,283 granules with it, all of them without (0.11–0.16 s against
// 0.18–0.21 s), and case_status' delete of their rows took 0.10 s against
// 0.32–0.36 s. Without such numbering it skips nothing and costs little.
var caseIDRange = Index{Name: "case_id_range", Expr: "case_id", Type: "minmax", Granularity: 1}

// orderIDRange is caseIDRange for hotline_orders: 12345 centres number
// their orders by day too, and a tick looks up its orders' rows.
var orderIDRange = Index{Name: "order_id_range", Expr: "order_id", Type: "minmax", Granularity: 1}

// ingestedAtRange keeps each granule's earliest and latest ingested_at:
// a tick finds the records stored since its last run (ingested_at > its
// watermark) in every record table it reads, several times over. The rows
// of a day's ingest sit in its own parts or in granules apart from the
// years before, so the look-up skips the rest: on the 10M warehouse
// 22 → 7 ms of engine CPU for petitions, 17 → 7 for hotline_orders and
// 90 → 28 for the hotline half of events (28M rows), means of six.
// Without it they grow with the warehouse.
var ingestedAtRange = Index{Name: "ingested_at_range", Expr: "ingested_at", Type: "minmax", Granularity: 1}

// Record tables: one row per Kafka record, pseudonymised. No raw ID number,
// phone or name is ever stored; free text lives only in restricted_texts.
var (
	petitionsTable = Table{
		Name:    "petitions",
		Comment: "信访件 registrations (xf.petitions), pseudonymised",
		Columns: withIngest(
			Column{"case_id", "String", "信访件编号, unique"},
			Column{"received_at", tsType, "登记时间"},
			Column{"channel", lcStr, "letter|visit|phone|online|mailbox|video|email|fax"},
			Column{"receiving_level", lcStr, "village|township|county|city|province|national: where it was received"},
			Column{"origin_region", "String", "问题属地 code as given: 6-digit county, 9-digit township or 12-digit village"},
			Column{"county_code", lcStr, "6-digit county of origin_region"},
			Column{"township_code", lcStr, "9-digit township of origin_region, empty for a county-level code"},
			Column{"category", lcStr, "问题类别 (SPEC 3.5)"},
			Column{"headcount", "UInt16", "人数; >= 5 is 集体访"},
			Column{"abnormal", "Bool", "非正常上访"},
			Column{"petitioner_key", "String", "HMAC-SHA256 pseudonym of the petitioner, hex"},
			Column{"key_hash", "UInt64 MATERIALIZED cityHash64(petitioner_key)",
				"cityHash64(petitioner_key), computed by the engine: the transforms find a key's petitions by it"},
			Column{"key_kind", lcStr, "id|phone|weak: what the key was derived from"},
			Column{"responsible_unit", lcStr, "责任单位 code"},
			Column{"subject", "String", "事由, ID and phone numbers redacted"},
			Column{"has_content", "Bool", "free text kept in restricted_texts"},
		),
		Engine:      "MergeTree",
		PartitionBy: "toYYYYMM(received_at)",
		OrderBy:     "(county_code, category, received_at, case_id)",
		Dedup:       true,
		ShardKey:    "cityHash64(petitioner_key)",
		Indexes:     []Index{caseIDRange, ingestedAtRange},
	}
	hotlineTable = Table{
		Name:    "hotline_orders",
		Comment: "12345 work orders (xf.hotline), pseudonymised",
		Columns: withIngest(
			Column{"order_id", "String", "工单编号, unique"},
			Column{"received_at", tsType, "受理时间"},
			Column{"channel", lcStr, "phone|web|app|wechat|email"},
			Column{"kind", lcStr, "consult|help|complaint|report|suggestion|praise"},
			Column{"region", "String", "region code as given"},
			Column{"county_code", lcStr, "6-digit county of region"},
			Column{"township_code", lcStr, "9-digit township of region, empty for a county-level code"},
			Column{"category", lcStr, "问题类别"},
			Column{"caller_key", "String", "HMAC-SHA256 pseudonym of the caller, hex"},
			Column{"key_hash", "UInt64 MATERIALIZED cityHash64(caller_key)",
				"cityHash64(caller_key), computed by the engine: the transforms find a key's orders by it"},
			Column{"key_kind", lcStr, "id|phone|weak"},
			Column{"urgent", "Bool", "紧急"},
			Column{"assigned_unit", lcStr, "承办单位 code"},
			Column{"case_id", "String", "信访件 this order became, empty if none"},
			Column{"subject", "String", "事由, ID and phone numbers redacted"},
			Column{"has_content", "Bool", "free text kept in restricted_texts"},
		),
		Engine:      "MergeTree",
		PartitionBy: "toYYYYMM(received_at)",
		OrderBy:     "(county_code, category, received_at, order_id)",
		Dedup:       true,
		ShardKey:    "cityHash64(caller_key)",
		Indexes:     []Index{orderIDRange, ingestedAtRange},
	}
	eventsTable = Table{
		Name:    "events",
		Comment: "handling events of petitions and orders (xf.events)",
		Columns: withIngest(
			Column{"event_id", "String", "unique"},
			Column{"ref_kind", lcStr, "petition|hotline"},
			Column{"ref", "String", "case_id or order_id"},
			Column{"at", tsType, "when it happened"},
			Column{"type", lcStr, "accepted|rejected|assigned|transferred|extended|contacted|concluded|review_requested|reviewed|rereview_requested|rereviewed|terminated|evaluated|supervised|leader_assigned|leader_received|reopened"},
			Column{"unit", lcStr, "acting unit code"},
			Column{"result", lcStr, "concluded: upheld|partial|rejected (petitions), resolved|unresolved (orders)"},
			Column{"satisfaction", lcStr, "evaluated: satisfied|basic|unsatisfied"},
			Column{"leader", "String", "包案/接待 leader (an official, not a petitioner)"},
			Column{"has_note", "Bool", "note kept in restricted_texts"},
		),
		Engine:      "MergeTree",
		PartitionBy: "toYYYYMM(at)",
		OrderBy:     "(ref_kind, ref, at, event_id)",
		Dedup:       true,
		ShardKey:    "cityHash64(ref)",
		Indexes:     []Index{ingestedAtRange},
	}
	unitReportsTable = Table{
		Name:    "unit_reports",
		Comment: "daily unit reports and 零报告 (xf.unit-reports)",
		Columns: withIngest(
			Column{"report_id", "String", "unique"},
			Column{"unit", lcStr, "reporting unit code"},
			Column{"day", "Date", "the day reported on"},
			Column{"submitted_at", tsType, "when it was filed"},
			Column{"incidents", "UInt32", "0 = 零报告"},
			Column{"has_note", "Bool", "note kept in restricted_texts"},
		),
		Engine:      "MergeTree",
		PartitionBy: "toYYYYMM(day)",
		OrderBy:     "(unit, day, report_id)",
		Dedup:       true,
		ShardKey:    "cityHash64(unit)",
	}
	restrictedTextsTable = Table{
		Name:    "restricted_texts",
		Comment: "free text (content, notes): only roles with case access may read it; ID and phone numbers redacted",
		Columns: withIngest(
			Column{"ref_kind", lcStr, "petition|hotline|event|unit_report"},
			Column{"ref", "String", "the record's id"},
			Column{"field", lcStr, "content|note"},
			Column{"text", "String", "the text, ID and phone numbers redacted"},
			Column{"at", tsType, "the record's time"},
		),
		Engine:      "MergeTree",
		PartitionBy: "toYYYYMM(at)",
		OrderBy:     "(ref_kind, ref, field)",
		Dedup:       true,
		ShardKey:    "cityHash64(ref)",
	}
)

// Dimension tables, replaced whole by `refdata load`.
var (
	regionsTable = Table{
		Name:    "regions",
		Comment: "行政区划: counties and townships of the city",
		Columns: []Column{
			{"code", "String", "6-digit county or 9-digit township code"},
			{"name", "String", "name"},
			{"level", lcStr, "county|township"},
			{"parent", "String", "parent code (the city for a county)"},
			{"population", "UInt32", "approximate residents, for per-10k rates"},
			{"county_code", lcStr, "the county it belongs to"},
		},
		Engine: "MergeTree", OrderBy: "code",
	}
	villagesTable = Table{
		Name:    "region_villages",
		Comment: "村/社区 codes (12 digits), valid as origin_region",
		Columns: []Column{
			{"code", "String", "12-digit village code"},
			{"name", "String", "name"},
			{"township_code", lcStr, "9-digit township"},
			{"county_code", lcStr, "6-digit county"},
		},
		Engine: "MergeTree", OrderBy: "code",
	}
	unitsTable = Table{
		Name:    "units",
		Comment: "责任单位: governments, departments, petition bureaus",
		Columns: []Column{
			{"code", "String", "unit code"},
			{"name", "String", "name"},
			{"kind", lcStr, "government|department|petition_bureau|hotline"},
			{"region", "String", "region code the unit serves"},
			{"level", lcStr, "city|county|township"},
			{"parent", "String", "superior unit code"},
		},
		Engine: "MergeTree", OrderBy: "code",
	}
	periodsTable = Table{
		Name:    "sensitive_periods",
		Comment: "敏感时期: 零报告 required, alert thresholds scaled",
		Columns: []Column{
			{"name", "String", "name"},
			{"start", "Date", "first day, inclusive"},
			{"end", "Date", "last day, inclusive"},
			{"zero_report_required", "Bool", "every unit reports daily"},
			{"threshold_factor", "Float64", "alert thresholds multiplied by this"},
			{"region", "String", "empty for the whole city, else a county code"},
		},
		Engine: "MergeTree", OrderBy: "(start, name)",
	}
)

// Bookkeeping tables.
var (
	auditTable = Table{
		Name:    "audit_log",
		Comment: "append-only record of every page view, export and alert action",
		Columns: []Column{
			{"at", tsType, "when"},
			{"user", "String", "account name"},
			{"role", lcStr, "the account's role"},
			{"action", lcStr, "view|export|ack|assign|resolve|login|…"},
			{"object", "String", "what was acted on: a page, an alert id, an export query"},
			{"outcome", lcStr, "ok|denied|error"},
			{"detail", "String", "more, never identity"},
			{"remote_addr", "String", "client address"},
		},
		Engine: "MergeTree", PartitionBy: "toYYYYMM(at)", OrderBy: "(at, user)",
		Dedup:    true, // the audit spool resends a batch with the same token
		ShardKey: "rand()",
	}
	ingestBatchesTable = Table{
		Name:    "ingest_batches",
		Comment: "one row per batch ingest stored: the offsets it covered",
		Columns: []Column{
			{"table", lcStr, "destination table"},
			{"topic", lcStr, "Kafka topic"},
			{"partition", "Int32", "Kafka partition"},
			{"first_offset", "Int64", "first offset of the batch"},
			{"last_offset", "Int64", "last offset of the batch"},
			{"rows", "UInt32", "rows inserted"},
			{"duplicates", "UInt32", "records skipped because their id was already stored"},
			{"token", "String", "insert_deduplication_token"},
			{"inserted_at", tsType, "when"},
		},
		Engine: "MergeTree", PartitionBy: "toYYYYMM(inserted_at)", OrderBy: "(topic, partition, first_offset)",
		Dedup: true, ShardKey: "partition",
	}
)

// migrationsTable records applied migrations; the runner creates it.
var migrationsTable = Table{
	Name:    "schema_migrations",
	Comment: "xfwatch schema versions applied",
	Columns: []Column{
		{"version", "UInt32", "migration number"},
		{"name", "String", "what it does"},
		{"applied_at", tsType, "when"},
	},
	Engine: "MergeTree", OrderBy: "version",
}
