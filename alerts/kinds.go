package alerts

import (
	"context"
	"fmt"
	"strings"
	"time"
	"xfwatch/refdata"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/warehouse"
)

// evalContext is what every rule kind's query needs.
type evalContext struct {
	db       *warehouse.DB
	asOf     time.Time // evaluation instant
	day      time.Time // its calendar day (UTC midnight)
	lookback time.Duration
	factors  *factors
	names    map[string]string // region and unit codes to names
}

func (c *evalContext) query(ctx context.Context, q string, args ...any) (interface {
	Next() bool
	Scan(...any) error
	Close() error
	Err() error
}, error) {
	return c.db.Query(ctx, strings.ReplaceAll(q, "$db.", "`"+c.db.Database+"`."), args...)
}

func (c *evalContext) name(code string) string {
	if n, ok := c.names[code]; ok {
		return n
	}
	return code
}

func dayParam(t time.Time) string { return t.Format(time.DateOnly) }

// evaluate runs one rule.
func (c *evalContext) evaluate(ctx context.Context, r Rule) ([]Candidate, error) {
	switch r.Kind {
	case "hotspot":
		return c.hotspot(ctx, r)
	case "collective", "beijing_abnormal":
		return c.petitionEvents(ctx, r)
	case "repeat":
		return c.repeat(ctx, r)
	case "hotline_risk":
		return c.hotlineRisk(ctx, r)
	case "backlog":
		return c.backlog(ctx, r)
	case "zero_report":
		return c.zeroReport(ctx, r)
	}
	return nil, fmt.Errorf("rule %s: unknown kind %s", r.Name, r.Kind)
}

// hotspot: an EARS alarm on the latest computed day (today or yesterday)
// with at least min_count petitions; orange when the cell's risk is high.
func (c *evalContext) hotspot(ctx context.Context, r Rule) ([]Candidate, error) {
	rows, err := c.query(ctx, `
WITH toDate({d:Date}) AS d,
    (SELECT max(day) FROM $db.hotspot_daily WHERE day <= d) AS last
SELECT h.day, h.region, h.region_level, h.county_code, h.category, h.n, h.c1_upper, h.c2_upper, h.c3_upper, h.risk,
    r.volume_pts, r.growth_pts, r.alarm_pts, r.severity_pts, r.petitions_28d,
    s.days, s.ns, s.c1
FROM $db.hotspot_daily AS h
LEFT JOIN (SELECT day, region, category, volume_pts, growth_pts, alarm_pts, severity_pts, petitions_28d FROM $db.risk_daily WHERE day = last) AS r
    ON r.region = h.region AND r.category = h.category
LEFT JOIN (
    SELECT region, category, groupArray(day) AS days, groupArray(n) AS ns, groupArray(c1_upper) AS c1
    FROM (SELECT region, category, day, n, c1_upper FROM $db.hotspot_daily
          WHERE source = 'petitions' AND day > last - 28 AND day <= last ORDER BY region, category, day)
    GROUP BY region, category
) AS s ON s.region = h.region AND s.category = h.category
WHERE h.day = last AND last >= d - 1 AND h.source = 'petitions' AND h.alarm AND h.region_level IN {levels:Array(String)}`,
		clickhouse.Named("d", dayParam(c.day)), clickhouse.Named("levels", warehouse.ArrayParam(r.Levels)))
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.Name, err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var (
			day                        time.Time
			region, level, county, cat string
			n                          uint32
			c1, c2, c3                 float64
			risk                       uint8
			vol, growth, alarmPts, sev float64
			n28                        uint32
			days                       []time.Time
			ns                         []uint32
			c1s                        []float64
		)
		if err := rows.Scan(&day, &region, &level, &county, &cat, &n, &c1, &c2, &c3, &risk, &vol, &growth, &alarmPts, &sev, &n28, &days, &ns, &c1s); err != nil {
			return nil, err
		}
		min := scaled(r.Params["min_count"], c.factors.at(county, day))
		if float64(n) < min {
			continue
		}
		severity := r.Severity
		if float64(risk) >= r.Params["orange_risk"] && severityRank("orange") < severityRank(severity) {
			severity = "orange"
		}
		series := make([]map[string]any, len(days))
		for i := range days {
			series[i] = map[string]any{"day": dayParam(days[i]), "n": ns[i], "c1_upper": jsonFloat(c1s[i])}
		}
		out = append(out, Candidate{
			Rule: r, DedupKey: r.Name + "|" + region + "|" + cat, Severity: severity,
			Region: region, County: county, Category: cat, Value: float64(n), Threshold: min,
			Summary: fmt.Sprintf("%s %s %s 信访 %d 件，超过 EARS 预警上限（C1 %.1f），风险评分 %d", dayParam(day), c.name(region), categoryLabel(cat), n, c1, risk),
			Evidence: map[string]any{"day": dayParam(day), "level": level, "n": n, "c1_upper": jsonFloat(c1), "c2_upper": jsonFloat(c2),
				"c3_upper": jsonFloat(c3), "risk": risk, "risk_parts": map[string]any{"volume": vol, "growth": growth, "alarm": alarmPts, "severity": sev},
				"petitions_28d": n28, "series": series},
			At: day.Add(16 * time.Hour),
		})
	}
	return out, rows.Err()
}

