package transform

import "testing"

func TestCaseStatusAndClocks(t *testing.T) {
	f := newFx(t)
	// case: id, received day, origin, receiving level, key, category, unit.
	c := func(id, received, origin, level, key, unit string) {
		f.petition(id, received+" 10:00", level, origin, "housing", key, 1, false, unit)
	}
	ev := func(id, when, typ, unit string) { f.event("petition", id, when+" 15:00", typ, unit, "", "") }
	con := func(id, when, unit string) { f.event("petition", id, when+" 15:00", "concluded", unit, "partial", "") }
	const U, T = "G620102", "G620102001"

	c("K01", "2026-03-01", "620102", "county", "k01", U)
	ev("K01", "2026-03-16", "accepted", U) // day 15: on time
	con("K01", "2026-05-15", U)            // acceptance + 60: on time
	c("K02", "2026-03-01", "620102", "county", "k02", U)
	ev("K02", "2026-03-17", "accepted", U) // day 16: late
	con("K02", "2026-05-17", U)            // acceptance + 61: late
	c("K03", "2026-03-01", "620102", "county", "k03", U)
	ev("K03", "2026-03-02", "accepted", U)
	ev("K03", "2026-04-20", "extended", U)
	con("K03", "2026-05-31", U) // acceptance + 90 with the extension: on time
	c("K04", "2026-03-01", "620102", "county", "k04", U)
	ev("K04", "2026-03-02", "accepted", U)
	ev("K04", "2026-04-20", "extended", U)
	con("K04", "2026-06-01", U) // + 91: late
	c("K05", "2026-03-01", "620102", "county", "k05", U)
	ev("K05", "2026-03-02", "accepted", U)
	con("K05", "2026-04-01", U)
	ev("K05", "2026-05-01", "review_requested", U) // 30 days after the answer: in time
	ev("K05", "2026-05-31", "reviewed", U)         // 30 days after the request: on time
	c("K06", "2026-03-01", "620102", "county", "k06", U)
	ev("K06", "2026-03-02", "accepted", U)
	con("K06", "2026-04-01", U)
	ev("K06", "2026-05-02", "review_requested", U)       // 31 days: out of time, so 首办终结 stands
	c("K07", "2026-06-20", "620102", "county", "k07", U) // never accepted: overdue after 07-05
	c("K08", "2026-04-14", "620102", "county", "k08", U)
	ev("K08", "2026-05-01", "accepted", U) // late
	ev("K08", "2026-06-01", "extended", U) // due 07-30: not overdue on 07-15, but open 92 days: 积案
	c("K09", "2026-03-01", "620102", "county", "k09", U)
	ev("K09", "2026-03-05", "rejected", U)
	c("K10", "2026-06-01", "620102", "county", "k10", U)
	ev("K10", "2026-06-02", "accepted", U)
	c("K11", "2026-05-01", "620102001001", "township", "k11", T) // village origin, handled in the township
	ev("K11", "2026-05-02", "accepted", T)
	con("K11", "2026-05-20", T)
	c("K12", "2026-05-01", "620102001001", "township", "k12", T)
	ev("K12", "2026-05-02", "accepted", T)
	con("K12", "2026-05-20", T)
	c("K12B", "2026-06-10", "620102001001", "county", "k12", U) // the same person went to the county
	c("K13", "2026-05-01", "620102001001", "township", "k13", T)
	ev("K13", "2026-05-02", "accepted", T)
	con("K13", "2026-05-20", U) // concluded by the county
	c("K14", "2026-03-01", "620102", "county", "k14", U)
	ev("K14", "2026-03-02", "accepted", U)
	con("K14", "2026-04-01", U)
	ev("K14", "2026-04-10", "reopened", U)
	c("K15", "2026-01-05", "620102", "county", "k15", U)
	ev("K15", "2026-04-05", "terminated", U) // events arrive in any order
	ev("K15", "2026-04-01", "rereviewed", U)
	ev("K15", "2026-03-10", "rereview_requested", U)
	ev("K15", "2026-03-01", "reviewed", U)
	ev("K15", "2026-02-10", "review_requested", U)
	con("K15", "2026-02-01", U)
	ev("K15", "2026-01-06", "accepted", U)
	f.event("petition", "K15", "2026-03-20 11:00", "evaluated", U, "", "basic")
	// K01 evaluated in March, then twice in April (the later counts), K06
	// in June, after every clock of it ran out
	f.event("petition", "K01", "2026-03-25 11:00", "evaluated", U, "", "unsatisfied")
	f.event("petition", "K01", "2026-04-25 11:00", "evaluated", U, "", "basic")
	f.event("petition", "K01", "2026-04-02 11:00", "evaluated", U, "", "satisfied")
	f.event("petition", "K06", "2026-06-05 11:00", "evaluated", U, "", "satisfied")

	f.run("case_status", "2026-07-15", "2026-07-15", "2026-07-15")
	const q = `SELECT case_id, status, accepted_on_time, concluded_on_time, review_request_in_time, reviewed_on_time,
		first_resolution, overdue, backlog, local_resolution FROM case_status ORDER BY case_id`
	f.expect(q,
		"K01\tconcluded\ttrue\ttrue\tfalse\tfalse\ttrue\tfalse\tfalse\tfalse",
		"K02\tconcluded\tfalse\tfalse\tfalse\tfalse\ttrue\tfalse\tfalse\tfalse",
		"K03\tconcluded\ttrue\ttrue\tfalse\tfalse\ttrue\tfalse\tfalse\tfalse",
		"K04\tconcluded\ttrue\tfalse\tfalse\tfalse\ttrue\tfalse\tfalse\tfalse",
		"K05\treviewed\ttrue\ttrue\ttrue\ttrue\tfalse\tfalse\tfalse\tfalse",
		"K06\treview\ttrue\ttrue\tfalse\tfalse\ttrue\tfalse\tfalse\tfalse",
		"K07\tregistered\tfalse\tfalse\tfalse\tfalse\tfalse\ttrue\ttrue\tfalse",
		"K08\taccepted\tfalse\tfalse\tfalse\tfalse\tfalse\tfalse\ttrue\tfalse",
		"K09\trejected\tfalse\tfalse\tfalse\tfalse\tfalse\tfalse\tfalse\tfalse",
		"K10\taccepted\ttrue\tfalse\tfalse\tfalse\tfalse\tfalse\tfalse\tfalse",
		"K11\tconcluded\ttrue\ttrue\tfalse\tfalse\ttrue\tfalse\tfalse\ttrue",
		"K12\tconcluded\ttrue\ttrue\tfalse\tfalse\ttrue\tfalse\tfalse\tfalse",
		"K12B\tregistered\tfalse\tfalse\tfalse\tfalse\tfalse\ttrue\ttrue\tfalse",
		"K13\tconcluded\ttrue\ttrue\tfalse\tfalse\ttrue\tfalse\tfalse\tfalse",
		"K14\taccepted\ttrue\ttrue\tfalse\tfalse\tfalse\tfalse\tfalse\tfalse",
		"K15\tterminated\ttrue\ttrue\ttrue\ttrue\tfalse\tfalse\tfalse\tfalse",
	)
	f.expect(`SELECT case_id, accept_due, conclude_due, open_days FROM case_status WHERE case_id IN ('K03', 'K07', 'K08') ORDER BY case_id`,
		"K03\t2026-03-16\t2026-05-31\t91",
		"K07\t2026-07-05\t\\N\t25",
		"K08\t2026-04-29\t2026-07-30\t92",
	)
	// active_until: the latest of accept_due, conclusion, conclude_due and
	// evaluation; open cases far ahead.
	f.expect(`SELECT case_id, evaluated_months, evaluated_satisfaction, active_until FROM case_status
		WHERE case_id IN ('K01', 'K06', 'K07', 'K09', 'K15') ORDER BY case_id`,
		"K01\t['2026-03-01','2026-04-01']\t['unsatisfied','basic']\t2026-05-15",
		"K06\t['2026-06-01']\t['satisfied']\t2026-06-05",
		"K07\t[]\t[]\t2149-06-06",
		"K09\t[]\t[]\t2149-06-06",
		"K15\t['2026-03-01']\t['basic']\t2026-03-20",
	)

	// A late event: K10's conclusion arrives after the run; the next run sees it.
	con("K10", "2026-06-20", U)
	f.run("case_status", "2026-07-15", "2026-07-15", "2026-07-15")
	f.expect(`SELECT status, concluded_on_time, open_days FROM case_status WHERE case_id = 'K10'`, "concluded\ttrue\t19")
	if n := f.tsv("SELECT count() FROM case_status"); n != "16\n" {
		t.Fatalf("case_status has %s rows after a re-run, want 16", n)
	}

	// Unit rates (docs/INDICATORS.md) for March and April.
	f.run("unit_monthly", "2026-03-01", "2026-04-30", "2026-07-15")
	const um = `SELECT month, received, accept_due, accepted_on_time, accept_on_time_rate, conclude_due, concluded_on_time,
		concluded, first_resolved, review_requested, round(review_rate, 4), evaluated, basic, satisfaction_rate,
		backlog_start, backlog_end FROM unit_monthly WHERE unit = 'G620102' ORDER BY month`
	f.expect(um,
		"2026-03-01\t8\t8\t6\t0.75\t1\t1\t0\t0\t0\tnan\t2\t1\t0.5\t0\t0",
		"2026-04-01\t1\t1\t0\t0\t0\t0\t3\t1\t1\t0.3333\t1\t1\t1\t0\t1",
	)
	// June reads only the cases active in it: K06's evaluation keeps it there.
	f.run("unit_monthly", "2026-06-01", "2026-06-30", "2026-07-15")
	f.expect(`SELECT evaluated, satisfied FROM unit_monthly WHERE unit = 'G620102' AND month = '2026-06-01'`, "1\t1")
}

