package transform

import (
	"testing"
	"time"
)

func TestPetitionFlags(t *testing.T) {
	f := newFx(t)
	p := func(id, when, level, category, key string, headcount int, abnormal bool) {
		f.petition(id, when, level, "620102001", category, key, headcount, abnormal, "G620102")
	}
	// 重复访: the window is 180 days, inclusive to the second.
	p("A1", "2026-01-10 09:00", "county", "demolition", "kA", 1, false)
	p("A2", "2026-07-09 09:00", "county", "demolition", "kA", 1, false)    // exactly 180 days after A1: repeat
	p("A3", "2027-01-05 09:00:01", "county", "demolition", "kA", 1, false) // 180 days and a second after A2: not
	p("A4", "2026-07-09 10:00", "county", "housing", "kA", 1, false)       // other category: not
	// 越级访: city or above with nothing at county or below within 365 days.
	p("B1", "2026-02-01", "city", "land_acquisition", "kB", 1, false)     // straight to the city: skip-level
	p("B2", "2026-02-05", "county", "land_acquisition", "kB", 1, false)   // county: never skip-level
	p("B3", "2026-02-10", "province", "land_acquisition", "kB", 1, false) // county before it: not
	p("C1", "2026-03-01 09:00", "county", "environment", "kC", 1, false)
	p("C2", "2027-03-01 09:00:01", "city", "environment", "kC", 1, false) // 365 days and a second: skip-level
	p("E1", "2026-02-28 09:00", "township", "environment", "kE", 1, false)
	p("E2", "2027-02-28 09:00", "city", "environment", "kE", 1, false) // exactly 365 days: not
	// 集体访 and 三访 (each is also 越级: city or above, nothing lower before).
	p("G1", "2026-05-01", "county", "other", "kG1", 5, false)
	p("G2", "2026-05-01", "city", "other", "kG2", 4, false)
	p("N1", "2026-05-02", "national", "other", "kN1", 1, true)
	p("N2", "2026-05-02", "national", "other", "kN2", 1, false)
	p("P1", "2026-05-03", "province", "other", "kP1", 5, false)
	p("P2", "2026-05-03", "city", "other", "kP2", 50, false)
	p("P3", "2026-05-03", "county", "other", "kP3", 10, false)
	// Escalation: complaint or report orders in the 60 days before.
	p("D1", "2026-04-01 09:00", "county", "wage_arrears", "kD", 1, false)
	p("D2", "2026-04-01 09:00", "county", "housing", "kD", 1, false)
	o := func(id, when, kind, category string) { f.order(id, when, kind, "620102001", category, "kD", "G620102") }
	o("O1", "2026-01-31 09:00", "complaint", "wage_arrears") // exactly 60 days before: counts
	o("O2", "2026-03-31 09:00", "report", "wage_arrears")    // counts
	o("O3", "2026-03-20 09:00", "consult", "wage_arrears")   // a consultation: no
	o("O4", "2026-01-31 08:59", "complaint", "wage_arrears") // 60 days and a minute: no
	o("O5", "2026-03-01 09:00", "complaint", "housing")      // the housing petition's only one
	o("O6", "2026-04-02 09:00", "complaint", "wage_arrears") // after: no
	f.run("petition_flags", "2026-01-01", "2027-03-31", "2027-03-31")

	f.expect(`SELECT case_id, is_repeat, prior_same_category, is_skip_level, is_collective, three_visit_type, is_escalation, prior_orders
		FROM petition_flags ORDER BY case_id`,
		"A1\tfalse\t0\tfalse\tfalse\t\tfalse\t0",
		"A2\ttrue\t1\tfalse\tfalse\t\tfalse\t0",
		"A3\tfalse\t0\tfalse\tfalse\t\tfalse\t0",
		"A4\tfalse\t0\tfalse\tfalse\t\tfalse\t0",
		"B1\tfalse\t0\ttrue\tfalse\t\tfalse\t0",
		"B2\ttrue\t1\tfalse\tfalse\t\tfalse\t0",
		"B3\ttrue\t2\tfalse\tfalse\t\tfalse\t0",
		"C1\tfalse\t0\tfalse\tfalse\t\tfalse\t0",
		"C2\tfalse\t0\ttrue\tfalse\t\tfalse\t0",
		"D1\tfalse\t0\tfalse\tfalse\t\ttrue\t2",
		"D2\tfalse\t0\tfalse\tfalse\t\tfalse\t1",
		"E1\tfalse\t0\tfalse\tfalse\t\tfalse\t0",
		"E2\tfalse\t0\tfalse\tfalse\t\tfalse\t0",
		"G1\tfalse\t0\tfalse\ttrue\t\tfalse\t0",
		"G2\tfalse\t0\ttrue\tfalse\t\tfalse\t0",
		"N1\tfalse\t0\ttrue\tfalse\tbeijing_abnormal\tfalse\t0",
		"N2\tfalse\t0\ttrue\tfalse\t\tfalse\t0",
		"P1\tfalse\t0\ttrue\ttrue\tprovince_collective\tfalse\t0",
		"P2\tfalse\t0\ttrue\ttrue\tcity_collective\tfalse\t0",
		"P3\tfalse\t0\tfalse\ttrue\t\tfalse\t0",
	)

	// Derived monthly tables.
	f.run("repeat_monthly", "2026-07-01", "2026-07-31", "2027-03-31")
	f.expect(`SELECT region_level, region, petitions, repeats, repeat_rate FROM repeat_monthly ORDER BY region_level, region`,
		"city\t620100\t2\t1\t0.5",
		"county\t620102\t2\t1\t0.5",
		"township\t620102001\t2\t1\t0.5",
	)

	// Re-running gives the same rows, not more.
	before := f.tsv("SELECT count() FROM petition_flags")
	f.run("petition_flags", "2026-01-01", "2027-03-31", "2027-03-31")
	f.run("repeat_monthly", "2026-07-01", "2026-07-31", "2027-03-31")
	if after := f.tsv("SELECT count() FROM petition_flags"); after != before || f.tsv("SELECT count() FROM repeat_monthly") != "3\n" {
		t.Fatalf("re-running changed the row counts: %s -> %s", before, after)
	}
}