// petitionEvents: 集体访 (headcount at least min_headcount, red at
// red_headcount) and 进京非正常上访, one alert per petition received in the
// lookback.
func (c *evalContext) petitionEvents(ctx context.Context, r Rule) ([]Candidate, error) {
	cond := "receiving_level = 'national' AND abnormal"
	if r.Kind == "collective" {
		cond = "headcount >= {min:UInt32}"
	}
	minAll := scaled(r.Params["min_headcount"], c.factors.lowest(c.day.Add(-c.lookback), c.day))
	rows, err := c.query(ctx, `
SELECT case_id, received_at, county_code, township_code, category, headcount, receiving_level, petitioner_key
FROM $db.petitions
WHERE toDate(received_at) > toDate({d:Date}) - {lookback:UInt32} AND received_at <= {t:DateTime64(3)} AND `+cond,
		clickhouse.Named("d", dayParam(c.day)), clickhouse.Named("lookback", fmt.Sprint(int(c.lookback.Hours()/24))),
		clickhouse.Named("t", c.asOf.UTC().Format("2006-01-02 15:04:05.000")), clickhouse.Named("min", fmt.Sprint(int(minAll))))
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.Name, err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var (
			caseID, county, town, cat, level, key string
			at                                    time.Time
			headcount                             uint16
		)
		if err := rows.Scan(&caseID, &at, &county, &town, &cat, &headcount, &level, &key); err != nil {
			return nil, err
		}
		if cand, ok := petitionCandidate(r, c.factors, c.name, caseID, at, county, town, cat, level, headcount); ok {
			cand.Member = hashKey(key)
			out = append(out, cand)
		}
	}
	return out, rows.Err()
}

// petitionCandidate decides one petition for the collective and
// beijing_abnormal kinds; the ingest hook uses it on fresh records too.
func petitionCandidate(r Rule, f *factors, name func(string) string, caseID string, at time.Time,
	county, town, cat, level string, headcount uint16) (Candidate, bool) {
	region := county
	if town != "" {
		region = town
	}
	c := Candidate{Rule: r, DedupKey: r.Name + "|" + caseID, Severity: r.Severity, Region: region, County: county,
		Category: cat, At: at, Event: true, Value: float64(headcount),
		Evidence: map[string]any{"case_id": caseID, "headcount": headcount, "receiving_level": level, "received_at": at.Format(time.RFC3339)}}
	switch r.Kind {
	case "beijing_abnormal":
		c.Threshold = 1
		c.Summary = fmt.Sprintf("信访件 %s：%s %s 进京非正常上访，%d 人，须一事一通报", caseID, name(region), categoryLabel(cat), headcount)
		return c, true
	case "collective":
		min := scaled(r.Params["min_headcount"], f.at(county, at))
		if float64(headcount) < min {
			return c, false
		}
		c.Threshold = min
		if red := scaled(r.Params["red_headcount"], f.at(county, at)); float64(headcount) >= red {
			c.Severity = "red"
		}
		c.Summary = fmt.Sprintf("信访件 %s：%s %s 集体访 %d 人（%s级受理）", caseID, name(region), categoryLabel(cat), headcount, levelLabel(level))
		return c, true
	}
	return c, false
}

