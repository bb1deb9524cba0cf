package dashboards

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/refdata"
	"xfwatch/warehouse"
)

// RowCap is the most rows a trend query returns; a bigger result is refused
// with a message to narrow it (never silently cut).
const RowCap = 100_000

// metric is one whitelisted trend metric over a pre-aggregated indicator
// table. Num and Den are fixed SQL aggregates; a count has no Den.
type metric struct {
	Name, Label, Unit string
	Table, Time       string
	Monthly           bool   // the table has months, not days
	Num, Den          string // aggregates
	Where             string // fixed condition
	Region            string // region column, for scope and filters ("" when scoped by unit)
	Levelled          bool   // rows at county and township level (region_level)
	Dims              map[string]string
	Percent           bool
	// Days, for a metric kept by month, is its rows by day: a FROM source
	// (table names through table) with a Date column `day` and the columns
	// Num, Den, Region and Dims name, for the days {from:Date} to
	// {to:Date}. A period in progress is compared with as many days of its
	// comparison period from it (12月1–8日 against 11月1–8日); without it, a
	// monthly count waits until its month ends.
	Days func(table func(string) string) string
}

// byDay is the rows of a monthly table for the days {from:Date} (a
// month's first) to {to:Date}: its whole months' rows as they stand, and
// the days of a month {to:Date} ends part-way through from the
// per-petition rows it is summed from (a year so far then reads at most a
// month of them: at 10M petitions 0.35–0.53 s for the year from
// petition_flags alone).
func byDay(months, days string) string {
	return "(SELECT * FROM (" + months + ") WHERE day >= {from:Date} AND day < toStartOfMonth({to:Date} + 1)" +
		" UNION ALL SELECT * FROM (" + days + ") WHERE day >= greatest({from:Date}, toStartOfMonth({to:Date})) AND day <= {to:Date}" +
		" AND toStartOfMonth({to:Date} + 1) = toStartOfMonth({to:Date}))"
}

// repeatDays is repeat_monthly by day: petition_flags at the city, county
// and township levels of its origin, as repeat_monthly sums it.
func repeatDays(table func(string) string) string {
	return byDay("SELECT month AS day, region, region_level, petitions, repeats, collective FROM "+table("repeat_monthly"),
		"SELECT toDate(received_at) AS day, r.2 AS region, r.1 AS region_level, toUInt32(1) AS petitions, "+
			"toUInt32(is_repeat) AS repeats, toUInt32(is_collective) AS collective FROM "+table("petition_flags")+
			" ARRAY JOIN [('city', (SELECT any(parent) FROM "+table("regions")+" WHERE level = 'county')), "+
			"('county', toString(county_code)), ('township', toString(township_code))] AS r WHERE r.2 != ''")
}

// threeVisitDays is three_visits_monthly by day: petition_flags' 三访 type,
// the rule three_visits_monthly counts by.
func threeVisitDays(table func(string) string) string {
	return byDay("SELECT month AS day, county_code, type, n FROM "+table("three_visits_monthly"),
		"SELECT toDate(received_at) AS day, county_code, three_visit_type AS type, toUInt32(1) AS n FROM "+
			table("petition_flags")+" WHERE three_visit_type != ''")
}

func (m *metric) rate() bool { return m.Den != "" }

var regionCategory = map[string]string{"region": "region", "category": "category"}

