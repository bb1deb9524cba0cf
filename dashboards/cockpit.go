package dashboards

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/warehouse"
)

// kpi is one card: this month, and the change against last month and the
// same month a year earlier.
type kpi struct {
	Label, Value, Unit string
	MoM, YoY           string
	MoMUp, YoYUp       bool // the change is a rise (shown red for counts, green for rates)
	Good               bool // a rise is good (rates)
}

// alertRow is an alert in a list.
type alertRow struct {
	ID, Severity, Status, Title, Summary, Region, RegionName, Category, Rule, AssignedTo string
	CaseID                                                                               string
	FirstSeen, LastSeen                                                                  time.Time
	Inhibited                                                                            bool
}

type cockpitView struct {
	pageBase
	Month, MonthLabel, DataDay string
	DayInProgress              bool // the data day is today, not over
	County, CountyName         string
	KPIs                       []kpi
	Heatmap, Map, ThreeVisits  *Chart
	TopAlerts                  []alertRow
	NoData                     bool
}

func (s *Server) cockpit(rp *reply, r *http.Request, ss *session) error {
	v, err := s.cockpitView(r.Context(), ss.user, r.URL.Query().Get("county"), r.URL.Query().Get("month"), s.base(ss, "领导驾驶舱"))
	if err != nil {
		return err
	}
	s.render(rp, "cockpit", v)
	return nil
}

// latestDay is the last day the indicators cover.
func (s *Server) latestDay(ctx context.Context) (time.Time, error) {
	return cached(s, "latest", func() (time.Time, error) { return s.readLatestDay(ctx) })
}

func (s *Server) readLatestDay(ctx context.Context) (time.Time, error) {
	var d time.Time
	// The transforms stop at today in the city (transform.Transform's
	// UpToToday): the latest day is today's, also in the hours the
	// engine's own clock (UTC here) still reads yesterday. (They filled
	// whole months before, and this read only days up to the engine's
	// today.)
	err := s.db.QueryRow(ctx, "SELECT max(day) FROM "+s.db.Table("risk_daily")).Scan(&d)
	return d, err
}

// kpiMonth is the month the KPI cards show unless asked: the last complete
// one. The data's month is complete once its last day is in and over: on
// the 30th of November, while that day is today, the cards show October.
func kpiMonth(latest, today time.Time) time.Time {
	m := startOf("month", latest)
	if latest.AddDate(0, 0, 1).Month() == latest.Month() || !latest.Before(today) {
		m = m.AddDate(0, -1, 0)
	}
	return m
}

func (s *Server) cockpitView(ctx context.Context, u *User, county, month string, base pageBase) (*cockpitView, error) {
	v := &cockpitView{pageBase: base}
	scope := u.Region
	if county != "" {
		if len(county) != 6 || !regionCode.MatchString(county) {
			return nil, badf("county=%q: give a 6-digit county code", county)
		}
		if len(scope) >= 6 && scope[:6] != county || len(scope) < 6 && scope != "" && scope != county {
			return nil, errForbidden
		}
		v.County, v.CountyName = county, s.ref.regionName(county)
	}
	latest, err := s.latestDay(ctx)
	if err != nil {
		return nil, err
	}
	if latest.Year() < 2000 {
		v.NoData = true
		return v, nil
	}
	v.DataDay = latest.Format(time.DateOnly)
	today := warehouse.CityDay(time.Now())
	v.DayInProgress = latest.Equal(today)
	m := kpiMonth(latest, today)
	if month != "" {
		t, err := time.Parse("2006-01", month)
		if err != nil {
			return nil, badf("month=%q: give YYYY-MM", month)
		}
		m = t
	}
	v.Month, v.MonthLabel = m.Format("2006-01"), fmt.Sprintf("%d年%d月", m.Year(), m.Month())
	// A drill-down narrows the cards, the 三访 trend and the alerts to the county.
	if county != "" && len(scope) < len(county) {
		scope = county
	}
	scoped := *u
	scoped.Region = scope
	if v.KPIs, err = cached(s, fmt.Sprintf("kpi|%s|%s", scope, v.Month), func() ([]kpi, error) { return s.kpis(ctx, scope, m) }); err != nil {
		return nil, err
	}
	charts, err := cached(s, fmt.Sprintf("risk|%s|%v|%s|%s|%v", u.Region, u.Can().CaseAccess, county, v.DataDay, base.L.Static),
		func() ([2]*Chart, error) {
			h, mp, err := s.riskCharts(ctx, u, county, latest, base.L)
			if h != nil {
				h = h.frozen()
			}
			if mp != nil {
				mp = mp.frozen()
			}
			return [2]*Chart{h, mp}, err
		})
	if err != nil {
		return nil, err
	}
	v.Heatmap, v.Map = charts[0], charts[1]
	if v.ThreeVisits, err = cached(s, fmt.Sprintf("three|%s|%s", scope, v.Month), func() (*Chart, error) { return s.threeVisits(ctx, scope, m) }); err != nil {
		return nil, err
	}
	top, err := s.listAlerts(ctx, &scoped, alertFilter{Open: true, Uninhibited: true, Page: 1}, 10)
	v.TopAlerts = top.Rows
	return v, err
}