func TestThreeVisitsYearOnYear(t *testing.T) {
	f := newFx(t)
	p := func(id, when, level, origin string, headcount int, abnormal bool) {
		f.petition(id, when, level, origin, "other", "k"+id, headcount, abnormal, "G620102")
	}
	p("L1", "2025-03-05", "national", "620102", 1, true)
	p("L2", "2025-03-06", "national", "620102", 1, true)
	p("L3", "2025-03-07", "city", "620103", 8, false)
	p("T1", "2026-03-05", "national", "620102001", 2, true)
	p("T2", "2026-03-09", "province", "620102", 6, false)
	p("T3", "2026-03-31 23:30", "city", "620103", 12, false)
	p("T4", "2026-04-01 00:10", "city", "620103", 12, false) // next month
	f.run("three_visits_monthly", "2026-03-01", "2026-03-31", "2026-04-30")
	f.expect(`SELECT month, county_code, type, n, people, n_last_year, round(yoy_change, 4) FROM three_visits_monthly ORDER BY county_code, type`,
		"2026-03-01\t620102\tbeijing_abnormal\t1\t2\t2\t-0.5",
		"2026-03-01\t620102\tprovince_collective\t1\t6\t0\tnan",
		"2026-03-01\t620103\tcity_collective\t1\t12\t1\t0",
	)
	// On the 5th of March (10:00 in the city) the month is in progress:
	// its 三访 up to today against the year before's up to the same day,
	// not its whole March (L2 on the 6th and L3 on the 7th of March 2025
	// count once the 6th and the 7th have come).
	f.runner.Now = func() time.Time { return date("2026-03-05").Add(2 * time.Hour) }
	f.run("three_visits_monthly", "2026-03-01", "2026-03-05", "2026-03-05")
	f.expect(`SELECT month, county_code, type, n, people, n_last_year, round(yoy_change, 4) FROM three_visits_monthly ORDER BY county_code, type`,
		"2026-03-01\t620102\tbeijing_abnormal\t1\t2\t1\t0",
	)
}