func TestHotlineRates(t *testing.T) {
	f := newFx(t)
	const U = "CITY-CGW"
	o := func(id, when string) { f.order(id, when, "complaint", "620105", "urban_management", "k"+id, U) }
	ev := func(id, when, typ, result, sat string) { f.event("hotline", id, when, typ, U, result, sat) }
	o("H1", "2026-05-10 08:00")
	ev("H1", "2026-05-11 08:00", "contacted", "", "") // exactly 24 hours: in time
	ev("H1", "2026-05-12 08:00", "concluded", "resolved", "")
	ev("H1", "2026-05-13 08:00", "evaluated", "", "satisfied")
	o("H2", "2026-05-10 08:00")
	ev("H2", "2026-05-11 08:00:01", "contacted", "", "") // a second late
	ev("H2", "2026-05-14 08:00", "concluded", "unresolved", "")
	ev("H2", "2026-05-15 08:00", "evaluated", "", "unsatisfied")
	o("H3", "2026-05-20 08:00")
	ev("H3", "2026-05-20 09:00", "contacted", "", "")
	ev("H3", "2026-05-21 09:00", "concluded", "resolved", "")
	ev("H3", "2026-05-22 09:00", "evaluated", "", "basic")
	o("H4", "2026-05-30 08:00") // not contacted yet
	o("H5", "2026-04-30 23:00") // April's: not counted in May
	ev("H5", "2026-05-01 08:00", "contacted", "", "")
	f.run("hotline_status", "2026-04-01", "2026-05-31", "2026-06-30")
	f.run("unit_monthly", "2026-05-01", "2026-05-31", "2026-06-30")
	// 响应率 2/4, 解决率 2/3, 满意率 (1 + 0.9) / 3.
	f.expect(`SELECT hotline_orders, hotline_contacted_24h, hotline_response_rate, hotline_concluded, hotline_resolved,
		round(hotline_resolution_rate, 6), hotline_evaluated, round(hotline_satisfaction_rate, 6) FROM unit_monthly WHERE unit = 'CITY-CGW'`,
		"4\t2\t0.5\t3\t2\t0.666667\t3\t0.633333")
	// Each order's events count from the first day of its month to 60
	// days after the month's end.
	o("H6", "2026-03-31 10:00")
	ev("H6", "2026-03-31 12:00", "contacted", "", "")
	ev("H6", "2026-05-30 10:00", "concluded", "resolved", "")  // day 60 after March: counted
	ev("H6", "2026-05-31 10:00", "evaluated", "", "satisfied") // day 61: not
	o("H7", "2026-03-15 10:00")
	ev("H7", "2026-02-28 10:00", "contacted", "", "") // dated before its month: not counted
	ev("H7", "2026-03-16 10:00", "concluded", "unresolved", "")
	ev("H7", "2026-03-17 10:00", "concluded", "resolved", "") // the latest conclusion's result
	f.run("hotline_status", "2026-03-01", "2026-05-31", "2026-06-30")
	f.expect(`SELECT order_id, month, contacted_24h, concluded, result, satisfaction FROM hotline_status WHERE order_id IN ('H6', 'H7', 'H5') ORDER BY order_id`,
		"H5\t2026-04-01\ttrue\tfalse\t\t",
		"H6\t2026-03-01\ttrue\ttrue\tresolved\t",
		"H7\t2026-03-01\tfalse\ttrue\tresolved\t")
}

