package transform

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestHotspotsAndRisk: 2 education petitions a day in 培黎街道 (安宁区) from
// January to June, 10 on 2026-06-10 (with 3 hotline orders that day only).
// Hand-computed for 2026-06-10:
//
//	EARS: the 7 days before are all 2 (sd 0): C1 = C2 = 2, alarm; C3 is NaN
//	      (R: the lagged C2 statistics are 0/0); people: 20 against 4;
//	      hotline: 3 against 0.
//	risk: petitions_28d = 27·2 + 10 = 64, the only cell with any, so it is
//	      the 95th percentile cell: volume 40; last7 = 22, prev28 = 56/4 = 14:
//	      growth = 25·log2(23/15)/2 = 7.7084; one EARS alarm day in 7: alarm 5;
//	      the week's CUSUM (22 − 14/ln 2 = 1.8023) stays below 5; severity 0.
//	      risk = round(52.7084) = 53.
func TestHotspotsAndRisk(t *testing.T) {
	f := newFx(t)
	n := 0
	for d := date("2026-01-01"); !d.After(date("2026-06-30")); d = d.AddDate(0, 0, 1) {
		count := 2
		if d.Equal(date("2026-06-10")) {
			count = 10
		}
		for i := 0; i < count; i++ {
			n++
			f.petition(fmt.Sprintf("S%05d", n), d.Format(time.DateOnly)+fmt.Sprintf(" %02d:00", 9+i), "township",
				"620105001", "education", fmt.Sprintf("k%05d", n), 2, false, "G620105001")
		}
	}
	// A varying housing series across the month boundary (for the first
	// days' detector values below).
	for d := date("2026-05-01"); d.Before(date("2026-06-05")); d = d.AddDate(0, 0, 1) {
		for i := 0; i <= d.Day()%4; i++ {
			n++
			f.petition(fmt.Sprintf("S%05d", n), d.Format(time.DateOnly)+fmt.Sprintf(" %02d:00", 9+i), "township",
				"620105001", "housing", fmt.Sprintf("k%05d", n), 1, false, "G620105001")
		}
	}
	for i := 0; i < 3; i++ {
		f.order(fmt.Sprintf("HS%d", i), "2026-06-10 12:00", "complaint", "620105001", "education", fmt.Sprintf("hk%d", i), "G620105")
	}
	for _, tr := range []string{"daily_counts", "weekly_counts", "petition_flags", "hotspot_weekly", "risk_daily", "hotspot_daily"} {
		f.run(tr, "2026-05-01", "2026-06-30", "2026-06-30")
	}
	f.expect(`SELECT region, source, n, round(rate_per_10k, 4), c1_upper, c2_upper, c3_upper, c1_alarm, c3_alarm, alarm, risk
		FROM hotspot_daily WHERE day = '2026-06-10' AND category = 'education' AND region IN ('620105', '620105001')
		ORDER BY region, source`,
		"620105\thotline\t3\t0.0747\t0\t0\tnan\ttrue\tfalse\ttrue\t53",
		"620105\tpeople\t20\t0.4983\t4\t4\tnan\ttrue\tfalse\ttrue\t53",
		"620105\tpetitions\t10\t0.2491\t2\t2\tnan\ttrue\tfalse\ttrue\t53",
		"620105001\thotline\t3\t0.6977\t0\t0\tnan\ttrue\tfalse\ttrue\t53",
		"620105001\tpeople\t20\t4.6512\t4\t4\tnan\ttrue\tfalse\ttrue\t53",
		"620105001\tpetitions\t10\t2.3256\t2\t2\tnan\ttrue\tfalse\ttrue\t53",
	)
	f.expect(`SELECT risk, volume_pts, round(growth_pts, 4), alarm_pts, severity_pts, petitions_28d, last7, prev28_weekly,
		alarm_days_7d, cusum_alarm FROM risk_daily WHERE day = '2026-06-10' AND region = '620105' AND category = 'education'`,
		"53\t40\t7.7084\t5\t0\t64\t22\t14\t1\tfalse")
	f.expect(`SELECT week, n, expected, round(cusum, 4), cusum_alarm FROM hotspot_weekly
		WHERE region = '620105' AND category = 'education' AND source = 'petitions' AND week = '2026-06-08'`,
		"2026-06-08\t22\t14\t1.8023\tfalse")
	// The grid is dense: every region × category × source has a row each day.
	f.expect(`SELECT count() FROM hotspot_daily WHERE day = '2026-06-11'`, fmt.Sprint(120*16*3))
	f.expect(`SELECT countIf(n = 0), countIf(alarm) FROM hotspot_daily WHERE day = '2026-06-11' AND category != 'education'`,
		fmt.Sprint(120*15*3)+"\t0")

	// A month computed on its own (as a tick does) has the same detector
	// values on its first days as when computed after the month before: its
	// series start early enough for C3 (b+4 days).
	firstDays := `SELECT day, n, c1_upper, c2_upper, c3_upper, alarm FROM hotspot_daily
		WHERE day <= '2026-06-03' AND day >= '2026-06-01' AND region = '620105001' AND category = 'housing'
		AND source = 'petitions' ORDER BY day`
	before := f.tsv(firstDays)
	if strings.Contains(before, "nan") || strings.Count(before, "\n") < 2 {
		t.Fatalf("June's first days lack EARS values:\n%s", before)
	}
	f.run("hotspot_daily", "2026-06-01", "2026-06-30", "2026-06-30")
	if after := f.tsv(firstDays); after != before {
		t.Fatalf("June's first days computed alone differ:\n%s\nafter May:\n%s", after, before)
	}

	// Re-running any transform over computed days leaves the row counts.
	counts := f.tsv(`SELECT (SELECT count() FROM hotspot_daily), (SELECT count() FROM hotspot_weekly), (SELECT count() FROM risk_daily), (SELECT count() FROM petition_flags)`)
	for _, tr := range []string{"daily_counts", "weekly_counts", "petition_flags", "hotspot_weekly", "risk_daily", "hotspot_daily"} {
		f.run(tr, "2026-06-10", "2026-06-10", "2026-06-30")
	}
	if again := f.tsv(`SELECT (SELECT count() FROM hotspot_daily), (SELECT count() FROM hotspot_weekly), (SELECT count() FROM risk_daily), (SELECT count() FROM petition_flags)`); again != counts {
		t.Fatalf("re-running changed row counts: %s -> %s", counts, again)
	}

	// The weekly CUSUM restarts each month also when months are computed
	// in one query: June's weeks computed in a May–June window equal June
	// computed alone (as a tick does). A demolition series above its
	// expectation every week since January (one a week a year before, two
	// a week now) keeps its CUSUM growing, so the sums show where they
	// started.
	for d := date("2025-01-06"); d.Before(date("2025-08-01")); d = d.AddDate(0, 0, 7) {
		n++
		f.petition(fmt.Sprintf("S%05d", n), d.Format(time.DateOnly)+" 10:00", "township", "620105001", "demolition",
			fmt.Sprintf("k%05d", n), 1, false, "G620105001")
	}
	for d := date("2026-01-05"); d.Before(date("2026-07-01")); d = d.AddDate(0, 0, 7) {
		for i := 0; i < 2; i++ {
			n++
			f.petition(fmt.Sprintf("S%05d", n), d.Format(time.DateOnly)+fmt.Sprintf(" %02d:00", 10+i), "township", "620105001",
				"demolition", fmt.Sprintf("k%05d", n), 1, false, "G620105001")
		}
	}
	f.flush()
	f.run("daily_counts", "2025-01-01", "2026-06-30", "2026-06-30")
	f.run("weekly_counts", "2025-01-01", "2026-06-30", "2026-06-30")
	f.run("hotspot_weekly", "2026-05-01", "2026-06-30", "2026-06-30")
	june := `SELECT week, n, expected, round(cusum, 4) FROM hotspot_weekly
		WHERE week >= '2026-06-01' AND region = '620105001' AND category = 'demolition' AND source = 'petitions' ORDER BY week`
	together := f.tsv(june)
	if strings.Count(together, "\n") != 5 || strings.Contains(together, "\t0\n") {
		t.Fatalf("June's demolition weeks (five, each with a CUSUM above 0) computed with May:\n%s", together)
	}
	f.run("hotspot_weekly", "2026-06-01", "2026-06-30", "2026-06-30")
	if alone := f.tsv(june); alone != together {
		t.Fatalf("June's weekly CUSUM computed alone:\n%s\nwith May:\n%s", alone, together)
	}
	// The year before had one a week and June has two: the expectation is
	// 1, and the CUSUM grows by 2 − 1/ln 2 each week from the 12-week run-in.
	if together != "2026-06-01\t2\t1\t7.245\n2026-06-08\t2\t1\t7.8023\n2026-06-15\t2\t1\t8.3596\n"+
		"2026-06-22\t2\t1\t8.9169\n2026-06-29\t2\t1\t9.4742\n" {
		t.Fatalf("June's demolition weeks:\n%s", together)
	}

	// A year ago means weeks 53 to 51 before: 3, 6 and 9 wage-arrears
	// petitions in the weeks of 2025-06-02, -09 and -16, none since. The
	// week of 2026-06-01 expects (0 + 3 + 6) / 3, of 2026-06-08 (3 + 6 + 9)
	// / 3, …; the last has no year-ago petitions and no 8 weeks before with
	// any, so it expects the floor of 0.5.
	for w, c := range map[string]int{"2025-06-02": 3, "2025-06-09": 6, "2025-06-16": 9} {
		for i := 0; i < c; i++ {
			n++
			f.petition(fmt.Sprintf("S%05d", n), w+fmt.Sprintf(" %02d:00", 8+i), "township", "620105001", "wage_arrears",
				fmt.Sprintf("k%05d", n), 1, false, "G620105001")
		}
	}
	f.flush()
	f.run("daily_counts", "2025-01-01", "2026-06-30", "2026-06-30")
	f.run("weekly_counts", "2025-01-01", "2026-06-30", "2026-06-30")
	f.run("hotspot_weekly", "2026-06-01", "2026-06-30", "2026-06-30")
	f.expect(`SELECT week, n, expected, cusum FROM hotspot_weekly
		WHERE week >= '2026-06-01' AND region = '620105001' AND category = 'wage_arrears' AND source = 'petitions' ORDER BY week`,
		"2026-06-01\t0\t3\t0", "2026-06-08\t0\t6\t0", "2026-06-15\t0\t5\t0", "2026-06-22\t0\t3\t0", "2026-06-29\t0\t0.5\t0")
}