// metrics is the whitelist: every trend query names one of these.
var metrics = []*metric{
	{Name: "petitions", Label: "信访件数", Unit: "件", Table: "hotspot_daily", Time: "day", Num: "sum(n)",
		Where: "source = 'petitions'", Region: "region", Levelled: true, Dims: regionCategory},
	{Name: "people", Label: "信访人次", Unit: "人次", Table: "hotspot_daily", Time: "day", Num: "sum(n)",
		Where: "source = 'people'", Region: "region", Levelled: true, Dims: regionCategory},
	{Name: "hotline_orders", Label: "12345工单数", Unit: "件", Table: "hotspot_daily", Time: "day", Num: "sum(n)",
		Where: "source = 'hotline'", Region: "region", Levelled: true, Dims: regionCategory},
	{Name: "repeats", Label: "重复访件数", Unit: "件", Table: "repeat_monthly", Time: "month", Monthly: true, Num: "sum(repeats)",
		Region: "region", Levelled: true, Dims: map[string]string{"region": "region"}, Days: repeatDays},
	{Name: "repeat_rate", Label: "重复访率", Unit: "%", Table: "repeat_monthly", Time: "month", Monthly: true,
		Num: "sum(repeats)", Den: "sum(petitions)", Region: "region", Levelled: true, Dims: map[string]string{"region": "region"}, Percent: true,
		Days: repeatDays},
	{Name: "collective", Label: "集体访件数", Unit: "件", Table: "repeat_monthly", Time: "month", Monthly: true, Num: "sum(collective)",
		Region: "region", Levelled: true, Dims: map[string]string{"region": "region"}, Days: repeatDays},
	{Name: "three_visits", Label: "三访件数", Unit: "件", Table: "three_visits_monthly", Time: "month", Monthly: true, Num: "sum(n)",
		Region: "county_code", Dims: map[string]string{"region": "county_code", "three_visit_type": "type"}, Days: threeVisitDays},
	{Name: "accept_on_time_rate", Label: "按期受理率", Unit: "%", Table: "unit_monthly", Time: "month", Monthly: true,
		Num: "sum(accepted_on_time)", Den: "sum(accept_due)", Dims: map[string]string{"unit": "unit"}, Percent: true},
	{Name: "conclude_on_time_rate", Label: "按期办结率", Unit: "%", Table: "unit_monthly", Time: "month", Monthly: true,
		Num: "sum(concluded_on_time)", Den: "sum(conclude_due)", Dims: map[string]string{"unit": "unit"}, Percent: true},
	{Name: "satisfaction_rate", Label: "信访满意率", Unit: "%", Table: "unit_monthly", Time: "month", Monthly: true,
		Num: "sum(satisfied) + sum(basic)", Den: "sum(evaluated)", Dims: map[string]string{"unit": "unit"}, Percent: true},
	{Name: "review_rate", Label: "复查率", Unit: "%", Table: "unit_monthly", Time: "month", Monthly: true,
		Num: "sum(review_requested)", Den: "sum(concluded)", Dims: map[string]string{"unit": "unit"}, Percent: true},
	{Name: "hotline_response_rate", Label: "12345响应率", Unit: "%", Table: "unit_monthly", Time: "month", Monthly: true,
		Num: "sum(hotline_contacted_24h)", Den: "sum(hotline_orders)", Dims: map[string]string{"unit": "unit"}, Percent: true},
	{Name: "hotline_satisfaction_rate", Label: "12345满意率", Unit: "%", Table: "unit_monthly", Time: "month", Monthly: true,
		Num: "sum(hotline_satisfaction_rate * hotline_evaluated)", Den: "sum(hotline_evaluated)", Dims: map[string]string{"unit": "unit"}, Percent: true},
}

func metricByName(name string) *metric {
	for _, m := range metrics {
		if m.Name == name {
			return m
		}
	}
	return nil
}

var dimensionLabels = map[string]string{"region": "地区", "category": "问题类别", "three_visit_type": "三访类型", "unit": "责任单位"}
var dimensionOrder = []string{"region", "category", "three_visit_type", "unit"}

var grains = map[string]string{"day": "toDate(%s)", "week": "toMonday(%s)", "month": "toStartOfMonth(%s)", "year": "toStartOfYear(%s)"}
var grainLabels = map[string]string{"day": "日", "week": "周", "month": "月", "year": "年"}
var compareLabels = map[string]string{"": "无", "mom": "环比", "yoy": "同比"}

