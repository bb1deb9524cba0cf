package assess_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"xfwatch/assess"
	"xfwatch/warehouse/whtest"
)

func TestMain(m *testing.M) { os.Exit(whtest.Main(m)) }

const testRubric = `version: "test-%Y"
year: %Y
pass_score: 80
shrinkage: {max_prior_strength: 50}
bulletin: {bottom: 1, backlog_threshold: 3}
deductions: {per_bulletin: 2, per_one_event: 3, cap: 20}
criteria:
  - {id: conclude, standard: 合理诉求及时解决, label: 按期办结率, indicator: conclude_on_time_rate, weight: 60, floor: 0.5, target: 0.9, direction: higher}
  - {id: three, standard: 三访明显减少, label: 三访同比变化, indicator: three_visits_change, weight: 40, floor: 0.0, target: -0.5, direction: lower}
`

func rubricDir(t *testing.T, years ...string) string {
	dir := t.TempDir()
	for _, y := range years {
		if err := os.WriteFile(filepath.Join(dir, y+".yaml"), []byte(strings.ReplaceAll(testRubric, "%Y", y)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// fixture: a small city in January and February 2025. Expected numbers
// come from testdata/fixture.R (an independent computation in R).
func fixture(t *testing.T) *whtest.Records {
	r := whtest.NewRecords(t)
	um := "month, unit, conclude_due, concluded_on_time, backlog_end, received"
	r.Insert("unit_monthly", um,
		[]any{whtest.Date("2025-01-01"), "G620102", 40, 36, 0, 40}, []any{whtest.Date("2025-02-01"), "G620102", 60, 54, 1, 60},
		[]any{whtest.Date("2025-01-01"), "G620102001", 10, 9, 0, 10}, // a township of 城关区 counts for 城关区
		[]any{whtest.Date("2025-01-01"), "G620103", 10, 5, 5, 10}, []any{whtest.Date("2025-02-01"), "G620103", 10, 5, 2, 10},
		[]any{whtest.Date("2025-01-01"), "G620104", 5, 5, 0, 5},
		[]any{whtest.Date("2025-01-01"), "CITY-ZJJ", 25, 20, 0, 25}, []any{whtest.Date("2025-02-01"), "CITY-ZJJ", 25, 20, 0, 25})
	r.Insert("three_visits_monthly", "month, county_code, type, n",
		[]any{whtest.Date("2025-01-01"), "620102", "city_collective", 2}, []any{whtest.Date("2024-01-01"), "620102", "city_collective", 4},
		[]any{whtest.Date("2025-02-01"), "620103", "beijing_abnormal", 3})
	r.Petition("XF-B1", "2025-02-10 10:00", "national", "620103", "housing", "k1", 8, true, "G620103")
	r.Insert("petition_flags", "case_id, received_at, county_code, three_visit_type, is_collective, headcount",
		[]any{"XF-B1", whtest.At("2025-02-10 10:00"), "620103", "beijing_abnormal", true, 8})
	r.Flush()
	return r
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// compute2025 scores the year 2025 of r with the test rubric.
func compute2025(t *testing.T, r *whtest.Records) *assess.Result {
	t.Helper()
	rs, err := assess.LoadRubrics(rubricDir(t, "2025"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := assess.Compute(context.Background(), r.DB, rs, 2025, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestFixtureScores(t *testing.T) {
	r := fixture(t)
	res := compute2025(t, r)
	by := map[string]assess.UnitScore{}
	for _, s := range res.Scores {
		by[s.Unit] = s
	}
	want := []struct {
		unit                     string
		value, low, high         float64
		points                   float64
		score, scoreLow, scoreHi float64
		rank, best, worst        int
		deductions               float64
		met                      bool
	}{
		{"G620102", 0.894373, 0.844942, 0.936320, 59.1560, 97.16, 89.74, 98, 2, 1, 3, 2, true},
		{"G620103", 0.610759, 0.462270, 0.750707, 16.6138, 9.61, 0, 30.61, 4, 4, 4, 7, false},
		{"G620104", 0.888315, 0.734691, 0.983050, 58.2472, 98.25, 75.20, 100, 1, 1, 3, 0, true},
		{"CITY-ZJJ", 0.805402, 0.716496, 0.882656, 45.8103, 76.35, 54.12, 95.66, 3, 1, 3, 0, false},
	}
	for _, w := range want {
		s := by[w.unit]
		c := s.Criteria[0]
		if !c.Assessed || !near(c.Value, w.value, 1e-6) || !near(c.Low, w.low, 1e-6) || !near(c.High, w.high, 1e-6) || !near(c.Points, w.points, 1e-4) {
			t.Errorf("%s 按期办结率 = %+v, want value %v [%v, %v] points %v", w.unit, c, w.value, w.low, w.high, w.points)
		}
		if !near(s.Score, w.score, 0.005) || !near(s.Low, w.scoreLow, 0.005) || !near(s.High, w.scoreHi, 0.005) {
			t.Errorf("%s score %v [%v, %v], want %v [%v, %v]", w.unit, s.Score, s.Low, s.High, w.score, w.scoreLow, w.scoreHi)
		}
		if s.Rank != w.rank || s.RankBest != w.best || s.RankWorst != w.worst {
			t.Errorf("%s rank %d (%d-%d), want %d (%d-%d)", w.unit, s.Rank, s.RankBest, s.RankWorst, w.rank, w.best, w.worst)
		}
		if s.Deductions != w.deductions || s.MetTarget != w.met || s.RubricVersion != "test-2025" {
			t.Errorf("%s deductions %v met %v version %s", w.unit, s.Deductions, s.MetTarget, s.RubricVersion)
		}
	}
	// 三访: -50% is full marks, +300% none, no 三访 at all full; a department is not assessed on it.
	if c := by["G620102"].Criteria[1]; c.Value != -0.5 || c.Points != 40 || c.Current != 2 || c.Previous != 4 {
		t.Errorf("城关区 三访 %+v", c)
	}
	if c := by["G620103"].Criteria[1]; c.Value != 3 || c.Points != 0 {
		t.Errorf("七里河区 三访 %+v", c)
	}
	if c := by["G620104"].Criteria[1]; c.Value != -1 || c.Points != 40 {
		t.Errorf("西固区 三访 %+v", c)
	}
	if c := by["CITY-ZJJ"].Criteria[1]; c.Assessed || !strings.Contains(c.Note, "不适用") || by["CITY-ZJJ"].AssessedWeight != 60 {
		t.Errorf("住建局 三访 %+v, weight %v", c, by["CITY-ZJJ"].AssessedWeight)
	}
	// No data: "not assessed", never 0.
	if s := by["G620121"]; s.Assessed || s.Rank != 0 || s.Criteria[0].Assessed || s.Criteria[0].Note == "" {
		t.Errorf("永登县 without data: %+v", s)
	}
	if !near(res.Overlap, 2.0/3, 1e-9) {
		t.Errorf("overlap %v, want 2/3", res.Overlap)
	}
	// 通报: January names 城关区 for 三访, 七里河区 for the lowest score and
	// its 积案; February names 七里河区 again (书面检查) and its 一事一通报.
	var got []string
	for _, b := range res.Bulletins {
		line := b.Unit + " " + b.Reason
		if b.WrittenReview {
			line += " 书面检查"
		}
		got = append(got, fmtMonth(b.Month)+" "+line)
	}
	wantB := "1 G620102 three_visits|1 G620103 bottom_score|1 G620103 backlog|2 G620103 three_visits 书面检查|2 G620103 bottom_score 书面检查|2 G620103 one_event 书面检查"
	if strings.Join(got, "|") != wantB {
		t.Errorf("bulletins:\n got  %s\n want %s", strings.Join(got, "|"), wantB)
	}
}

// TestOneEventFollowsThePerson: a second 进京非正常上访 of the same person
// within a year is 重复进京非正常上访 (一事一通报); the person comes from
// petitions, as petition_flags keeps no pseudonym.
func TestOneEventFollowsThePerson(t *testing.T) {
	r := fixture(t)
	flag := func(id, when, key string) {
		r.Petition(id, when, "national", "620104", "housing", key, 1, true, "G620104")
		r.Insert("petition_flags", "case_id, received_at, county_code, three_visit_type, is_collective, headcount",
			[]any{id, whtest.At(when), "620104", "beijing_abnormal", false, 1})
	}
	flag("XF-R1", "2025-01-08 10:00", "k7")
	flag("XF-R2", "2025-02-12 10:00", "k7") // the same person: repeat
	flag("XF-R3", "2025-02-14 10:00", "k8") // someone else's first
	r.Flush()
	res := compute2025(t, r)
	var got []string
	for _, b := range res.Bulletins {
		if b.Reason == "one_event" && b.Unit == "G620104" {
			got = append(got, fmtMonth(b.Month)+" "+b.CaseID+" "+strings.SplitN(b.Detail, "：", 2)[0])
		}
	}
	if want := "2 XF-R2 重复进京非正常上访"; strings.Join(got, "|") != want {
		t.Errorf("西固区's 一事一通报: %q, want %q", strings.Join(got, "|"), want)
	}
}

func fmtMonth(m int) string { return string(rune('0' + m)) }

func TestStoredScoresStayWithTheirRubric(t *testing.T) {
	r := fixture(t)
	ctx := context.Background()
	dir := rubricDir(t, "2025")
	rs, _ := assess.LoadRubrics(dir)
	res, err := assess.Compute(ctx, r.DB, rs, 2025, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := assess.Save(ctx, r.DB, res); err != nil {
		t.Fatal(err)
	}
	before, err := assess.Stored(ctx, r.DB, 2025, 0)
	if err != nil {
		t.Fatal(err)
	}
	// A new rubric for 2026 with other weights, and 2026 scored with it.
	changed := strings.ReplaceAll(strings.ReplaceAll(testRubric, "%Y", "2026"), "weight: 60", "weight: 70")
	changed = strings.ReplaceAll(changed, "weight: 40", "weight: 30")
	if err := os.WriteFile(filepath.Join(dir, "2026.yaml"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, err = assess.LoadRubrics(dir)
	if err != nil {
		t.Fatal(err)
	}
	res26, err := assess.Compute(ctx, r.DB, rs, 2026, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := assess.Save(ctx, r.DB, res26); err != nil {
		t.Fatal(err)
	}
	after, _ := assess.Stored(ctx, r.DB, 2025, 0)
	if a, b := mustJSON(t, before), mustJSON(t, after); a != b {
		t.Fatalf("2025's stored scores changed with 2026's rubric")
	}
	// Recomputing 2025 with its own rubric gives the same rows.
	again, err := assess.Compute(ctx, r.DB, rs, 2025, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := assess.Save(ctx, r.DB, again); err != nil {
		t.Fatal(err)
	}
	recomputed, _ := assess.Stored(ctx, r.DB, 2025, 0)
	if a, b := mustJSON(t, before), mustJSON(t, recomputed); a != b {
		t.Fatalf("recomputing 2025 gave other rows:\n%s\n%s", a, b)
	}
	if n := whtest.Uint(t, r.DB, "SELECT count() FROM "+r.DB.Table("assessment_scores")+" FINAL WHERE year = 2025"); n != uint64(len(before)) {
		t.Errorf("%d stored 2025 rows after recomputing, want %d", n, len(before))
	}
	for _, s := range recomputed {
		if s.RubricVersion != "test-2025" {
			t.Fatalf("stored row with rubric %s", s.RubricVersion)
		}
	}
	// The stored criteria explain the score line by line.
	for _, s := range recomputed {
		if s.Unit == "G620102" && (s.Criteria[0].K != 99 || s.Criteria[0].N != 110 || s.Criteria[0].PriorAlpha == 0) {
			t.Errorf("stored inputs of 城关区: %+v", s.Criteria[0])
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCommendedAfterThreeYears(t *testing.T) {
	r := fixture(t)
	for _, y := range []string{"2023", "2024"} {
		r.Insert("unit_monthly", "month, unit, conclude_due, concluded_on_time, received",
			[]any{whtest.Date(y + "-03-01"), "G620104", 5, 5, 5}, []any{whtest.Date(y + "-03-01"), "G620102", 5, 1, 5})
	}
	r.Flush()
	rs, err := assess.LoadRubrics(rubricDir(t, "2023", "2024", "2025"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := assess.Compute(context.Background(), r.DB, rs, 2025, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Scores {
		want := s.Unit == "G620104" // met 2023, 2024, 2025; 城关区 failed 2023 and 2024
		if s.Commendable != want {
			t.Errorf("%s commendable %v, want %v", s.Unit, s.Commendable, want)
		}
	}
	// Without the rubric of 2023 the run cannot be shown: nobody is.
	rs2, _ := assess.LoadRubrics(rubricDir(t, "2024", "2025"))
	res, _ = assess.Compute(context.Background(), r.DB, rs2, 2025, 0, now)
	for _, s := range res.Scores {
		if s.Commendable {
			t.Errorf("%s commendable without 2023's rubric", s.Unit)
		}
	}
}

func TestBadRubricsAreRefused(t *testing.T) {
	good := strings.ReplaceAll(testRubric, "%Y", "2025")
	cases := map[string]string{
		"weights add up to 90": strings.Replace(good, "weight: 40", "weight: 30", 1),
		":8: criterion \"conclude\": indicator \"on_time\" is unknown": strings.Replace(good, "indicator: conclude_on_time_rate", "indicator: on_time", 1),
		"direction higher but target":                                  strings.Replace(good, "floor: 0.5, target: 0.9", "floor: 0.9, target: 0.5", 1),
		"floor and target are both":                                    strings.Replace(good, "floor: 0.5, target: 0.9", "floor: 0.5, target: 0.5", 1),
		"pass_score":                                                   strings.Replace(good, "pass_score: 80", "pass_score: 180", 1),
		"must be between 0 and 1":                                      strings.Replace(good, "target: 0.9", "target: 90", 1),
	}
	for want, text := range cases {
		_, err := assess.ParseRubric([]byte(text), "r.yaml")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want an error with %q, got %v", want, err)
		}
	}
	dir := rubricDir(t, "2025")
	os.WriteFile(filepath.Join(dir, "copy.yaml"), []byte(good), 0o644)
	if _, err := assess.LoadRubrics(dir); err == nil || !strings.Contains(err.Error(), "both for 2025") {
		t.Errorf("two rubrics for one year: %v", err)
	}
	if rs, err := assess.LoadRubrics(""); err != nil || rs[2026] == nil || rs[2025] == nil {
		t.Errorf("shipped rubrics: %v", err)
	}
}

func TestOutputsAgree(t *testing.T) {
	r := fixture(t)
	rs, _ := assess.LoadRubrics(rubricDir(t, "2025"))
	res, err := assess.Compute(context.Background(), r.DB, rs, 2025, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	if err := res.Write(&js, "json"); err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Scores []assess.UnitScore
	}
	if err := json.Unmarshal(js.Bytes(), &parsed); err != nil {
		t.Fatal(err)
	}
	b, err := res.XLSX()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	sheets := f.GetSheetList()
	if len(sheets) != 2+len(res.Rubric.Criteria) || sheets[0] != "排名" || sheets[len(sheets)-1] != "通报" {
		t.Fatalf("sheets %v", sheets)
	}
	rows, _ := f.GetRows("排名", excelize.Options{RawCellValue: true})
	if rows[0][0] != "名次" || rows[0][4] != "得分" {
		t.Fatalf("header %v", rows[0])
	}
	seen := 0
	for i, row := range rows[1:] {
		for _, s := range parsed.Scores {
			if row[2] != s.Unit || !s.Assessed {
				continue
			}
			seen++
			cell, _ := excelize.CoordinatesToCellName(5, i+2)
			if typ, _ := f.GetCellType("排名", cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
				t.Errorf("score of %s is not a number in the workbook", s.Unit)
			}
			if row[4] != trimFloat(s.Score) {
				t.Errorf("%s: workbook %s, JSON %v", s.Unit, row[4], s.Score)
			}
		}
	}
	if seen != 4 {
		t.Errorf("%d assessed units in the workbook", seen)
	}
	bl, _ := f.GetRows("通报")
	if len(bl) != 1+len(res.Bulletins) {
		t.Errorf("%d bulletin rows, want %d", len(bl)-1, len(res.Bulletins))
	}
	var csvOut bytes.Buffer
	res.Write(&csvOut, "csv")
	if !bytes.HasPrefix(csvOut.Bytes(), []byte("\ufeff名次")) {
		t.Error("the CSV has no BOM")
	}
}

func trimFloat(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestCurrentYear: 考核 opens on the present year once it has a rubric, and
// before that (early in a year) on the latest year that has one, the year
// just ended being the one scored then.
func TestCurrentYear(t *testing.T) {
	rs, err := assess.LoadRubrics("")
	if err != nil {
		t.Fatal(err)
	}
	latest := 0
	for y := range rs {
		latest = max(latest, y)
	}
	for _, c := range []struct {
		now  time.Time
		want int
	}{
		{time.Date(latest, 6, 1, 0, 0, 0, 0, time.UTC), latest},
		{time.Date(latest+1, 1, 2, 0, 0, 0, 0, time.UTC), latest},
		{time.Date(latest+3, 12, 31, 0, 0, 0, 0, time.UTC), latest},
		{time.Date(latest-1, 3, 1, 0, 0, 0, 0, time.UTC), latest - 1},
		{time.Date(1999, 3, 1, 0, 0, 0, 0, time.UTC), 1999}, // no rubric yet: its own year (scoring it says what is missing)
	} {
		if got := rs.CurrentYear(c.now); got != c.want {
			t.Errorf("at %s: %d, want %d", c.now.Format(time.DateOnly), got, c.want)
		}
	}
}

// A 零报告 is due by its day's end in the city: today's, not yet filed,
// is not missing in a month-to-date score; filed, it counts.
func TestTodaysZeroReportIsNotYetMissing(t *testing.T) {
	r := whtest.NewRecords(t)
	cols := "day, unit, county_code, period, filed, late"
	row := func(day, unit string, filed bool) []any {
		return []any{whtest.Date(day), unit, unit[1:], "两会", filed, false}
	}
	r.Insert("zero_report_compliance", cols,
		row("2026-11-25", "G620102", true), row("2026-11-26", "G620102", false), row("2026-11-27", "G620102", false),
		row("2026-11-25", "G620103", true), row("2026-11-26", "G620103", true), row("2026-11-27", "G620103", true))
	r.Flush()
	rs, err := assess.LoadRubrics("")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		now    time.Time
		k102   float64 // G620102's reports on time, of n102 due
		n102   float64
		k, n   float64 // G620103's
		reason string
	}{
		{time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), 1, 2, 3, 3, "20:00 on the 27th in the city"},
		{time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC), 1, 3, 3, 3, "00:00 on the 28th in the city: the 27th has ended"},
	} {
		res, err := assess.Compute(context.Background(), r.DB, rs, 2026, 11, c.now)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][2]float64{}
		for _, s := range res.Scores {
			for _, cs := range s.Criteria {
				if cs.ID == "zero_report" {
					got[s.Unit] = [2]float64{cs.K, cs.N}
				}
			}
		}
		if g := got["G620102"]; g != [2]float64{c.k102, c.n102} {
			t.Errorf("at %s: G620102's 零报告 %v of %v on time, want %v of %v", c.reason, g[0], g[1], c.k102, c.n102)
		}
		if g := got["G620103"]; g != [2]float64{c.k, c.n} {
			t.Errorf("at %s: G620103's 零报告 %v of %v on time, want %v of %v", c.reason, g[0], g[1], c.k, c.n)
		}
	}
}

// The months are the city's: at 01:00 on the 1st of December there
// (17:00 on the 30th of November in UTC) December can be scored.
func TestMonthsAreTheCitys(t *testing.T) {
	r := whtest.NewRecords(t)
	rs, err := assess.LoadRubrics("")
	if err != nil {
		t.Fatal(err)
	}
	res, err := assess.Compute(context.Background(), r.DB, rs, 2026, 12, time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("December at 01:00 on the 1st in the city: %v", err)
	}
	if res.Months != 12 {
		t.Errorf("months covered: %d, want 12", res.Months)
	}
}

// The month in progress is compared with the same days a year earlier
// (its row's n_last_year), not with the whole month: on the 27th of
// November, 3 三访 against 2 in 1–27 November 2025, not against all 10.
func TestThreeVisitsMonthInProgress(t *testing.T) {
	r := whtest.NewRecords(t)
	r.Insert("three_visits_monthly", "month, county_code, type, n, n_last_year",
		[]any{whtest.Date("2025-10-01"), "620102", "city_collective", 4, 0},
		[]any{whtest.Date("2025-11-01"), "620102", "city_collective", 10, 0},
		[]any{whtest.Date("2026-10-01"), "620102", "city_collective", 1, 4},
		[]any{whtest.Date("2026-11-01"), "620102", "city_collective", 3, 2})
	r.Flush()
	rs, err := assess.LoadRubrics("")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		month             int
		current, previous float64
	}{
		{11, 3, 2}, // in progress: the same days
		{10, 1, 4}, // ended: the whole month a year earlier
		{0, 4, 6},  // the year so far: October whole, November's days
	} {
		res, err := assess.Compute(context.Background(), r.DB, rs, 2026, c.month, now)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, s := range res.Scores {
			for _, cs := range s.Criteria {
				if s.Unit == "G620102" && cs.ID == "three_visits" {
					found = true
					if cs.Current != c.current || cs.Previous != c.previous {
						t.Errorf("month %d: 三访 %v against %v, want %v against %v", c.month, cs.Current, cs.Previous, c.current, c.previous)
					}
				}
			}
		}
		if !found {
			t.Errorf("month %d: no 三访 criterion for G620102", c.month)
		}
	}
}
