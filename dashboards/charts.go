package dashboards

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"xfwatch/refdata"
)

// Chart is one chart on a page: the ECharts option built with go-echarts,
// plus what the served script needs beside it: tooltip explanations and
// drill-down links, keyed by the data item's name (or "x,y" on a heatmap).
// A page carries it as JSON in a data attribute; static/app.js draws it.
type Chart struct {
	ID     string            `json:"id"`
	Option map[string]any    `json:"option"`
	Tips   map[string]string `json:"tips,omitempty"`
	Links  map[string]string `json:"links,omitempty"`
	Height int               `json:"height"`
	// encoded is the JSON, kept once the chart is shared (cached).
	encoded string
}

// frozen encodes the chart once, for charts many pages reuse.
func (c Chart) frozen() *Chart {
	c.encoded = c.JSON()
	return &c
}

// JSON is the chart as its page carries it.
func (c Chart) JSON() string {
	if c.encoded != "" {
		return c.encoded
	}
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("chart %s: %v", c.ID, err))
	}
	return string(b)
}

// option validates a go-echarts chart and returns its option object.
func option(c interface {
	Validate()
	JSON() map[string]any
}) map[string]any {
	c.Validate()
	return c.JSON()
}

// riskColors run from calm to alarming: the visual map of risk scores.
var riskColors = []string{"#2e7d32", "#9ccc65", "#fdd835", "#fb8c00", "#c62828"}

func riskVisualMap(show bool) opts.VisualMap {
	return opts.VisualMap{Type: "piecewise", Min: 0, Max: 100, Show: opts.Bool(show), Left: "right", Top: "middle",
		Pieces: []opts.Piece{
			{Min: 80, Max: 100, Color: riskColors[4]},
			{Min: 60, Max: 79.99, Color: riskColors[3]},
			{Min: 40, Max: 59.99, Color: riskColors[2]},
			{Min: 20, Max: 39.99, Color: riskColors[1]},
			{Min: 0, Max: 19.99, Color: riskColors[0]},
		}}
}

// RiskCell is one region × category cell of risk_daily.
type RiskCell struct {
	Region, Category                       string
	Risk                                   uint8
	Volume, Growth, Alarm, Severity        float64
	Petitions28, Last7                     uint32
	Collective30, ThreeVisits30, Repeats30 uint32
	AlarmDays7                             uint8
}

// Region is a code with its name.
type Region struct{ Code, Name string }

// explainRisk says why a cell has its score (docs/INDICATORS.md, risk_daily).
// count formats a count for a reader: 1-4 become "<5" where small counts
// are suppressed (below county level, roles without case access).
type count func(uint32) string

func plainCount(n uint32) string { return fmt.Sprint(n) }

func suppressedCount(n uint32) string {
	if n > 0 && n < 5 {
		return "<5"
	}
	return fmt.Sprint(n)
}

func explainRisk(regionName string, c RiskCell, n count) string {
	return fmt.Sprintf("%s · %s\n风险评分 %d = 规模 %.0f + 增长 %.0f + 预警 %.0f + 严重性 %.0f\n近28天 %s 件，近7天 %s 件，7天内预警 %d 天\n30天内 集体访 %s、三访 %s、重复访 %s",
		regionName, refdata.CategoryLabel(c.Category), c.Risk, c.Volume, c.Growth, c.Alarm, c.Severity,
		n(c.Petitions28), n(c.Last7), c.AlarmDays7, n(c.Collective30), n(c.ThreeVisits30), n(c.Repeats30))
}