// TrendQuery is a parsed, validated trend query.
type TrendQuery struct {
	Metric     *metric
	Dims       []string
	Grain      string
	Compare    string // "", "mom" or "yoy"
	From, To   time.Time
	Region     string // filter: a county or township code
	Level      string // county or township, for levelled metrics
	Categories []string
	Types      []string
	Units      []string
	// Through is the last day the data cover: To, or the last day with
	// indicators when that is earlier (ParseTrendQuery). A period that
	// ends after it is still in progress.
	Through time.Time
	// Today is the current day in the city when the query was read: a
	// period whose data end today is in progress too, the day not being
	// over (zero: not known).
	Today time.Time
}

// through is Through, or To when it is not set or later.
func (t TrendQuery) through() time.Time {
	if t.Through.IsZero() || t.To.Before(t.Through) {
		return t.To
	}
	return t.Through
}

// badParam is a query parameter error: the parameter and the fix.
type badParam struct{ msg string }

func (e badParam) Error() string { return e.msg }

func badf(format string, args ...any) error { return badParam{fmt.Sprintf(format, args...)} }

// ParseTrendQuery reads a trend query from URL parameters: metric, dims
// (comma separated), grain, compare, from, to (YYYY-MM-DD), region, level,
// category, three_visit_type, unit. latest is the last day with
// indicators, the default end.
func ParseTrendQuery(q url.Values, latest time.Time) (TrendQuery, error) {
	var t TrendQuery
	name := q.Get("metric")
	if name == "" {
		name = "petitions"
	}
	if t.Metric = metricByName(name); t.Metric == nil {
		var names []string
		for _, m := range metrics {
			names = append(names, m.Name)
		}
		return t, badf("metric=%q is not a metric; use one of %s", name, strings.Join(names, ", "))
	}
	for _, d := range splitList(strings.Join(q["dims"], ",")) {
		if _, ok := t.Metric.Dims[d]; !ok {
			return t, badf("dims=%q: metric %s can be broken down by %s only", d, t.Metric.Name, strings.Join(sortedKeys(t.Metric.Dims), ", "))
		}
		if !slices.Contains(t.Dims, d) {
			t.Dims = append(t.Dims, d)
		}
	}
	t.Grain = q.Get("grain")
	if t.Grain == "" {
		t.Grain = "month"
	}
	if _, ok := grains[t.Grain]; !ok {
		return t, badf("grain=%q: use day, week, month or year", t.Grain)
	}
	if t.Metric.Monthly && (t.Grain == "day" || t.Grain == "week") {
		return t, badf("grain=%s: metric %s is monthly; use month or year", t.Grain, t.Metric.Name)
	}
	switch t.Compare = q.Get("compare"); t.Compare {
	case "", "none":
		t.Compare = ""
	case "mom", "yoy":
	default:
		return t, badf("compare=%q: use mom (环比), yoy (同比) or leave it out", t.Compare)
	}
	var err error
	t.To = latest
	if s := q.Get("to"); s != "" {
		if t.To, err = time.Parse(time.DateOnly, s); err != nil {
			return t, badf("to=%q: give a day as YYYY-MM-DD", s)
		}
	}
	t.From = startOf(t.Grain, t.To.AddDate(-1, 0, 1))
	if s := q.Get("from"); s != "" {
		if t.From, err = time.Parse(time.DateOnly, s); err != nil {
			return t, badf("from=%q: give a day as YYYY-MM-DD", s)
		}
	}
	t.From = startOf(t.Grain, t.From)
	t.Today = warehouse.CityDay(time.Now())
	t.Through = t.To
	if !latest.IsZero() && latest.Before(t.To) {
		t.Through = latest
	}
	if t.To.Before(t.From) {
		return t, badf("from=%s is after to=%s", t.From.Format(time.DateOnly), t.To.Format(time.DateOnly))
	}
	if t.To.Sub(t.From) > 20*366*24*time.Hour {
		return t, badf("from=%s: at most 20 years in one query", t.From.Format(time.DateOnly))
	}
	t.Region = q.Get("region")
	if t.Region != "" && !regionCode.MatchString(t.Region) {
		return t, badf("region=%q: give a 6-digit county or 9-digit township code", t.Region)
	}
	if t.Region != "" && t.Metric.Region == "" {
		return t, badf("region: metric %s is per unit; filter by unit instead", t.Metric.Name)
	}
	t.Level = q.Get("level")
	switch {
	case t.Level == "" && len(t.Region) == 9:
		t.Level = "township"
	case t.Level == "":
		t.Level = "county"
	case t.Level != "county" && t.Level != "township":
		return t, badf("level=%q: use county or township", t.Level)
	}
	if t.Level == "township" && !t.Metric.Levelled {
		return t, badf("level=township: metric %s is kept per county only", t.Metric.Name)
	}
	for _, c := range splitList(q.Get("category")) {
		if refdata.CategoryLabel(c) == c {
			return t, badf("category=%q is not a category; use e.g. land_acquisition, demolition, social_security", c)
		}
		t.Categories = append(t.Categories, c)
	}
	if len(t.Categories) > 0 && t.Metric.Dims["category"] == "" {
		return t, badf("category: metric %s has no categories", t.Metric.Name)
	}
	for _, c := range splitList(q.Get("three_visit_type")) {
		if refdata.ThreeVisitLabel[c] == "" {
			return t, badf("three_visit_type=%q: use beijing_abnormal, province_collective or city_collective", c)
		}
		t.Types = append(t.Types, c)
	}
	if len(t.Types) > 0 && t.Metric.Dims["three_visit_type"] == "" {
		return t, badf("three_visit_type: only the three_visits metric has types")
	}
	for _, u := range splitList(q.Get("unit")) {
		if len(u) > 64 {
			return t, badf("unit=%q: a unit code is at most 64 characters", u)
		}
		t.Units = append(t.Units, u)
	}
	if len(t.Units) > 0 && t.Metric.Dims["unit"] == "" {
		return t, badf("unit: metric %s is not kept per unit", t.Metric.Name)
	}
	return t, nil
}

