package dashboards

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"xfwatch/refdata"
)

type choice struct {
	Value, Label string
	Selected     bool
}

type trendsView struct {
	pageBase
	Q                                   TrendQuery
	Metrics, Dims, Grains, Compares     []choice
	Levels, Counties, Categories, Types []choice
	Chart                               *Chart
	Rows                                []trendTableRow
	DimLabels                           []string
	ValueLabel, CompareLabel            string
	Exports                             []choice
	RowCap                              int
	Error                               string
	Dim1, Dim2                          string
	TableCap, TotalRows                 int
	PartialNote                         string // the last period is still in progress, and how it is compared
}

// tableCap is the most rows the page's table shows; exports carry them all.
const tableCap = 2000

type trendTableRow struct {
	Period string
	Dims   []string
	Value  string
	Base   string
	Change string
}

func (s *Server) trendsPage(rp *reply, r *http.Request, ss *session) error {
	latest, err := s.latestDay(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	t, perr := ParseTrendQuery(q, latest)
	if perr != nil {
		rp.status = http.StatusBadRequest
		t, _ = ParseTrendQuery(url.Values{}, latest)
	}
	v, err := s.trendsView(r.Context(), ss.user, t, s.base(ss, "趋势分析"))
	if err != nil {
		return err
	}
	if perr != nil {
		v.Error = perr.Error()
	}
	s.render(rp, "trends", v)
	return nil
}

func (s *Server) trendsView(ctx context.Context, u *User, t TrendQuery, base pageBase) (*trendsView, error) {
	v := &trendsView{pageBase: base, Q: t, RowCap: RowCap, ValueLabel: t.Metric.Label, CompareLabel: compareLabels[t.Compare]}
	for _, m := range metrics {
		v.Metrics = append(v.Metrics, choice{m.Name, m.Label, m == t.Metric})
	}
	if len(t.Dims) > 0 {
		v.Dim1 = t.Dims[0]
	}
	if len(t.Dims) > 1 {
		v.Dim2 = t.Dims[1]
	}
	for _, d := range dimensionOrder {
		if t.Metric.Dims[d] != "" {
			v.Dims = append(v.Dims, choice{d, dimensionLabels[d], slices.Contains(t.Dims, d)})
		}
	}
	for _, g := range []string{"day", "week", "month", "year"} {
		if t.Metric.Monthly && (g == "day" || g == "week") {
			continue
		}
		v.Grains = append(v.Grains, choice{g, grainLabels[g], g == t.Grain})
	}
	for _, c := range []string{"", "mom", "yoy"} {
		v.Compares = append(v.Compares, choice{c, compareLabels[c], c == t.Compare})
	}
	if t.Metric.Levelled {
		v.Levels = []choice{{"county", "县区", t.Level == "county"}, {"township", "乡镇街道", t.Level == "township"}}
	}
	if t.Metric.Region != "" {
		v.Counties = append(v.Counties, choice{"", "全部", t.Region == ""})
		for _, c := range s.ref.children("county", "") {
			if strings.HasPrefix(c.Code, u.Region) || strings.HasPrefix(u.Region, c.Code) {
				v.Counties = append(v.Counties, choice{c.Code, c.Name, c.Code == t.Region})
			}
		}
	}
	if t.Metric.Dims["category"] != "" {
		v.Categories = append(v.Categories, choice{"", "全部", len(t.Categories) == 0})
		for _, c := range refdata.Categories {
			v.Categories = append(v.Categories, choice{c, refdata.CategoryLabel(c), len(t.Categories) == 1 && t.Categories[0] == c})
		}
	}
	res, err := s.Trends(ctx, u, t)
	if err != nil {
		if bad, ok := err.(badParam); ok {
			v.Error = bad.msg
			return v, nil
		}
		return nil, err
	}
	for _, d := range t.Dims {
		v.DimLabels = append(v.DimLabels, dimensionLabels[d])
	}
	// Chart: one series per dimension combination, largest total first.
	periodSet := map[string]bool{}
	series := map[string][]SeriesPoint{}
	totals := map[string]float64{}
	partial := ""
	for _, r := range res.Rows {
		p := periodLabel(t.Grain, r.Period)
		if r.InProgress {
			if t.Grain == "day" {
				p += "（当日未完）"
			} else {
				p += "（至" + r.Through.Format("01-02") + "）"
			}
			partial = p
		}
		periodSet[p] = true
		labels := make([]string, len(r.Dims))
		for i, d := range r.Dims {
			labels[i] = d.Label
		}
		name := seriesName(labels)
		series[name] = append(series[name], SeriesPoint{Period: p, Value: r.Value})
		if r.Value != nil {
			totals[name] += *r.Value
		}
		tr := trendTableRow{Period: p, Dims: labels, Value: formatValue(t.Metric, r.Value, r.Suppressed),
			Base: formatValue(t.Metric, r.Base, false), Change: "—"}
		if r.Change != nil {
			tr.Change = pctString(*r.Change)
		} else if t.notComparedYet(&r) {
			tr.Change = "本期未完"
		}
		if t.Compare == "" {
			tr.Base, tr.Change = "", ""
		}
		v.TotalRows++
		if len(v.Rows) < tableCap {
			v.Rows = append(v.Rows, tr)
		}
	}
	v.TableCap = tableCap
	if partial != "" {
		v.PartialNote = "末期未完，数据至 " + t.through().Format("2006-01-02") + "。"
		if current, ok := t.inProgress(); ok && t.likeForLike() {
			bf, bt := t.sameDays(current)
			v.PartialNote += fmt.Sprintf("%s按同期天数比较：%s 至 %s 对比 %s 至 %s。", v.CompareLabel,
				current.Format("2006-01-02"), t.through().Format("2006-01-02"), bf.Format("2006-01-02"), bt.Format("2006-01-02"))
		} else if t.Compare != "" && !t.Metric.rate() {
			v.PartialNote += "本期结束后再作" + v.CompareLabel + "。"
		}
	}
	var periods []string
	for p := range periodSet {
		periods = append(periods, p)
	}
	sort.Strings(periods)
	order := make([]string, 0, len(series))
	for n := range series {
		order = append(order, n)
	}
	sort.Slice(order, func(i, j int) bool {
		if totals[order[i]] != totals[order[j]] {
			return totals[order[i]] > totals[order[j]]
		}
		return order[i] < order[j]
	})
	title := t.Metric.Label + " · 按" + grainLabels[t.Grain]
	c := TrendChart(title, t.Metric.Unit, periods, series, order, t.Metric.Percent, partial)
	v.Chart = &c
	if u.Can().Export {
		for _, f := range []string{"csv", "xlsx", "json", "parquet", "arrow"} {
			v.Exports = append(v.Exports, choice{Value: base.L.Export(t.Values(), f), Label: formatLabels[f]})
		}
	}
	return v, nil
}

var formatLabels = map[string]string{"csv": "CSV（Excel）", "xlsx": "Excel 工作簿", "json": "JSON", "parquet": "Parquet", "arrow": "Arrow IPC"}

func periodLabel(grain string, p time.Time) string {
	switch grain {
	case "month":
		return p.Format("2006-01")
	case "year":
		return p.Format("2006")
	}
	return p.Format(time.DateOnly)
}

func formatValue(m *metric, v *float64, suppressed bool) string {
	if suppressed {
		return "<5"
	}
	if v == nil {
		return "—"
	}
	if m.Percent {
		return pctString(*v)
	}
	return fmtNumber(v)
}

func pctString(x float64) string {
	return fmt.Sprintf("%.1f%%", 100*x)
}