// HeatmapChart is the risk heatmap, regions × categories; a region's row
// links to its drill-down when links has it.
func HeatmapChart(title string, regions []Region, cells []RiskCell, links map[string]string, n count) Chart {
	cats := refdata.Categories
	catIdx := map[string]int{}
	xLabels := make([]string, len(cats))
	for i, c := range cats {
		catIdx[c] = i
		xLabels[i] = refdata.CategoryLabel(c)
	}
	regIdx := map[string]int{}
	yLabels := make([]string, len(regions))
	for i, r := range regions {
		regIdx[r.Code] = i
		yLabels[i] = r.Name
	}
	tips := map[string]string{}
	chartLinks := map[string]string{}
	var data []opts.HeatMapData
	sorted := append([]RiskCell(nil), cells...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Region != sorted[j].Region {
			return regIdx[sorted[i].Region] < regIdx[sorted[j].Region]
		}
		return catIdx[sorted[i].Category] < catIdx[sorted[j].Category]
	})
	for _, c := range sorted {
		y, ok := regIdx[c.Region]
		x, ok2 := catIdx[c.Category]
		if !ok || !ok2 {
			continue
		}
		data = append(data, opts.HeatMapData{Value: [3]any{x, y, c.Risk}})
		key := fmt.Sprintf("%d,%d", x, y)
		tips[key] = explainRisk(regions[y].Name, c, n)
		if l := links[c.Region]; l != "" {
			chartLinks[key] = l
		}
	}
	h := charts.NewHeatMap()
	h.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: title, Left: "center"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Formatter: types.FuncStr("xf:tip")}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: xLabels, SplitArea: &opts.SplitArea{Show: opts.Bool(true)},
			AxisLabel: &opts.AxisLabel{Interval: "0", Rotate: 40}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: yLabels, Inverse: opts.Bool(true), SplitArea: &opts.SplitArea{Show: opts.Bool(true)},
			AxisLabel: &opts.AxisLabel{Interval: "0"}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithVisualMapOpts(riskVisualMap(true)),
		charts.WithGridOpts(opts.Grid{Left: "90", Right: "150", Top: "50", Bottom: "90"}),
		charts.WithAnimation(false),
	)
	h.AddSeries("风险评分", data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), FontSize: 10}))
	height := 120 + 26*len(regions)
	if height < 320 {
		height = 320
	}
	return Chart{ID: "heatmap", Option: option(h), Tips: tips, Links: chartLinks, Height: height}
}

// MapChart colours the city's counties by their highest cell risk; the
// tooltip explains the score by that cell.
func MapChart(title, mapName string, counties []Region, cells []RiskCell, links map[string]string) Chart {
	name := map[string]string{}
	for _, r := range counties {
		name[r.Code] = r.Name
	}
	worst := map[string]RiskCell{}
	for _, c := range cells {
		if _, ok := name[c.Region]; !ok {
			continue
		}
		w, seen := worst[c.Region]
		if !seen || c.Risk > w.Risk || (c.Risk == w.Risk && c.Petitions28 > w.Petitions28) {
			worst[c.Region] = c
		}
	}
	tips := map[string]string{}
	chartLinks := map[string]string{}
	var data []opts.MapData
	for _, r := range counties {
		c, ok := worst[r.Code]
		if !ok {
			continue
		}
		data = append(data, opts.MapData{Name: r.Name, Value: c.Risk})
		tips[r.Name] = "最高风险类别：" + explainRisk(r.Name, c, plainCount)
		if l := links[r.Code]; l != "" {
			chartLinks[r.Name] = l
		}
	}
	m := charts.NewMap()
	m.RegisterMapType(mapName)
	m.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: title, Left: "center"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Formatter: types.FuncStr("xf:tip")}),
		charts.WithVisualMapOpts(riskVisualMap(true)),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithAnimation(false),
	)
	m.AddSeries("县区风险", data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), FontSize: 11}))
	return Chart{ID: "map", Option: option(m), Tips: tips, Links: chartLinks, Height: 460}
}

// MonthCount is one month's count of one series.
type MonthCount struct {
	Month  string // YYYY-MM
	Series string
	N      uint32
}

