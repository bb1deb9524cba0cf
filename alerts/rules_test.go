package alerts

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"xfwatch/transform"
	"xfwatch/warehouse/whtest"
)

func TestMain(m *testing.M) { os.Exit(whtest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// alertFixture builds the records of TestEveryRuleFiresAndNearMissesDoNot
// and runs the transforms the rules read, as of 2026-06-20.
func alertFixture(t *testing.T) (*whtest.Records, *Engine) {
	r := whtest.NewRecords(t)
	p := r.Petition
	// Hotspot, 西固区 培黎… township 620104001: one education and one housing
	// petition a day; on 06-20 three education (fires) and two housing
	// (an EARS alarm, but under min_count 3: the near miss).
	n := 0
	for d := whtest.Date("2026-05-01"); !d.After(whtest.Date("2026-06-20")); d = d.AddDate(0, 0, 1) {
		edu, housing := 1, 1
		if d.Equal(whtest.Date("2026-06-20")) {
			edu, housing = 3, 2
		}
		for i := 0; i < edu+housing; i++ {
			n++
			cat := "education"
			if i >= edu {
				cat = "housing"
			}
			p(fmt.Sprintf("HS%04d", n), d.Format(time.DateOnly)+fmt.Sprintf(" %02d:00", 8+i), "township", "620104001", cat,
				fmt.Sprintf("hk%04d", n), 1, false, "G620104001")
		}
	}
	p("C5", "2026-06-19 10:00", "county", "620102", "demolition", "kc5", 5, false, "G620102")  // orange
	p("C4", "2026-06-19 10:00", "county", "620102", "demolition", "kc4", 4, false, "G620102")  // near miss
	p("C50", "2026-06-18 10:00", "city", "620103", "demolition", "kc50", 50, false, "G620103") // red
	p("CF3", "2026-06-18 10:00", "county", "620111", "other", "kcf3", 3, false, "G620111")     // 红古区 in a period with factor 0.5: 3 suffices
	p("CN3", "2026-06-18 10:00", "county", "620103", "other", "kcn3", 3, false, "G620103")     // elsewhere: near miss
	p("N1", "2026-06-18 11:00", "national", "620105", "law_litigation", "kn1", 1, true, "G620105")
	p("N2", "2026-06-18 11:00", "national", "620105", "law_litigation", "kn2", 1, false, "G620105") // not abnormal
	for i, day := range []string{"2026-06-01", "2026-06-10", "2026-06-18"} {
		p(fmt.Sprintf("R3-%d", i), day, "county", "620121", "other", "kr3", 1, false, "G620121")
	}
	for i, day := range []string{"2026-06-01", "2026-06-18"} {
		p(fmt.Sprintf("R2-%d", i), day, "county", "620121", "other", "kr2", 1, false, "G620121")
	}
	p("CL1", "2026-04-01", "county", "620122", "housing", "kcl", 1, false, "G620122")
	p("CL2", "2026-06-15", "province", "620122", "housing", "kcl", 1, false, "G620122") // climbed
	for i, day := range []string{"2026-06-05", "2026-06-12"} {
		p(fmt.Sprintf("CR-%d", i), day, "county", "620123", "other", "kcr", 1, false, "G620123")
	}
	p("CR-2", "2026-06-19", "county", "620123", "other", "kcr", 6, false, "G620123") // collective: inhibits kcr's repeat alert
	for i := 0; i < 3; i++ {
		r.Order(fmt.Sprintf("H3-%d", i), fmt.Sprintf("2026-06-%02d", 5+5*i), "complaint", "620105", "wage_arrears", "kh3", "CITY-RSJ")
	}
	for i := 0; i < 2; i++ {
		r.Order(fmt.Sprintf("H2-%d", i), fmt.Sprintf("2026-06-%02d", 5+5*i), "complaint", "620105", "wage_arrears", "kh2", "CITY-RSJ")
	}
	// Backlog on 06-20 (no period in force then): 11 unaccepted cases at 红古区
	// fire (limit 10), 10 at 皋兰县 do not.
	for i := 0; i < 11; i++ {
		p(fmt.Sprintf("B11-%d", i), "2026-04-01", "county", "620111", "other", fmt.Sprintf("kb11%d", i), 1, false, "G620111")
	}
	for i := 0; i < 10; i++ {
		p(fmt.Sprintf("B10-%d", i), "2026-04-01", "county", "620122", "other", fmt.Sprintf("kb10%d", i), 1, false, "X620122")
	}
	// A sensitive period for 红古区 only, 06-17 to 06-19; every government
	// unit there reports except 620111001 on 06-18.
	r.Insert("sensitive_periods", "name, start, end, zero_report_required, threshold_factor, region",
		[]any{"测试敏感期", whtest.Date("2026-06-17"), whtest.Date("2026-06-19"), true, 0.5, "620111"})
	for _, u := range []string{"G620111", "G620111001", "G620111003", "G620111004", "G620111101", "G620111102", "G620111103", "G620111104"} {
		for _, day := range []string{"2026-06-17", "2026-06-18", "2026-06-19"} {
			if u == "G620111001" && day == "2026-06-18" {
				continue
			}
			r.Report(u, day, day+" 18:00", 0)
		}
	}
	r.Flush()
	runner := &transform.Runner{DB: r.DB, Config: transform.DefaultConfig(), Log: quiet}
	for _, name := range []string{"key_history", "hotline_at_risk", "case_status"} {
		tr, _ := transform.ByName(name)
		if _, err := runner.Run(context.Background(), tr, whtest.Date("2026-06-20"), whtest.Date("2026-06-20"), whtest.Date("2026-06-20"), false); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"daily_counts", "weekly_counts", "petition_flags", "zero_report_compliance", "hotspot_weekly", "risk_daily", "hotspot_daily"} {
		tr, _ := transform.ByName(name)
		if _, err := runner.Run(context.Background(), tr, whtest.Date("2026-05-01"), whtest.Date("2026-06-30"), whtest.Date("2026-06-20"), false); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	return r, &Engine{DB: r.DB, Config: cfg, Log: quiet}
}

var evalTime = time.Date(2026, 6, 20, 20, 0, 0, 0, whtest.CST)

func TestEveryRuleFiresAndNearMissesDoNot(t *testing.T) {
	r, e := alertFixture(t)
	res, err := e.Evaluate(context.Background(), evalTime)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{} // "rule region category unit" -> "severity [inhibited]"
	rows := strings.Split(strings.TrimSpace(r.TSV("SELECT rule, region, category, unit, severity, toBool(inhibited_by != ''), summary FROM alerts FINAL")), "\n")
	for _, line := range rows {
		f := strings.Split(line, "\t")
		v := f[4]
		if f[5] == "true" {
			v += " inhibited"
		}
		got[strings.Join(f[:4], " ")] = v
	}
	want := map[string]string{
		"hotspot_surge 620104 education ":              "yellow",
		"hotspot_surge 620104001 education ":           "yellow inhibited", // the county surge suppresses it
		"collective_petition 620102 demolition ":       "orange",
		"collective_petition 620103 demolition ":       "red",
		"collective_petition 620111 other ":            "orange", // threshold 5 × 0.5 → 3 in 红古区
		"collective_petition 620123 other ":            "orange",
		"beijing_abnormal 620105 law_litigation ":      "red",
		"repeat_petitioner 620121 other ":              "orange",
		"repeat_petitioner 620122 housing ":            "orange",           // climbed to the province
		"repeat_petitioner 620123 other ":              "orange inhibited", // filed the collective petition
		"hotline_escalation_risk 620105 wage_arrears ": "yellow",
		"unit_backlog 620111  G620111":                 "yellow",
		"zero_report_missing 620111  G620111001":       "orange",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("alert %q: got %q, want %q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok && !strings.HasPrefix(k, "unit_backlog") {
			t.Errorf("unexpected alert %q (%s)", k, got[k])
		}
	}
	// Near misses: none of these may alert.
	for _, k := range []string{"hotspot_surge 620104 housing ", "unit_backlog 620122  X620122"} {
		if _, ok := got[k]; ok {
			t.Errorf("near miss %q alerted", k)
		}
	}
	if n := r.TSV("SELECT count() FROM alerts FINAL WHERE summary LIKE '%C4%' OR summary LIKE '%CN3%' OR summary LIKE '%N2%' OR summary LIKE '%R2-%'"); n != "0\n" {
		t.Errorf("%s near-miss petitions alerted", strings.TrimSpace(n))
	}
	if res.Inhibited != 2 {
		t.Errorf("%d alerts inhibited, want 2", res.Inhibited)
	}
	// Evidence carries the numbers and the series behind the alert.
	ev := r.TSV("SELECT evidence FROM alerts FINAL WHERE rule = 'hotspot_surge' AND region = '620104'")
	for _, want := range []string{`"n":3`, `"c1_upper":1`, `"series":[`, `"risk_parts"`} {
		if !strings.Contains(ev, want) {
			t.Errorf("hotspot evidence lacks %s: %s", want, ev)
		}
	}
	// No alert names a person: not the pseudonym either.
	if leak := r.TSV("SELECT count() FROM alerts FINAL WHERE evidence LIKE '%kr3%' OR summary LIKE '%kr3%' OR dedup_key LIKE '%kr3%'"); leak != "0\n" {
		t.Error("a petitioner key reached an alert")
	}
}