// repeat: a key with at least min_visits_30d petitions in 30 days, or one
// that climbed to a higher level in the last 30 days (key_history).
func (c *evalContext) repeat(ctx context.Context, r Rule) ([]Candidate, error) {
	rows, err := c.query(ctx, `
SELECT k.petitioner_key, k.county_code, k.visits_30d, k.visits_365d, k.highest_level, k.climbed_30d, k.top_category, k.last_seen, p.cases
FROM $db.key_history AS k
LEFT JOIN (
    SELECT petitioner_key, groupArray(case_id) AS cases FROM (
        SELECT petitioner_key, case_id FROM $db.petitions
        WHERE toDate(received_at) > toDate({d:Date}) - 30 AND toDate(received_at) <= toDate({d:Date}) ORDER BY received_at)
    GROUP BY petitioner_key
) AS p ON p.petitioner_key = k.petitioner_key
WHERE k.visits_30d >= {min:UInt32} OR k.climbed_30d`,
		clickhouse.Named("d", dayParam(c.day)), clickhouse.Named("min", fmt.Sprint(int(scaled(r.Params["min_visits_30d"], c.factors.lowest(c.day, c.day))))))
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.Name, err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var (
			key, county, highest, cat string
			v30, v365                 uint32
			climbed                   bool
			last                      time.Time
			cases                     []string
		)
		if err := rows.Scan(&key, &county, &v30, &v365, &highest, &climbed, &cat, &last, &cases); err != nil {
			return nil, err
		}
		min := scaled(r.Params["min_visits_30d"], c.factors.at(county, c.asOf))
		if float64(v30) < min && !climbed {
			continue
		}
		what := fmt.Sprintf("30 天内信访 %d 次", v30)
		if climbed {
			what += fmt.Sprintf("，越级攀升至%s级", levelLabel(highest))
		}
		h := hashKey(key)
		out = append(out, Candidate{Rule: r, DedupKey: r.Name + "|" + h, Severity: r.Severity, Region: county, County: county,
			Category: cat, Value: float64(v30), Threshold: min, Member: h, At: last,
			Summary:  fmt.Sprintf("%s 一名信访人%s（%s）", c.name(county), what, categoryLabel(cat)),
			Evidence: map[string]any{"visits_30d": v30, "visits_365d": v365, "highest_level": highest, "climbed_30d": climbed, "case_ids": cases}})
	}
	return out, rows.Err()
}

// hotlineRisk: callers at risk of escalating (hotline_at_risk) who have not
// petitioned yet.
func (c *evalContext) hotlineRisk(ctx context.Context, r Rule) ([]Candidate, error) {
	rows, err := c.query(ctx, `SELECT caller_key, category, county_code, orders_30d, unresolved_30d, last_order_at
		FROM $db.hotline_at_risk WHERE NOT has_petitioned`)
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.Name, err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var key, cat, county string
		var orders, unresolved uint32
		var last time.Time
		if err := rows.Scan(&key, &cat, &county, &orders, &unresolved, &last); err != nil {
			return nil, err
		}
		h := hashKey(key)
		out = append(out, Candidate{Rule: r, DedupKey: r.Name + "|" + h + "|" + cat, Severity: r.Severity, Region: county, County: county,
			Category: cat, Value: float64(unresolved), Threshold: 3, Member: h, At: last,
			Summary:  fmt.Sprintf("%s 一名来电人 30 天内 %s 投诉 %d 件、%d 件未解决或不满意，有转为信访的风险", c.name(county), categoryLabel(cat), orders, unresolved),
			Evidence: map[string]any{"orders_30d": orders, "unresolved_30d": unresolved, "last_order_at": last.Format(time.RFC3339)}})
	}
	return out, rows.Err()
}

