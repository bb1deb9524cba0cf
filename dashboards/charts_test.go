package dashboards

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden chart options in testdata/charts")

// golden compares a chart's option JSON with testdata/charts/NAME.json.
func golden(t *testing.T, name string, c Chart) {
	t.Helper()
	var got bytes.Buffer
	enc := json.NewEncoder(&got)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "charts", name+".json")
	if *update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./dashboards -run Golden -update)", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("chart %s differs from %s (run with -update if the change is meant):\n%s", name, path, firstDiff(got.String(), string(want)))
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "line " + itoa(i+1) + ":\n got  " + al[i] + "\n want " + bl[i]
		}
	}
	return "lengths differ"
}

func itoa(i int) string { return strconv.Itoa(i) }

var counties = []Region{{"620102", "城关区"}, {"620103", "七里河区"}, {"620121", "永登县"}}

var cells = []RiskCell{
	{Region: "620102", Category: "demolition", Risk: 86, Volume: 38, Growth: 20, Alarm: 18, Severity: 10, Petitions28: 41, Last7: 17, AlarmDays7: 3, Collective30: 2, ThreeVisits30: 1, Repeats30: 6},
	{Region: "620102", Category: "social_security", Risk: 22, Volume: 14, Growth: 5, Alarm: 0, Severity: 3, Petitions28: 12, Last7: 3, Repeats30: 1},
	{Region: "620103", Category: "wage_arrears", Risk: 55, Volume: 25, Growth: 15, Alarm: 10, Severity: 5, Petitions28: 19, Last7: 8, AlarmDays7: 1, Collective30: 1},
	{Region: "620121", Category: "land_acquisition", Risk: 3, Volume: 3, Petitions28: 2, Last7: 1},
}

func TestGoldenHeatmap(t *testing.T) {
	links := map[string]string{"620102": "/cockpit?county=620102", "620103": "/cockpit?county=620103"}
	c := HeatmapChart("风险热力图", counties, cells, links, plainCount)
	golden(t, "heatmap", c)
	// The cell for 城关区 × 拆迁改造 explains its score and links to the drill-down.
	if tip := c.Tips["1,0"]; !strings.Contains(tip, "风险评分 86 = 规模 38 + 增长 20 + 预警 18 + 严重性 10") {
		t.Errorf("heatmap tip for 城关区 × 拆迁改造 = %q", tip)
	}
	if c.Links["1,0"] != "/cockpit?county=620102" || c.Links["0,2"] != "" {
		t.Errorf("heatmap links = %v", c.Links)
	}
}

func TestGoldenHeatmapSuppressesSmallTownshipCounts(t *testing.T) {
	towns := []Region{{"620102001", "酒泉路街道"}}
	c := HeatmapChart("风险热力图", towns, []RiskCell{{Region: "620102001", Category: "housing", Risk: 30, Petitions28: 4, Last7: 0, Repeats30: 7}}, nil, suppressedCount)
	golden(t, "heatmap_township", c)
	tip := c.Tips["11,0"]
	if !strings.Contains(tip, "近28天 <5 件，近7天 0 件") || !strings.Contains(tip, "重复访 7") {
		t.Errorf("township tip = %q: 4 must show as <5, 0 and 7 as they are", tip)
	}
}

func TestGoldenMap(t *testing.T) {
	c := MapChart("全市风险分布", "兰州", counties, cells, map[string]string{"620102": "/cockpit?county=620102"})
	golden(t, "map", c)
	var parsed struct {
		Series []struct {
			Type, Map string
			Data      []struct {
				Name  string
				Value float64
			}
		}
	}
	if err := json.Unmarshal([]byte(c.JSON()), &struct{ Option any }{&parsed}); err != nil {
		t.Fatal(err)
	}
	if len(parsed.Series) != 1 || parsed.Series[0].Type != "map" || parsed.Series[0].Map != "兰州" || len(parsed.Series[0].Data) != 3 ||
		parsed.Series[0].Data[0].Name != "城关区" || parsed.Series[0].Data[0].Value != 86 {
		t.Fatalf("map series = %+v", parsed.Series)
	}
	// Each county takes its worst cell: 城关区 86 (拆迁改造), not 22.
	if !strings.Contains(c.Tips["城关区"], "拆迁改造") || !strings.Contains(c.Tips["城关区"], "风险评分 86") {
		t.Errorf("城关区 tip = %q", c.Tips["城关区"])
	}
}

func TestGoldenThreeVisits(t *testing.T) {
	months := []string{"2026-08", "2026-09", "2026-10"}
	c := ThreeVisitsChart(months,
		[]MonthCount{{"2026-08", "beijing_abnormal", 1}, {"2026-09", "city_collective", 3}, {"2026-09", "province_collective", 2}, {"2026-10", "city_collective", 1}},
		[]MonthCount{{"2026-08", "city_collective", 4}, {"2026-10", "beijing_abnormal", 2}})
	golden(t, "three_visits", c)
}

func TestGoldenTrend(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	c := TrendChart("信访件数 · 按月", "件", []string{"2026-09", "2026-10"}, map[string][]SeriesPoint{
		"城关区": {{"2026-09", f(120)}, {"2026-10", f(131)}},
		"永登县": {{"2026-09", nil}, {"2026-10", f(7)}},
	}, []string{"城关区", "永登县"}, false, "")
	golden(t, "trend", c)
	r := TrendChart("按期办结率 · 按月", "%", []string{"2026-10"}, map[string][]SeriesPoint{"合计": {{"2026-10", f(0.9234)}}}, []string{"合计"}, true, "")
	golden(t, "trend_rate", r)
	// the last month still in progress: a band marks it 未完
	p := TrendChart("信访件数 · 按月", "件", []string{"2026-11", "2026-12（至12-08）"}, map[string][]SeriesPoint{
		"城关区": {{"2026-11", f(400)}, {"2026-12（至12-08）", f(81)}},
		"永登县": {{"2026-11", f(143)}, {"2026-12（至12-08）", f(16)}},
	}, []string{"城关区", "永登县"}, false, "2026-12（至12-08）")
	golden(t, "trend_in_progress", p)
}

func TestGoldenEvidence(t *testing.T) {
	up := 4.5
	c := EvidenceChart("预警依据", []EvidencePoint{{"2026-10-01", 2, &up}, {"2026-10-02", 9, &up}, {"2026-10-03", 3, nil}}, 9, 4.5)
	golden(t, "evidence_series", c)
	b := EvidenceChart("预警依据", nil, 52, 50)
	golden(t, "evidence_value", b)
}

func TestGoldenRanking(t *testing.T) {
	c := RankingChart("2026 年全年考核得分与 90% 区间", []RankedScore{
		{Name: "西固区人民政府", Score: 61.04, Low: 51.0, High: 70.7, Rank: 1, Best: 1, Worst: 3},
		{Name: "皋兰县人民政府", Score: 14.5, Low: 12.1, High: 18.2, Rank: 2, Best: 2, Worst: 2},
	})
	golden(t, "ranking", c)
	if !strings.Contains(c.Tips["西固区人民政府"], "得分 61.0（90%区间 51.0–70.7）") {
		t.Errorf("tip %q", c.Tips["西固区人民政府"])
	}
}