// kpis reads the cards from repeat_monthly, three_visits_monthly and unit_monthly.
func (s *Server) kpis(ctx context.Context, scope string, m time.Time) ([]kpi, error) {
	months := []time.Time{m, m.AddDate(0, -1, 0), m.AddDate(-1, 0, 0)}
	level := "county"
	if len(scope) == 9 {
		level = "township"
	}
	args := []any{clickhouse.Named("scope", scope), clickhouse.Named("level", level),
		clickhouse.Named("m0", months[0].Format(time.DateOnly)), clickhouse.Named("m1", months[1].Format(time.DateOnly)),
		clickhouse.Named("m2", months[2].Format(time.DateOnly))}
	type vals [3]*float64
	var petitions, people, collective, three, onTime, satisfied vals
	idx := func(t time.Time) int {
		for i, x := range months {
			if x.Equal(t) {
				return i
			}
		}
		return -1
	}
	set := func(dst *vals, i int, x float64) {
		if i >= 0 {
			dst[i] = &x
		}
	}
	rows, err := s.db.Query(ctx, `SELECT month, toFloat64(sum(petitions)), toFloat64(sum(people)), toFloat64(sum(collective))
		FROM `+s.db.Table("repeat_monthly")+` WHERE region_level = {level:String} AND startsWith(region, {scope:String})
		AND month IN ({m0:Date}, {m1:Date}, {m2:Date}) GROUP BY month`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var month time.Time
		var a, b, c float64
		if err := rows.Scan(&month, &a, &b, &c); err != nil {
			rows.Close()
			return nil, err
		}
		i := idx(month)
		set(&petitions, i, a)
		set(&people, i, b)
		set(&collective, i, c)
	}
	rows.Close()
	// Months with no petitions at all are zeros, not gaps.
	for i := range months {
		if petitions[i] == nil {
			set(&petitions, i, 0)
			set(&people, i, 0)
			set(&collective, i, 0)
		}
	}
	if len(scope) < 9 {
		rows, err = s.db.Query(ctx, `SELECT month, toFloat64(sum(n)) FROM `+s.db.Table("three_visits_monthly")+`
			WHERE startsWith(county_code, {scope:String}) AND month IN ({m0:Date}, {m1:Date}, {m2:Date}) GROUP BY month`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var month time.Time
			var n float64
			if err := rows.Scan(&month, &n); err != nil {
				rows.Close()
				return nil, err
			}
			set(&three, idx(month), n)
		}
		rows.Close()
		for i := range months {
			if three[i] == nil {
				set(&three, i, 0)
			}
		}
	}
	rows, err = s.db.Query(ctx, `SELECT month, sum(concluded_on_time) / nullIf(sum(conclude_due), 0),
			(sum(satisfied) + sum(basic)) / nullIf(sum(evaluated), 0)
		FROM `+s.db.Table("unit_monthly")+` WHERE month IN ({m0:Date}, {m1:Date}, {m2:Date})
		AND unit IN (SELECT code FROM `+s.db.Table("units")+` WHERE startsWith(region, {scope:String})) GROUP BY month`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var month time.Time
		var a, b *float64
		if err := rows.Scan(&month, &a, &b); err != nil {
			rows.Close()
			return nil, err
		}
		if i := idx(month); i >= 0 {
			onTime[i], satisfied[i] = a, b
		}
	}
	rows.Close()
	count := func(label, unit string, x vals) kpi {
		k := kpi{Label: label, Unit: unit, Value: fmtNumber(x[0])}
		k.MoM, k.MoMUp = change(x[0], x[1], false)
		k.YoY, k.YoYUp = change(x[0], x[2], false)
		return k
	}
	rate := func(label string, x vals) kpi {
		k := kpi{Label: label, Unit: "", Value: fmtPct(x[0]), Good: true}
		k.MoM, k.MoMUp = change(x[0], x[1], true)
		k.YoY, k.YoYUp = change(x[0], x[2], true)
		return k
	}
	out := []kpi{count("信访件数", "件", petitions), count("信访人次", "人次", people), count("集体访", "件", collective)}
	if len(scope) < 9 {
		out = append(out, count("三访", "件", three))
	}
	return append(out, rate("按期办结率", onTime), rate("满意率", satisfied)), nil
}