func TestKeyHistory(t *testing.T) {
	f := newFx(t)
	p := func(id, when, level, category string) {
		f.petition(id, when, level, "620103", category, "kH", 1, false, "G620103")
	}
	p("H1", "2025-01-10", "township", "housing")
	p("H2", "2025-12-01", "county", "housing") // within 365 days of 2026-06-30? no: 211 days before... counted below
	p("H3", "2026-04-01", "county", "housing")
	p("H4", "2026-06-01", "county", "education")
	p("H5", "2026-06-15", "province", "housing")
	p("H6", "2026-07-05", "city", "housing") // after as_of: ignored
	f.run("key_history", "2026-06-30", "2026-06-30", "2026-06-30")
	// as_of 2026-06-30: 30 days back is (05-31, 06-30] -> H4, H5; 90 days
	// (04-01, 06-30] -> H4, H5 (H3 on 04-01 is exactly 90 days: out);
	// 365 days (2025-06-30, 2026-06-30] -> H2..H5.
	f.expect(`SELECT visits_30d, visits_90d, visits_365d, visits_total, highest_level, climbed_30d, top_category FROM key_history WHERE visits_total = 5`,
		"2\t2\t4\t5\tprovince\ttrue\thousing")
	// Two categories with as many petitions: the one petitioned last is the
	// top; the county is the latest petition's.
	f.petition("T1", "2026-05-01", "county", "620103", "housing", "kT", 1, false, "G620103")
	f.petition("T2", "2026-06-10", "county", "620104", "education", "kT", 1, false, "G620104")
	f.petition("T3", "2026-04-01", "county", "620103", "education", "kT", 1, false, "G620103")
	f.petition("T4", "2026-06-05", "county", "620103", "housing", "kT", 1, false, "G620103")
	f.run("key_history", "2026-06-30", "2026-06-30", "2026-06-30")
	f.expect(`SELECT visits_total, top_category, county_code FROM key_history WHERE visits_total = 4`,
		"4\teducation\t620104")
}

func TestHotlineAtRisk(t *testing.T) {
	f := newFx(t)
	o := func(id, when, kind, category, key string) {
		f.order(id, when, kind, "620104", category, key, "G620104")
	}
	// kR: three complaints in 30 days, none resolved: at risk.
	o("R1", "2026-06-05", "complaint", "housing", "kR")
	o("R2", "2026-06-12", "report", "housing", "kR")
	o("R3", "2026-06-25", "complaint", "housing", "kR")
	f.event("hotline", "R1", "2026-06-06", "concluded", "G620104", "unresolved", "")
	f.event("hotline", "R2", "2026-06-13", "concluded", "G620104", "resolved", "")
	f.event("hotline", "R2", "2026-06-14", "evaluated", "G620104", "", "unsatisfied")
	// kS: three, one resolved and satisfied: two unresolved, not at risk.
	o("S1", "2026-06-05", "complaint", "housing", "kS")
	o("S2", "2026-06-12", "complaint", "housing", "kS")
	o("S3", "2026-06-20", "complaint", "housing", "kS")
	f.event("hotline", "S3", "2026-06-21", "concluded", "G620104", "resolved", "")
	f.event("hotline", "S3", "2026-06-22", "evaluated", "G620104", "", "satisfied")
	// kT: three, but one 31 days before as_of and one a consultation.
	o("T1", "2026-05-30", "complaint", "housing", "kT")
	o("T2", "2026-06-12", "consult", "housing", "kT")
	o("T3", "2026-06-20", "complaint", "housing", "kT")
	o("T4", "2026-06-21", "complaint", "housing", "kT")
	f.petition("PR", "2026-06-28", "county", "620104", "housing", "kR", 1, false, "G620104")
	f.run("hotline_at_risk", "2026-06-30", "2026-06-30", "2026-06-30")
	f.expect(`SELECT caller_key, category, orders_30d, unresolved_30d, has_petitioned FROM hotline_at_risk`,
		"kR\thousing\t3\t3\ttrue")
}
