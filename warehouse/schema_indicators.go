package warehouse

import "slices"

// Indicator tables, written by package transform. Each has a "<name>_staging"
// twin: a transform fills the twin and swaps it in (DROP PARTITION, then
// ATTACH PARTITION FROM the twin, per month; or EXCHANGE TABLES for
// whole-table state), so that re-running a
// transform over a period gives the same rows, never more.
var (
	hotspotDailyTable = Table{
		Name:    "hotspot_daily",
		Comment: "热点: daily counts per county and township × category, EARS C1/C2/C3, risk",
		Columns: []Column{
			{"day", "Date", "the day"},
			{"region", lcStr, "county or township code"},
			{"region_level", lcStr, "county|township"},
			{"county_code", lcStr, "the region's county"},
			{"category", lcStr, "问题类别"},
			{"source", lcStr, "petitions (信访件), hotline (12345 orders) or people (sum of headcount)"},
			{"n", "UInt32", "count on the day"},
			{"population", "UInt32", "the region's residents"},
			{"rate_per_10k", "Float64", "n per 10,000 residents"},
			{"c1_upper", "Float64", "EARS C1 upper bound (NaN where undefined)"},
			{"c2_upper", "Float64", "EARS C2 upper bound"},
			{"c3_upper", "Float64", "EARS C3 upper bound"},
			{"c1_alarm", "Bool", "n > c1_upper"},
			{"c2_alarm", "Bool", "n > c2_upper"},
			{"c3_alarm", "Bool", "n > c3_upper"},
			{"alarm", "Bool", "any of the three"},
			{"risk", "UInt8", "risk score 0-100 of the region × category cell (risk_daily)"},
		},
		Engine: "MergeTree", PartitionBy: "toYYYYMM(day)", OrderBy: "(region_level, region, category, source, day)",
		ShardKey: "cityHash64(region)",
	}
	hotspotWeeklyTable = Table{
		Name:    "hotspot_weekly",
		Comment: "热点: weekly counts with a seasonal Poisson CUSUM",
		Columns: []Column{
			{"week", "Date", "Monday of the week"},
			{"region", lcStr, "county or township code"},
			{"region_level", lcStr, "county|township"},
			{"county_code", lcStr, "the region's county"},
			{"category", lcStr, "问题类别"},
			{"source", lcStr, "petitions|hotline|people"},
			{"n", "UInt32", "count in the week"},
			{"expected", "Float64", "seasonal expectation: the same weeks a year earlier, else the 8 weeks before"},
			{"cusum", "Float64", "Poisson CUSUM statistic for a doubling of the expectation"},
			{"cusum_alarm", "Bool", "cusum above the decision limit"},
		},
		Engine: "MergeTree", PartitionBy: "toYYYYMM(week)", OrderBy: "(region_level, region, category, source, week)",
		ShardKey: "cityHash64(region)",
	}
	riskDailyTable = Table{
		Name:    "risk_daily",
		Comment: "risk score 0-100 per region × category cell and day, with its parts (see docs/INDICATORS.md)",
		Columns: []Column{
			{"day", "Date", "the day"},
			{"region", lcStr, "county or township code"},
			{"region_level", lcStr, "county|township"},
			{"county_code", lcStr, "the region's county"},
			{"category", lcStr, "问题类别"},
			{"risk", "UInt8", "volume_pts + growth_pts + alarm_pts + severity_pts, at most 100"},
			{"volume_pts", "Float64", "0-40: petitions per 10k residents in 28 days against the city's 95th percentile cell"},
			{"growth_pts", "Float64", "0-25: the last 7 days against the 28 days before"},
			{"alarm_pts", "Float64", "0-20: EARS alarm days in the last 7 days and the weekly CUSUM"},
			{"severity_pts", "Float64", "0-15: collective petitions, 三访 and repeat petitions in 30 days"},
			{"petitions_28d", "UInt32", "petitions in the 28 days up to the day"},
			{"rate_28d", "Float64", "petitions_28d per 10k residents"},
			{"last7", "UInt32", "petitions in the last 7 days"},
			{"prev28_weekly", "Float64", "weekly average of the 28 days before those 7"},
			{"alarm_days_7d", "UInt8", "days with an EARS alarm in the last 7"},
			{"cusum_alarm", "Bool", "weekly CUSUM alarm this or last week"},
			{"collective_30d", "UInt32", "集体访 in 30 days"},
			{"three_visits_30d", "UInt32", "三访 in 30 days"},
			{"repeats_30d", "UInt32", "repeat petitions in 30 days"},
		},
		Engine: "MergeTree", PartitionBy: "toYYYYMM(day)", OrderBy: "(region_level, region, category, day)",
		ShardKey: "cityHash64(region)",
	}
	petitionFlagsTable = Table{
		Name:    "petition_flags",
		Comment: "per petition: 重复访, 越级访, 集体访, 三访 type, hotline escalation",
		Columns: []Column{
			{"case_id", "String", "信访件编号"},
			{"received_at", tsType, "登记时间"},
			{"county_code", lcStr, "county of origin"},
			{"township_code", lcStr, "township of origin, if any"},
			{"category", lcStr, "问题类别"},
			{"receiving_level", lcStr, "where it was received"},
			{"headcount", "UInt16", "人数"},
			{"is_repeat", "Bool", "the same key petitioned in the same category within the repeat window before"},
			{"prior_same_category", "UInt32", "those earlier petitions"},
			{"is_skip_level", "Bool", "city or above, with no county-or-below petition of the key in the category within 365 days before"},
			{"is_collective", "Bool", "headcount >= 5"},
			{"three_visit_type", lcStr, "beijing_abnormal (进京非正常上访), province_collective (赴省集体上访), city_collective (来市集体上访) or empty"},
			{"is_escalation", "Bool", "at least 2 complaint/report orders of the key in the category in the 60 days before"},
			{"prior_orders", "UInt32", "those orders"},
		},
		Engine: "MergeTree", PartitionBy: "toYYYYMM(received_at)", OrderBy: "(county_code, received_at, case_id)",
		ShardKey: "cityHash64(case_id)", Indexes: []Index{caseIDRange},
	}
	repeatMonthlyTable = Table{
		Name:    "repeat_monthly",
		Comment: "重复访 rate per region × month",
		Columns: []Column{
			{"month", "Date", "first day of the month"},
			{"region", lcStr, "county or township code, or the city"},
			{"region_level", lcStr, "city|county|township"},
			{"petitions", "UInt32", "petitions received"},
			{"repeats", "UInt32", "of them repeats"},
			{"repeat_rate", "Float64", "repeats / petitions"},
			{"collective", "UInt32", "集体访 (headcount >= 5) among the petitions"},
			{"people", "UInt32", "people involved (sum of headcount)"},
		},
		Engine: "MergeTree", PartitionBy: "toYYYYMM(month)", OrderBy: "(region_level, region, month)",
	}
	threeVisitsTable = Table{
		Name:    "three_visits_monthly",
		Comment: "三访 per county and month, with the same month a year earlier",
		Columns: []Column{
			{"month", "Date", "first day of the month"},
			{"county_code", lcStr, "county"},
			{"type", lcStr, "beijing_abnormal|province_collective|city_collective"},
			{"n", "UInt32", "events (petitions)"},
			{"people", "UInt32", "people involved (sum of headcount)"},
			{"n_last_year", "UInt32", "events in the same month a year earlier"},
			{"yoy_change", "Float64", "(n - n_last_year) / n_last_year; NaN when there were none"},
		},
		Engine: "MergeTree", PartitionBy: "toYYYYMM(month)", OrderBy: "(county_code, type, month)",
	}
	keyHistoryTable = Table{
		Name:    "key_history",
		Comment: "per petitioner key, as of the last run: visits in 30/90/365 days, highest level reached",
		Columns: []Column{
			{"petitioner_key", "String", "pseudonym"},
			{"as_of", "Date", "the day the counts run to"},
			{"county_code", lcStr, "county of the latest petition"},
			{"visits_30d", "UInt32", "petitions in the 30 days to as_of"},
			{"visits_90d", "UInt32", "in 90 days"},
			{"visits_365d", "UInt32", "in 365 days"},
			{"visits_total", "UInt32", "ever"},
			{"highest_level", lcStr, "highest receiving level ever reached"},
			{"climbed_30d", "Bool", "reached a higher level than ever before within the last 30 days"},
			{"first_seen", tsType, "first petition"},
			{"last_seen", tsType, "latest petition"},
			{"top_category", lcStr, "most frequent category (ties: the one petitioned most recently)"},
		},
		Engine: "MergeTree", OrderBy: "petitioner_key", ShardKey: "cityHash64(petitioner_key)",
	}
	atRiskTable = Table{
		Name:    "hotline_at_risk",
		Comment: "callers at risk of escalating: >= 3 complaint/report orders in a category in 30 days, unresolved or unsatisfied",
		Columns: []Column{
			{"caller_key", "String", "pseudonym (same keying as petitioner_key)"},
			{"category", lcStr, "问题类别"},
			{"county_code", lcStr, "county of the latest order"},
			{"as_of", "Date", "the day the window ends"},
			{"orders_30d", "UInt32", "complaint/report orders in the 30 days"},
			{"unresolved_30d", "UInt32", "of them unresolved, not concluded or evaluated unsatisfied"},
			{"last_order_at", tsType, "latest order"},
			{"has_petitioned", "Bool", "the key has filed a petition in the category since"},
		},
		Engine: "MergeTree", OrderBy: "(category, caller_key)", ShardKey: "cityHash64(caller_key)",
	}
	caseStatusTable = Table{
		Name:    "case_status",
		Comment: "办理: status and statutory clocks per petition, from events in any order, as of the last run",
		Columns: []Column{
			{"case_id", "String", "信访件编号"},
			{"as_of", "Date", "status as of this day"},
			{"received_at", tsType, "登记时间"},
			{"received_day", "Date", "day received"},
			{"responsible_unit", lcStr, "责任单位"},
			{"unit_level", lcStr, "city|county|township of that unit"},
			{"county_code", lcStr, "county of origin"},
			{"origin_level", lcStr, "county|township|village: how precise origin_region is"},
			{"category", lcStr, "问题类别"},
			{"status", lcStr, "registered|rejected|accepted|concluded|review|reviewed|rereview|rereviewed|terminated"},
			{"accepted_day", "Nullable(Date)", "受理"},
			{"accept_due", "Date", "received_day + accept limit"},
			{"accepted_on_time", "Bool", "accepted by accept_due"},
			{"extended", "Bool", "延期"},
			{"concluded_day", "Nullable(Date)", "办结 (first conclusion)"},
			{"conclude_due", "Nullable(Date)", "accepted_day + conclude limit (+ extension)"},
			{"concluded_on_time", "Bool", "concluded by conclude_due"},
			{"concluding_unit_level", lcStr, "level of the unit that concluded it"},
			{"result", lcStr, "upheld|partial|rejected"},
			{"review_requested_day", "Nullable(Date)", "申请复查"},
			{"review_request_in_time", "Bool", "requested within the review-request limit after conclusion"},
			{"reviewed_day", "Nullable(Date)", "复查办结"},
			{"reviewed_on_time", "Bool", "复查 concluded within its limit"},
			{"rereview_requested_day", "Nullable(Date)", "申请复核"},
			{"rereviewed_day", "Nullable(Date)", "复核办结"},
			{"terminated", "Bool", "终结"},
			{"satisfaction", lcStr, "satisfied|basic|unsatisfied, latest evaluation"},
			{"first_resolution", "Bool", "首办终结: concluded, no review requested within the limit, the limit has passed"},
			{"open_days", "UInt32", "days from received to conclusion, or to as_of if open"},
			{"overdue", "Bool", "open past its deadline as of as_of"},
			{"backlog", "Bool", "积案: overdue or open more than the backlog age"},
			{"local_resolution", "Bool", "小事不出村、大事不出乡: village/township origin, concluded at township level or below, never escalated"},
			{"evaluated_months", "Array(Date)", "months with an evaluation (满意度评价), in order"},
			{"evaluated_satisfaction", "Array(LowCardinality(String))", "the latest evaluation of each of those months"},
			{"active_until", "Date", "the last day a month's 办理 rates can count the case: the latest of accept_due, conclusion, conclude_due and evaluation; 2149-06-06 while not concluded"},
			{"rejected", "Bool", "不予受理 recorded: the case's clocks stop (kept so that a new day moves an open case's clocks from its row)"},
		},
		// Ordered by the month of active_until first: a month's unit rates
		// read only the granules of cases active in it (at 10M records a
		// tick's month 0.13–0.22 s, against 0.48–0.55 s for the whole
		// table). Partitioned by it instead, a full run's insert of 10M rows
		// took 20.6 s against 3.6 s.
		Engine: "MergeTree", OrderBy: "(toYYYYMM(active_until), responsible_unit, case_id)", ShardKey: "cityHash64(case_id)",
		Indexes: []Index{caseIDRange},
	}
	hotlineStatusTable = Table{
		Name:    "hotline_status",
		Comment: "办理 of each 12345 order as unit_monthly's hotline rates count it: its events from the start of its month to 60 days after the month's end",
		Columns: []Column{
			{"order_id", "String", "工单编号"},
			{"month", "Date", "the month received (first day)"},
			{"received_at", tsType, "受理时间"},
			{"assigned_unit", lcStr, "承办单位"},
			{"contacted_24h", "Bool", "first contacted within 24 hours of receipt"},
			{"concluded", "Bool", "办结 recorded"},
			{"result", lcStr, "resolved|unresolved: the latest conclusion's"},
			{"satisfaction", lcStr, "satisfied|basic|unsatisfied: the latest evaluation, empty if none"},
		},
		// Ordered by month, then order: a month's rates read its rows, and
		// a tick's orders, mostly recent, are in the last months' granules.
		Engine: "MergeTree", OrderBy: "(month, order_id)", ShardKey: "cityHash64(order_id)",
	}
	unitMonthlyTable = Table{
		Name:    "unit_monthly",
		Comment: "办理 rates per unit and month (definitions in docs/INDICATORS.md)",
		Columns: []Column{
			{"month", "Date", "first day of the month"},
			{"unit", lcStr, "unit code"},
			{"received", "UInt32", "petitions received"},
			{"accept_due", "UInt32", "petitions whose accept deadline fell in the month"},
			{"accepted_on_time", "UInt32", "of them accepted in time"},
			{"accept_on_time_rate", "Float64", "按期受理率 = accepted_on_time / accept_due"},
			{"conclude_due", "UInt32", "accepted petitions whose conclude deadline fell in the month"},
			{"concluded_on_time", "UInt32", "of them concluded in time"},
			{"conclude_on_time_rate", "Float64", "按期办结率 = concluded_on_time / conclude_due"},
			{"concluded", "UInt32", "petitions concluded in the month"},
			{"first_resolved", "UInt32", "of them with no review requested in the limit (limit passed)"},
			{"first_resolution_rate", "Float64", "首办终结率 = first_resolved / concluded whose review limit has passed"},
			{"review_requested", "UInt32", "of the month's concluded, review requested"},
			{"review_rate", "Float64", "复查率 = review_requested / concluded"},
			{"evaluated", "UInt32", "evaluations in the month"},
			{"satisfied", "UInt32", "满意"},
			{"basic", "UInt32", "基本满意"},
			{"satisfaction_rate", "Float64", "满意率 = (satisfied + basic) / evaluated"},
			{"backlog_start", "UInt32", "积案 at the start of the month"},
			{"backlog_end", "UInt32", "积案 at the end of the month"},
			{"backlog_cleared", "UInt32", "of backlog_start, concluded during the month"},
			{"clearance_rate", "Float64", "积案化解率 = backlog_cleared / backlog_start"},
			{"local_candidates", "UInt32", "concluded in the month with village/township origin"},
			{"local_resolved", "UInt32", "of them resolved locally"},
			{"local_resolution_share", "Float64", "local_resolved / local_candidates"},
			{"hotline_orders", "UInt32", "12345 orders assigned"},
			{"hotline_contacted_24h", "UInt32", "contacted within 24 hours"},
			{"hotline_response_rate", "Float64", "响应率 = contacted within 24 h / orders"},
			{"hotline_concluded", "UInt32", "orders concluded"},
			{"hotline_resolved", "UInt32", "of them resolved"},
			{"hotline_resolution_rate", "Float64", "解决率 = resolved / concluded"},
			{"hotline_evaluated", "UInt32", "orders evaluated"},
			{"hotline_satisfaction_rate", "Float64", "满意率 = (satisfied + w × basic) / evaluated, w = 0.9 by default"},
		},
		Engine: "MergeTree", PartitionBy: "toYYYYMM(month)", OrderBy: "(unit, month)",
	}
	zeroReportTable = Table{
		Name:    "zero_report_compliance",
		Comment: "零报告: per unit and day of a sensitive period, whether the required report was filed",
		Columns: []Column{
			{"day", "Date", "the day"},
			{"unit", lcStr, "unit code"},
			{"county_code", lcStr, "county of the unit"},
			{"period", "String", "sensitive period"},
			{"filed", "Bool", "a report for the day exists"},
			{"late", "Bool", "filed after the day ended"},
			{"incidents", "UInt32", "incidents reported (0 = 零报告)"},
		},
		Engine: "MergeTree", PartitionBy: "toYYYYMM(day)", OrderBy: "(unit, day)",
	}
	dailyCountsTable = Table{
		Name:    "daily_counts",
		Comment: "records per day, county and township × category and source: what the hotspot transforms read instead of the record tables",
		Columns: []Column{
			{"day", "Date", "the day received"},
			{"region", lcStr, "county or township code"},
			{"category", lcStr, "问题类别"},
			{"source", lcStr, "petitions, hotline or people (sum of headcount)"},
			{"n", "UInt32", "count on the day"},
		},
		Engine: "MergeTree", PartitionBy: "toYYYYMM(day)", OrderBy: "(region, category, source, day)",
		ShardKey: "cityHash64(region)",
	}
	weeklyCountsTable = Table{
		Name:    "weekly_counts",
		Comment: "daily_counts summed by week (Monday): what hotspot_weekly reads for its year-ago expectations and CUSUM run-in",
		Columns: []Column{
			{"week", "Date", "the Monday the week begins"},
			{"region", lcStr, "county or township code"},
			{"category", lcStr, "问题类别"},
			{"source", lcStr, "petitions, hotline or people (sum of headcount)"},
			{"n", "UInt32", "count in the week"},
		},
		Engine: "MergeTree", PartitionBy: "toYear(week)", OrderBy: "(region, category, source, week)",
		ShardKey: "cityHash64(region)",
	}
	transformStateTable = Table{
		Name:    "transform_state",
		Comment: "what an incremental transform's table reflects: records stored up to a watermark, as of a day",
		Columns: []Column{
			{"transform", lcStr, "transform (its table)"},
			{"as_of", "Date", "the day the table's rows are computed as of"},
			{"watermark", tsType, "engine time when the run began: records with a later ingested_at may be missing"},
			{"fingerprint", "String", "hash of the SQL and parameters: a change forces a full run"},
			{"updated_at", tsType, "when the run finished"},
		},
		Engine: "MergeTree", OrderBy: "(transform, updated_at)",
	}
	transformDirtyTable = Table{
		Name:    "transform_dirty",
		Comment: "keys (case_id, petitioner_key) an incremental run recomputes; emptied by each run",
		Columns: []Column{
			{"key", "String", "row key"},
		},
		Engine: "MergeTree", OrderBy: "key",
	}
	transformRunsTable = Table{
		Name:    "transform_runs",
		Comment: "one row per transform run: window, timing, rows, error",
		Columns: []Column{
			{"run_id", "String", "run id"},
			{"group", lcStr, "transform group"},
			{"transform", lcStr, "transform"},
			{"window_from", "Date", "first day recomputed"},
			{"window_to", "Date", "last day recomputed"},
			{"scheduled_for", tsType, "the aligned tick"},
			{"started_at", tsType, "start"},
			{"finished_at", tsType, "end"},
			{"rows", "UInt64", "rows written"},
			{"missed_runs", "UInt32", "ticks skipped before this run"},
			{"error", "String", "empty when it worked"},
		},
		Engine: "MergeTree", PartitionBy: "toYYYYMM(started_at)", OrderBy: "(started_at, group, transform)",
	}
)

// IndicatorTables are the tables transforms replace; each has a staging twin.
var IndicatorTables = []Table{hotspotDailyTable, hotspotWeeklyTable, riskDailyTable, petitionFlagsTable,
	repeatMonthlyTable, threeVisitsTable, keyHistoryTable, atRiskTable, caseStatusTable, unitMonthlyTable, zeroReportTable}

// transformTables are every table a transform writes: IndicatorTables
// (created by migration 4) and those added since.
func transformTables() []Table {
	return append(tablesAt14(), hotlineStatusTable)
}

// tablesAt14 are the tables transforms wrote at migration 14.
func tablesAt14() []Table {
	return append(slices.Clone(IndicatorTables), dailyCountsTable, weeklyCountsTable)
}

// withStaging lists each table and its staging twin. The twin has the
// table's comment: a full run exchanges the two, comments included, so a
// comment of its own would have become the table's after every other run
// (until migration 14 the indicator tables said "staging twin of …" half
// the time). Its name says what it is.
func withStaging(tables ...Table) []Table {
	var out []Table
	for _, t := range tables {
		s := t
		s.Name = t.Name + "_staging"
		out = append(out, t, s)
	}
	return out
}