// change formats a comparison: a relative change for counts, a difference
// in percentage points for rates.
func change(now, then *float64, points bool) (string, bool) {
	if now == nil || then == nil || math.IsNaN(*now) || math.IsNaN(*then) {
		return "—", false
	}
	if points {
		d := 100 * (*now - *then)
		return fmt.Sprintf("%+.1f个百分点", d), d > 0
	}
	if *then == 0 {
		if *now == 0 {
			return "持平", false
		}
		return "新增", true
	}
	d := (*now - *then) / *then
	return fmt.Sprintf("%+.1f%%", 100*d), d > 0
}

// riskCharts builds the heatmap (counties, or a county's townships) and the
// city map from risk_daily on the latest day.
func (s *Server) riskCharts(ctx context.Context, u *User, county string, day time.Time, l Links) (*Chart, *Chart, error) {
	scope := u.Region
	level, parent := "county", ""
	if county != "" || len(scope) == 9 {
		level, parent = "township", county
		if parent == "" {
			parent = scope[:6]
		}
	}
	rows, err := s.db.Query(ctx, `SELECT region, category, risk, volume_pts, growth_pts, alarm_pts, severity_pts, petitions_28d, last7,
			collective_30d, three_visits_30d, repeats_30d, alarm_days_7d
		FROM `+s.db.Table("risk_daily")+` WHERE day = {day:Date} AND region_level = {level:String}
		AND startsWith(region, {scope:String}) AND startsWith(region, {parent:String})`,
		clickhouse.Named("day", day.Format(time.DateOnly)), clickhouse.Named("level", level),
		clickhouse.Named("scope", scope), clickhouse.Named("parent", parent))
	if err != nil {
		return nil, nil, err
	}
	var cells []RiskCell
	for rows.Next() {
		var c RiskCell
		if err := rows.Scan(&c.Region, &c.Category, &c.Risk, &c.Volume, &c.Growth, &c.Alarm, &c.Severity, &c.Petitions28, &c.Last7,
			&c.Collective30, &c.ThreeVisits30, &c.Repeats30, &c.AlarmDays7); err != nil {
			rows.Close()
			return nil, nil, err
		}
		cells = append(cells, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	var regions []Region
	for _, r := range s.ref.children(level, parent) {
		if strings.HasPrefix(r.Code, scope) {
			regions = append(regions, r)
		}
	}
	counted := plainCount
	if level == "township" && !u.Can().CaseAccess {
		counted = suppressedCount
	}
	links := map[string]string{}
	title := fmt.Sprintf("风险热力图 · 县区 × 问题类别（%s）", day.Format(time.DateOnly))
	if level == "county" {
		for _, r := range regions {
			links[r.Code] = l.Cockpit(r.Code)
		}
	} else {
		title = fmt.Sprintf("风险热力图 · %s 乡镇街道 × 问题类别（%s）", s.ref.regionName(parent), day.Format(time.DateOnly))
	}
	heat := HeatmapChart(title, regions, cells, links, counted)
	if level != "county" {
		return &heat, nil, nil
	}
	mp := MapChart("全市风险分布（点击县区下钻）", s.cfg.MapName, regions, cells, links)
	return &heat, &mp, nil
}

// threeVisits is the 三访 chart: 24 months to m's month, and a year earlier.
func (s *Server) threeVisits(ctx context.Context, scope string, m time.Time) (*Chart, error) {
	if len(scope) == 9 {
		return nil, nil // kept per county: nothing at a township's level
	}
	end := m
	start := end.AddDate(0, -23, 0)
	rows, err := s.db.Query(ctx, `SELECT month, type, toUInt32(sum(n)) FROM `+s.db.Table("three_visits_monthly")+`
		WHERE startsWith(county_code, {scope:String}) AND month >= {from:Date} AND month <= {to:Date} GROUP BY month, type ORDER BY month, type`,
		clickhouse.Named("scope", scope), clickhouse.Named("from", start.AddDate(-1, 0, 0).Format(time.DateOnly)),
		clickhouse.Named("to", end.Format(time.DateOnly)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var months []string
	for t := start; !t.After(end); t = t.AddDate(0, 1, 0) {
		months = append(months, t.Format("2006-01"))
	}
	var counts, lastYear []MonthCount
	for rows.Next() {
		var month time.Time
		var typ string
		var n uint32
		if err := rows.Scan(&month, &typ, &n); err != nil {
			return nil, err
		}
		if !month.Before(start) {
			counts = append(counts, MonthCount{Month: month.Format("2006-01"), Series: typ, N: n})
		}
		if next := month.AddDate(1, 0, 0); !next.Before(start) && !next.After(end) {
			lastYear = append(lastYear, MonthCount{Month: next.Format("2006-01"), Series: typ, N: n})
		}
	}
	return ThreeVisitsChart(months, counts, lastYear).frozen(), rows.Err()
}