// ThreeVisitsChart is the 三访 monthly trend: stacked bars per type and the
// same months a year earlier as a line.
func ThreeVisitsChart(months []string, counts, lastYear []MonthCount) Chart {
	types3 := []string{"beijing_abnormal", "province_collective", "city_collective"}
	idx := map[string]int{}
	for i, m := range months {
		idx[m] = i
	}
	b := charts.NewBar()
	b.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: "三访月度趋势", Left: "center"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithYAxisOpts(opts.YAxis{Name: "件", MinInterval: 1}),
		charts.WithGridOpts(opts.Grid{Left: "50", Right: "30", Top: "60", Bottom: "60"}),
		charts.WithAnimation(false),
	)
	b.SetXAxis(months)
	for _, t := range types3 {
		vals := make([]opts.BarData, len(months))
		for i := range vals {
			vals[i] = opts.BarData{Value: 0}
		}
		for _, c := range counts {
			if i, ok := idx[c.Month]; ok && c.Series == t {
				vals[i].Value = int(vals[i].Value.(int)) + int(c.N)
			}
		}
		b.AddSeries(refdata.ThreeVisitLabel[t], vals, charts.WithBarChartOpts(opts.BarChart{Stack: "三访"}))
	}
	prev := make([]opts.LineData, len(months))
	for i := range prev {
		prev[i] = opts.LineData{Value: 0}
	}
	for _, c := range lastYear {
		if i, ok := idx[c.Month]; ok {
			prev[i].Value = int(prev[i].Value.(int)) + int(c.N)
		}
	}
	line := charts.NewLine()
	line.SetXAxis(months)
	line.AddSeries("上年同期合计", prev, charts.WithLineChartOpts(opts.LineChart{Symbol: "circle"}),
		charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
	b.Overlap(line)
	return Chart{ID: "three-visits", Option: option(b), Height: 340}
}

// SeriesPoint is one point of a trend series.
type SeriesPoint struct {
	Period string
	Value  *float64 // nil: suppressed or no data
}

// TrendChart draws a trend query: one line per dimension combination (the
// largest ones first, at most maxSeries), with the comparison base dashed
// when asked.
//
// inProgress, if not "", is the period (one of periods) still in progress:
// a grey band from the period before marks it 未完, so that its lower
// value does not read as a fall.
func TrendChart(title, unit string, periods []string, series map[string][]SeriesPoint, order []string, percent bool, inProgress string) Chart {
	const maxSeries = 12
	if len(order) > maxSeries {
		order = order[:maxSeries]
	}
	l := charts.NewLine()
	yAxis := opts.YAxis{Name: unit}
	if percent {
		yAxis.AxisLabel = &opts.AxisLabel{Formatter: types.FuncStr("{value}%")}
	}
	l.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: title, Left: "center"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "scroll", Bottom: "0"}),
		charts.WithYAxisOpts(yAxis),
		charts.WithGridOpts(opts.Grid{Left: "60", Right: "30", Top: "60", Bottom: "70"}),
		charts.WithDataZoomOpts(opts.DataZoom{Type: "inside"}),
		charts.WithAnimation(false),
	)
	l.SetXAxis(periods)
	idx := map[string]int{}
	for i, p := range periods {
		idx[p] = i
	}
	for _, name := range order {
		vals := make([]opts.LineData, len(periods))
		for i := range vals {
			vals[i] = opts.LineData{Value: "-"}
		}
		for _, p := range series[name] {
			i, ok := idx[p.Period]
			if !ok || p.Value == nil {
				continue
			}
			v := *p.Value
			if percent {
				v *= 100
			}
			vals[i].Value = roundTo(v, 2)
		}
		so := []charts.SeriesOpts{charts.WithLineChartOpts(opts.LineChart{Symbol: "circle", ConnectNulls: opts.Bool(false)})}
		if i, ok := idx[inProgress]; ok && name == order[0] {
			// from the period before: a line's categories are points, and
			// the band covers the segment into the period in progress
			from := periods[max(0, i-1)]
			so = append(so, charts.WithMarkAreaData([]opts.MarkAreaData{{Name: "未完", XAxis: from}, {XAxis: inProgress}}),
				charts.WithMarkAreaStyleOpts(opts.MarkAreaStyle{ItemStyle: &opts.ItemStyle{Color: "rgba(140, 140, 140, 0.12)"},
					Label: &opts.Label{Show: opts.Bool(true), Position: "insideTop", Color: "#666"}}))
		}
		l.AddSeries(name, vals, so...)
	}
	return Chart{ID: "trend", Option: option(l), Height: 420}
}

// EvidencePoint is one day of an alert's evidence series.
type EvidencePoint struct {
	Day   string
	N     float64
	Upper *float64
}