// backlog: a unit whose 积案 exceed max_backlog.
func (c *evalContext) backlog(ctx context.Context, r Rule) ([]Candidate, error) {
	rows, err := c.query(ctx, `
SELECT unit, region, n, overdue, arrayMap(x -> x.1, oldest), arrayMap(x -> x.2, oldest) FROM (
    SELECT s.responsible_unit AS unit, any(u.region) AS region, countIf(s.backlog) AS n, countIf(s.overdue) AS overdue,
        arraySlice(arraySort(x -> -x.2, groupArrayIf((s.case_id, s.open_days), s.backlog)), 1, 10) AS oldest
    FROM $db.case_status AS s LEFT JOIN $db.units AS u ON u.code = s.responsible_unit
    GROUP BY s.responsible_unit HAVING n > {min:UInt32})`,
		clickhouse.Named("min", fmt.Sprint(int(scaled(r.Params["max_backlog"], c.factors.lowest(c.day, c.day))))))
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.Name, err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var unit, region string
		var n, overdue uint64
		var ids []string
		var days []uint32
		if err := rows.Scan(&unit, &region, &n, &overdue, &ids, &days); err != nil {
			return nil, err
		}
		county := region
		if len(county) > 6 {
			county = county[:6]
		}
		max := scaled(r.Params["max_backlog"], c.factors.at(county, c.asOf))
		if float64(n) <= max {
			continue
		}
		cases := make([]map[string]any, len(ids))
		for i := range ids {
			cases[i] = map[string]any{"case_id": ids[i], "open_days": days[i]}
		}
		out = append(out, Candidate{Rule: r, DedupKey: r.Name + "|" + unit, Severity: r.Severity, Region: region, County: county,
			Unit: unit, Value: float64(n), Threshold: max, At: c.asOf,
			Summary:  fmt.Sprintf("%s 积案 %d 件（其中超期 %d 件），超过阈值 %.0f", c.name(unit), n, overdue, max),
			Evidence: map[string]any{"backlog": n, "overdue": overdue, "oldest": cases}})
	}
	return out, rows.Err()
}

// zeroReport: a unit that filed no report for a day of a sensitive period
// that has ended, within the lookback.
func (c *evalContext) zeroReport(ctx context.Context, r Rule) ([]Candidate, error) {
	rows, err := c.query(ctx, `SELECT day, unit, county_code, period FROM $db.zero_report_compliance
		WHERE NOT filed AND day < toDate({d:Date}) AND day >= toDate({d:Date}) - {lookback:UInt32}`,
		clickhouse.Named("d", dayParam(c.day)), clickhouse.Named("lookback", fmt.Sprint(int(c.lookback.Hours()/24))))
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.Name, err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var day time.Time
		var unit, county, period string
		if err := rows.Scan(&day, &unit, &county, &period); err != nil {
			return nil, err
		}
		out = append(out, Candidate{Rule: r, DedupKey: r.Name + "|" + unit + "|" + dayParam(day), Severity: r.Severity,
			Region: county, County: county, Unit: unit, Value: 0, Threshold: 1, At: day.Add(24 * time.Hour),
			Summary:  fmt.Sprintf("%s 未报送 %s（%s）的日报/零报告", c.name(unit), dayParam(day), period),
			Evidence: map[string]any{"day": dayParam(day), "period": period}})
	}
	return out, rows.Err()
}

func categoryLabel(c string) string { return refdata.CategoryLabel(c) }

func levelLabel(l string) string { return refdata.LevelLabel(l) }