// Values is the query as URL parameters (for links and exports).
func (t TrendQuery) Values() url.Values {
	v := url.Values{}
	v.Set("metric", t.Metric.Name)
	if len(t.Dims) > 0 {
		v.Set("dims", strings.Join(t.Dims, ","))
	}
	v.Set("grain", t.Grain)
	if t.Compare != "" {
		v.Set("compare", t.Compare)
	}
	v.Set("from", t.From.Format(time.DateOnly))
	v.Set("to", t.To.Format(time.DateOnly))
	if t.Region != "" {
		v.Set("region", t.Region)
	}
	if t.Metric.Levelled {
		v.Set("level", t.Level)
	}
	if len(t.Categories) > 0 {
		v.Set("category", strings.Join(t.Categories, ","))
	}
	if len(t.Types) > 0 {
		v.Set("three_visit_type", strings.Join(t.Types, ","))
	}
	if len(t.Units) > 0 {
		v.Set("unit", strings.Join(t.Units, ","))
	}
	return v
}

func startOf(grain string, d time.Time) time.Time {
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	switch grain {
	case "week":
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	case "month":
		return d.AddDate(0, 0, 1-d.Day())
	case "year":
		return time.Date(d.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return d
}

// periodEnd is the first day after the period that begins on p.
func periodEnd(grain string, p time.Time) time.Time {
	switch grain {
	case "week":
		return p.AddDate(0, 0, 7)
	case "month":
		return p.AddDate(0, 1, 0)
	case "year":
		return p.AddDate(1, 0, 0)
	}
	return p.AddDate(0, 0, 1)
}

// inProgress is the period the query's data end in, and whether it is
// still in progress then (and within the query).
func (t TrendQuery) inProgress() (time.Time, bool) {
	through := t.through()
	current := startOf(t.Grain, through)
	return current, t.ends(current, through) && !current.Before(t.From)
}

// ends says whether the period beginning p, its data ending on through, is
// still in progress: it ends after through, or through is today.
func (t TrendQuery) ends(p, through time.Time) bool {
	return periodEnd(t.Grain, p).After(through.AddDate(0, 0, 1)) || !t.Today.IsZero() && through.Equal(t.Today)
}

// sameDays is the span of current's comparison period that current, in
// progress, is compared with: as many days from its start, within it.
func (t TrendQuery) sameDays(current time.Time) (from, to time.Time) {
	from = basePeriod(t.Grain, t.Compare, current)
	days := int(t.through().Sub(current).Hours() / 24)
	return from, minTime(from.AddDate(0, 0, days), periodEnd(t.Grain, from).AddDate(0, 0, -1))
}

// byDays: a period in progress can be compared with as many days of its
// comparison period (sameDays), read by day: the metric is kept by day or
// has rows by day (Metric.Days). A day in progress, today, has no such
// part of a day to compare with.
func (t TrendQuery) byDays() bool {
	return t.Grain != "day" && (!t.Metric.Monthly || t.Metric.Days != nil)
}

// likeForLike: the query compares, and its period in progress by days.
func (t TrendQuery) likeForLike() bool { return t.Compare != "" && t.byDays() }

// notComparedYet: a count whose period is in progress with nothing like
// for like to compare it with (not byDays) is compared once its period has
// ended. A rate is compared.
func (t TrendQuery) notComparedYet(r *TrendRow) bool {
	return r.InProgress && !t.Metric.rate() && !t.byDays()
}

// basePeriod is the period a value is compared with.
func basePeriod(grain, compare string, p time.Time) time.Time {
	if compare == "yoy" {
		if grain == "week" {
			return p.AddDate(0, 0, -364)
		}
		return p.AddDate(-1, 0, 0)
	}
	switch grain {
	case "day":
		return p.AddDate(0, 0, -1)
	case "week":
		return p.AddDate(0, 0, -7)
	case "month":
		return p.AddDate(0, -1, 0)
	}
	return p.AddDate(-1, 0, 0)
}

// DimValue is a row's value of one dimension.
type DimValue struct{ Code, Label string }

// TrendRow is one period × dimension combination.
type TrendRow struct {
	Period  time.Time
	Through time.Time // the period's last day with data: before its end while the period is in progress
	Dims    []DimValue
	Value   *float64
	// Base is the comparison period's value. For a period in progress it
	// covers as many days of the comparison period (12月1–8日 against
	// 11月1–8日); today's count at the grain of a day is not compared
	// (Change nil) until the day has ended.
	Base       *float64
	Change     *float64 // (value - base) / base
	Suppressed bool     // a small count below county level, shown as "<5"
	// InProgress: the period is not over; its data end before it does, or today.
	InProgress bool
	num, den   float64
}

// TrendResult is a query's answer.
type TrendResult struct {
	Query TrendQuery
	Rows  []TrendRow
}

// Trends runs a trend query for a viewer. Every value reaches SQL as a
// query parameter; identifiers come from the whitelist only.
func (s *Server) Trends(ctx context.Context, v *User, t TrendQuery) (*TrendResult, error) {
	key := fmt.Sprintf("trend|%s|%v|%s", v.Region, v.Can().CaseAccess, t.Values().Encode())
	return cached(s, key, func() (*TrendResult, error) { return s.readTrends(ctx, v, t) })
}

func (s *Server) readTrends(ctx context.Context, v *User, t TrendQuery) (*TrendResult, error) {
	m := t.Metric
	scope := v.Region
	level := t.Level
	if len(scope) == 9 && m.Levelled {
		level = "township" // a township user has no county rows
	}
	fetchFrom := t.From
	if t.Compare != "" {
		fetchFrom = basePeriod(t.Grain, t.Compare, t.From)
	}
	col := func(c string) string { return "`" + c + "`" }
	var dims []string
	group := []string{"period"}
	for i, d := range t.Dims {
		dims = append(dims, fmt.Sprintf("toString(%s) AS d%d", col(m.Dims[d]), i))
		group = append(group, fmt.Sprintf("d%d", i))
	}
	den := "0"
	if m.rate() {
		den = m.Den
	}
	var where []string
	args := []any{clickhouse.Named("scope", scope), clickhouse.Named("region", t.Region)}
	if m.Where != "" {
		where = append(where, m.Where)
	}
	if m.Levelled {
		where = append(where, "region_level = {level:String}")
		args = append(args, clickhouse.Named("level", level))
	}
	if m.Region != "" {
		where = append(where, "startsWith("+col(m.Region)+", {scope:String})", "startsWith("+col(m.Region)+", {region:String})")
	} else {
		where = append(where, "unit IN (SELECT code FROM "+s.db.Table("units")+" WHERE startsWith(region, {scope:String}))")
	}
	if len(t.Categories) > 0 {
		where = append(where, "category IN {categories:Array(String)}")
		args = append(args, clickhouse.Named("categories", warehouse.ArrayParam(t.Categories)))
	}
	if len(t.Types) > 0 {
		where = append(where, "type IN {types:Array(String)}")
		args = append(args, clickhouse.Named("types", warehouse.ArrayParam(t.Types)))
	}
	if len(t.Units) > 0 {
		where = append(where, "unit IN {units:Array(String)}")
		args = append(args, clickhouse.Named("units", warehouse.ArrayParam(t.Units)))
	}
	// queryOn is the trend query on a source and its time column: the
	// metric's table, or its rows by day (Metric.Days).
	queryOn := func(source, timeCol string) string {
		sel := append([]string{fmt.Sprintf(grains[t.Grain], col(timeCol)) + " AS period"}, dims...)
		sel = append(sel, "toFloat64("+m.Num+") AS num", "toFloat64("+den+") AS den")
		w := append([]string{col(timeCol) + " >= {from:Date}", col(timeCol) + " <= {to:Date}"}, where...)
		return "SELECT " + strings.Join(sel, ", ") + " FROM " + source + " WHERE " + strings.Join(w, " AND ") +
			" GROUP BY " + strings.Join(group, ", ") + " ORDER BY " + strings.Join(group, ", ") + fmt.Sprintf(" LIMIT %d", 2*RowCap+1)
	}
	query := queryOn(s.db.Table(m.Table), m.Time)
	through := t.through()
	// fetch reads the rows of query for the periods from from to to
	// (days, inclusive).
	fetch := func(query string, from, to time.Time) ([]*TrendRow, error) {
		rows, err := s.db.Query(ctx, query, append([]any{clickhouse.Named("from", from.Format(time.DateOnly)),
			clickhouse.Named("to", to.Format(time.DateOnly))}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("trend query: %w", err)
		}
		defer rows.Close()
		var out []*TrendRow
		for rows.Next() {
			if len(out) >= 2*RowCap {
				return nil, badf("the query returns more than %d rows; shorten from/to, use a coarser grain or fewer dimensions", RowCap)
			}
			var period time.Time
			dims := make([]string, len(t.Dims))
			var num, den float64
			dest := []any{&period}
			for i := range dims {
				dest = append(dest, &dims[i])
			}
			dest = append(dest, &num, &den)
			if err := rows.Scan(dest...); err != nil {
				return nil, err
			}
			r := &TrendRow{Period: period, Through: minTime(periodEnd(t.Grain, period).AddDate(0, 0, -1), through), num: num, den: den}
			r.InProgress = t.ends(period, r.Through)
			for i, d := range t.Dims {
				r.Dims = append(r.Dims, DimValue{Code: dims[i], Label: s.ref.label(d, dims[i])})
			}
			if m.rate() {
				if den > 0 {
					x := num / den
					r.Value = &x
				}
			} else {
				x := num
				r.Value = &x
			}
			r.Suppressed = !v.Can().CaseAccess && s.belowCounty(t, level, scope, r) && small(m, num, den)
			out = append(out, r)
		}
		return out, rows.Err()
	}
	type key struct {
		period string
		dims   string
	}
	codes := func(r *TrendRow) string {
		c := make([]string, len(r.Dims))
		for i, d := range r.Dims {
			c[i] = d.Code
		}
		return strings.Join(c, "\x00")
	}
	fetched, err := fetch(query, fetchFrom, t.To)
	if err != nil {
		return nil, err
	}
	all := map[key]*TrendRow{}
	var out []*TrendRow
	for _, r := range fetched {
		all[key{r.Period.Format(time.DateOnly), codes(r)}] = r
		if !r.Period.Before(t.From) {
			out = append(out, r)
		}
	}
	if len(out) > RowCap {
		return nil, badf("the query returns more than %d rows; shorten from/to, use a coarser grain or fewer dimensions", RowCap)
	}
	// The period in progress is compared with as many days of its
	// comparison period (likeForLike), read by day: for a metric kept by
	// day, those days' rows; for one kept by month, its rows by day
	// (Metric.Days). They replace the comparison period's whole rows for
	// it.
	current, inProgress := t.inProgress()
	var sameDays map[string]*TrendRow
	var base []*TrendRow
	if inProgress && t.likeForLike() {
		q := query
		if m.Monthly {
			q = queryOn(m.Days(s.db.Table), "day")
		}
		bp, be := t.sameDays(current)
		if base, err = fetch(q, bp, be); err != nil {
			return nil, err
		}
	}
	if base != nil {
		sameDays = map[string]*TrendRow{}
		for _, r := range base {
			sameDays[codes(r)] = r
		}
	}
	res := &TrendResult{Query: t}
	for _, r := range out {
		if t.Compare != "" {
			b := all[key{basePeriod(t.Grain, t.Compare, r.Period).Format(time.DateOnly), codes(r)}]
			if sameDays != nil && r.Period.Equal(current) {
				b = sameDays[codes(r)]
			}
			switch {
			case b == nil && !m.rate():
				zero := 0.0
				r.Base = &zero // a count with no row is a zero
			case b != nil && !b.Suppressed:
				r.Base = b.Value
			}
			comparable := !t.notComparedYet(r)
			if comparable && r.Base != nil && r.Value != nil && *r.Base != 0 && !r.Suppressed && !(b != nil && b.Suppressed) {
				c := (*r.Value - *r.Base) / *r.Base
				r.Change = &c
			}
			if b != nil && b.Suppressed {
				r.Base = nil
			}
		}
		if r.Suppressed {
			r.Value = nil
		}
		res.Rows = append(res.Rows, *r)
	}
	return res, nil
}

// small: a count 1-4, or a rate over fewer than 5.
func small(m *metric, num, den float64) bool {
	if m.rate() {
		return den > 0 && den < 5
	}
	return num > 0 && num < 5
}

// belowCounty: the row describes a township, or a township unit.
func (s *Server) belowCounty(t TrendQuery, level, scope string, r *TrendRow) bool {
	if t.Metric.Levelled && level == "township" && (slices.Contains(t.Dims, "region") || len(t.Region) == 9 || len(scope) == 9) {
		return true
	}
	for i, d := range t.Dims {
		if d == "unit" && s.ref.unitLevel(r.Dims[i].Code) == "township" {
			return true
		}
	}
	if len(t.Units) > 0 && len(t.Dims) == 0 {
		for _, u := range t.Units {
			if s.ref.unitLevel(u) == "township" {
				return true
			}
		}
	}
	return false
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