func TestZeroReportCompliance(t *testing.T) {
	f := newFx(t)
	// The shipped periods include 2026年国庆 (09-29 to 10-08); 10-01 and 10-02 here.
	f.report("G620102", "2026-10-01", "2026-10-01 18:00", 0)
	f.report("G620102", "2026-10-02", "2026-10-03 08:00", 2) // filed the next morning: late
	f.report("G620103", "2026-10-01", "2026-10-01 18:00", 0)
	f.run("zero_report_compliance", "2026-10-01", "2026-10-31", "2026-10-31")
	f.expect(`SELECT day, unit, period, filed, late, incidents FROM zero_report_compliance
		WHERE unit IN ('G620102', 'G620103') AND day IN ('2026-10-01', '2026-10-02') ORDER BY unit, day`,
		"2026-10-01\tG620102\t2026年国庆\ttrue\tfalse\t0",
		"2026-10-02\tG620102\t2026年国庆\ttrue\ttrue\t2",
		"2026-10-01\tG620103\t2026年国庆\ttrue\tfalse\t0",
		"2026-10-02\tG620103\t2026年国庆\tfalse\tfalse\t0",
	)
	// Every government unit (8 county and 112 township) is required on each of
	// the 8 October days of the period.
	f.expect(`SELECT count(), uniqExact(unit), countIf(filed) FROM zero_report_compliance`, "960\t120\t3")
}