// EvidenceChart draws an alert's evidence: the daily counts and the
// detector's upper bound, when the alert has a series; otherwise the
// alert's value against its threshold.
func EvidenceChart(title string, points []EvidencePoint, value, threshold float64) Chart {
	if len(points) == 0 {
		b := charts.NewBar()
		b.SetGlobalOptions(
			charts.WithTitleOpts(opts.Title{Title: title, Left: "center"}),
			charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
			charts.WithAnimation(false),
		)
		b.SetXAxis([]string{"触发值", "阈值"})
		b.AddSeries("预警依据", []opts.BarData{
			{Value: roundTo(value, 2), ItemStyle: &opts.ItemStyle{Color: riskColors[4]}},
			{Value: roundTo(threshold, 2), ItemStyle: &opts.ItemStyle{Color: "#607d8b"}},
		}, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "top"}))
		return Chart{ID: "evidence", Option: option(b), Height: 300}
	}
	days := make([]string, len(points))
	ns := make([]opts.LineData, len(points))
	upper := make([]opts.LineData, len(points))
	for i, p := range points {
		days[i] = p.Day
		ns[i] = opts.LineData{Value: p.N}
		upper[i] = opts.LineData{Value: "-"}
		if p.Upper != nil {
			upper[i].Value = roundTo(*p.Upper, 2)
		}
	}
	l := charts.NewLine()
	l.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: title, Left: "center"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithYAxisOpts(opts.YAxis{Name: "件", MinInterval: 1}),
		charts.WithGridOpts(opts.Grid{Left: "50", Right: "30", Top: "60", Bottom: "60"}),
		charts.WithAnimation(false),
	)
	l.SetXAxis(days)
	l.AddSeries("每日件数", ns, charts.WithLineChartOpts(opts.LineChart{Symbol: "circle"}))
	l.AddSeries("EARS C1 预警上限", upper, charts.WithLineChartOpts(opts.LineChart{Symbol: "none"}),
		charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed", Color: riskColors[4]}))
	return Chart{ID: "evidence", Option: option(l), Height: 320}
}

func roundTo(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// seriesName joins a row's dimension labels into a legend name.
func seriesName(labels []string) string {
	if len(labels) == 0 {
		return "合计"
	}
	return strings.Join(labels, " · ")
}

// RankedScore is one unit on the ranking chart.
type RankedScore struct {
	Name              string
	Score, Low, High  float64
	Rank, Best, Worst int
}

// RankingChart draws the 考核 ranking: each unit's score as a point with its
// 90% interval as a bar around it, best at the top.
func RankingChart(title string, scores []RankedScore) Chart {
	names := make([]string, len(scores))
	base := make([]opts.BarData, len(scores))
	span := make([]opts.BarData, len(scores))
	points := make([]opts.ScatterData, len(scores))
	tips := map[string]string{}
	for i, s := range scores {
		names[i] = s.Name
		base[i] = opts.BarData{Value: roundTo(s.Low, 2)}
		span[i] = opts.BarData{Value: roundTo(s.High-s.Low, 2)}
		points[i] = opts.ScatterData{Value: roundTo(s.Score, 2)}
		tips[s.Name] = fmt.Sprintf("%s\n得分 %.1f（90%%区间 %.1f–%.1f）\n名次 %d，名次区间 %d–%d", s.Name, s.Score, s.Low, s.High, s.Rank, s.Best, s.Worst)
	}
	b := charts.NewBar()
	b.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: title, Left: "center"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Formatter: types.FuncStr("xf:tip")}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: names, AxisLabel: &opts.AxisLabel{Interval: "0", Rotate: 35}}),
		charts.WithYAxisOpts(opts.YAxis{Name: "得分", Min: 0, Max: 100}),
		charts.WithGridOpts(opts.Grid{Left: "50", Right: "30", Top: "50", Bottom: "110"}),
		charts.WithAnimation(false),
	)
	b.SetXAxis(names)
	b.AddSeries("区间起点", base, charts.WithBarChartOpts(opts.BarChart{Stack: "interval"}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: "transparent"}))
	b.AddSeries("90%区间", span, charts.WithBarChartOpts(opts.BarChart{Stack: "interval", BarWidth: "40%"}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: "#90caf9"}))
	sc := charts.NewScatter()
	sc.SetXAxis(names)
	sc.AddSeries("得分", points, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#0d47a1"}))
	b.Overlap(sc)
	return Chart{ID: "ranking", Option: option(b), Tips: tips, Height: 420}
}
