package assess

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/warehouse"
)

// Unit is an assessed unit: a county government (the county's units
// together) or a city department.
type Unit struct {
	Code, Name string
	County     string // the county of a county government, else ""
}

// frac is k of n.
type frac struct{ K, N float64 }

func (f *frac) add(g frac) { f.K += g.K; f.N += g.N }

// oneEvent is a 一事一通报 item.
type oneEvent struct {
	Month  int
	Unit   string
	CaseID string
	Kind   string // collective_beijing | repeat_beijing | repeat_collective
	Detail string
}

// inputs are a year's indicator values per assessed unit and month (index
// 1-12), read from the indicator tables.
type inputs struct {
	Year      int
	Months    int // months of the year that have begun
	Units     []Unit
	rates     map[string]map[string]*[13]frac // unit → indicator → month
	three     map[string]*[13]float64         // county unit → 三访 this year
	threePrev map[string]*[13]float64         // the same months a year earlier
	active    map[string]*[13]bool            // the unit had petitions (a county: any petition) in the month
	backlog   map[string]*[13]float64         // 积案 at month end
	events    []oneEvent
}

func (in *inputs) rate(unit, indicator string, m int, f frac) {
	if in.rates[unit] == nil {
		in.rates[unit] = map[string]*[13]frac{}
	}
	if in.rates[unit][indicator] == nil {
		in.rates[unit][indicator] = &[13]frac{}
	}
	in.rates[unit][indicator][m].add(f)
}

func month12(m map[string]*[13]float64, unit string) *[13]float64 {
	if m[unit] == nil {
		m[unit] = &[13]float64{}
	}
	return m[unit]
}

// readInputs reads year y's indicators; months after now (in the city) are
// left out.
func readInputs(ctx context.Context, db *warehouse.DB, y int, now time.Time) (*inputs, error) {
	now = now.In(warehouse.City)
	in := &inputs{Year: y, rates: map[string]map[string]*[13]frac{}, three: map[string]*[13]float64{},
		threePrev: map[string]*[13]float64{}, active: map[string]*[13]bool{}, backlog: map[string]*[13]float64{}}
	switch {
	case y < now.Year():
		in.Months = 12
	case y == now.Year():
		in.Months = int(now.Month())
	default:
		return nil, fmt.Errorf("--year %d has not begun", y)
	}
	// Units and who belongs to whom.
	member := map[string]string{}
	countyGov := map[string]string{}
	rows, err := db.Query(ctx, "SELECT code, name, kind, region, level FROM "+db.Table("units")+" ORDER BY code")
	if err != nil {
		return nil, err
	}
	type unitRow struct{ code, name, kind, region, level string }
	var all []unitRow
	for rows.Next() {
		var u unitRow
		if err := rows.Scan(&u.code, &u.name, &u.kind, &u.region, &u.level); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, u)
	}
	rows.Close()
	for _, u := range all {
		switch {
		case u.kind == "government" && u.level == "county":
			in.Units = append(in.Units, Unit{Code: u.code, Name: u.name, County: u.region})
			countyGov[u.region] = u.code
		case u.kind == "department" && u.level == "city":
			in.Units = append(in.Units, Unit{Code: u.code, Name: u.name})
			member[u.code] = u.code
		}
	}
	for _, u := range all {
		if len(u.region) >= 6 && member[u.code] == "" {
			if g := countyGov[u.region[:6]]; g != "" {
				member[u.code] = g
			}
		}
	}
	sort.Slice(in.Units, func(i, j int) bool { return in.Units[i].Code < in.Units[j].Code })
	from := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	to := time.Date(y, 12, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	args := []any{clickhouse.Named("from", from), clickhouse.Named("to", to)}

	// Handling and hotline rates, per unit and month.
	rows, err = db.Query(ctx, `SELECT month, unit, accept_due, accepted_on_time, conclude_due, concluded_on_time, evaluated, toUInt32(satisfied + basic),
			backlog_start, backlog_cleared, backlog_end, local_candidates, local_resolved, received,
			hotline_orders, hotline_contacted_24h, hotline_concluded, hotline_resolved, hotline_evaluated, hotline_satisfaction_rate
		FROM `+db.Table("unit_monthly")+` WHERE month >= {from:Date} AND month <= {to:Date}`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var month time.Time
		var unit string
		var v [17]uint32
		var hsat float64
		dest := []any{&month, &unit}
		for i := range v {
			dest = append(dest, &v[i])
		}
		dest = append(dest, &hsat)
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return nil, err
		}
		u := member[unit]
		m := int(month.Month())
		if u == "" || m > in.Months {
			continue
		}
		f := func(k, n uint32) frac { return frac{float64(k), float64(n)} }
		in.rate(u, "accept_on_time_rate", m, f(v[1], v[0]))
		in.rate(u, "conclude_on_time_rate", m, f(v[3], v[2]))
		in.rate(u, "satisfaction_rate", m, f(v[5], v[4]))
		in.rate(u, "clearance_rate", m, f(v[7], v[6]))
		month12(in.backlog, u)[m] += float64(v[8])
		in.rate(u, "local_resolution_share", m, f(v[10], v[9]))
		if v[11] > 0 {
			in.activeAt(u, m)
		}
		in.rate(u, "hotline_response_rate", m, f(v[13], v[12]))
		in.rate(u, "hotline_resolution_rate", m, f(v[15], v[14]))
		if math.IsNaN(hsat) {
			hsat = 0
		}
		in.rate(u, "hotline_satisfaction_rate", m, frac{math.Round(hsat * float64(v[16])), float64(v[16])})
	}
	rows.Close()

	// 重复访率 per county.
	rows, err = db.Query(ctx, `SELECT month, region, repeats, petitions FROM `+db.Table("repeat_monthly")+`
		WHERE region_level = 'county' AND month >= {from:Date} AND month <= {to:Date}`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var month time.Time
		var county string
		var k, n uint32
		if err := rows.Scan(&month, &county, &k, &n); err != nil {
			rows.Close()
			return nil, err
		}
		u, m := countyGov[county], int(month.Month())
		if u == "" || m > in.Months {
			continue
		}
		in.rate(u, "repeat_rate", m, frac{float64(k), float64(n)})
		if n > 0 {
			in.activeAt(u, m)
		}
	}
	rows.Close()

	// 三访, this year and the one before. The month in progress (this
	// year's, up to today) is compared with the same days a year earlier,
	// which its row keeps (n_last_year; the transform stops the month at
	// today), not with the whole month.
	inProgress := y == now.Year()
	rows, err = db.Query(ctx, `SELECT month, county_code, toFloat64(sum(n)), toFloat64(sum(n_last_year)) FROM `+db.Table("three_visits_monthly")+`
		WHERE month >= {from:Date} - INTERVAL 1 YEAR AND month <= {to:Date} GROUP BY month, county_code`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var month time.Time
		var county string
		var n, lastYear float64
		if err := rows.Scan(&month, &county, &n, &lastYear); err != nil {
			rows.Close()
			return nil, err
		}
		u, m := countyGov[county], int(month.Month())
		if u == "" || m > in.Months {
			continue
		}
		current := inProgress && m == in.Months
		switch {
		case month.Year() == y:
			month12(in.three, u)[m] += n
			if current {
				month12(in.threePrev, u)[m] += lastYear
			}
		case !current:
			month12(in.threePrev, u)[m] += n
		}
	}
	rows.Close()

	// 零报告: reports due in sensitive periods, and filed on time. A day's
	// report is due by the day's end in the city: today's counts once it is
	// filed, not as missing while the unit still has the day to file it.
	rows, err = db.Query(ctx, `SELECT toStartOfMonth(day), unit, toUInt32(countIf(filed AND NOT late)), toUInt32(count())
		FROM `+db.Table("zero_report_compliance")+` WHERE day >= {from:Date} AND day < {to:Date} + INTERVAL 1 MONTH
		AND (filed OR day < {today:Date}) GROUP BY 1, 2`, append(args, clickhouse.Named("today", warehouse.CityDay(now).Format(time.DateOnly)))...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var month time.Time
		var unit string
		var k, n uint32
		if err := rows.Scan(&month, &unit, &k, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if u, m := member[unit], int(month.Month()); u != "" && m <= in.Months {
			in.rate(u, "zero_report_rate", m, frac{float64(k), float64(n)})
		}
	}
	rows.Close()

	// 一事一通报: 集体进京非正常上访, 重复进京非正常上访, 重复赴省来市集体上访.
	// The person behind each comes from petitions (petition_flags keeps
	// no pseudonym), looked up for these few cases only.
	rows, err = db.Query(ctx, `WITH f AS (
		SELECT case_id, received_at, county_code, three_visit_type, is_collective, headcount
		FROM `+db.Table("petition_flags")+` WHERE three_visit_type != '' AND toDate(received_at) >= {from:Date} - INTERVAL 1 YEAR
		AND toDate(received_at) < {to:Date} + INTERVAL 1 MONTH)
		SELECT f.case_id, f.received_at, f.county_code, f.three_visit_type, p.petitioner_key, f.is_collective, f.headcount
		FROM f INNER JOIN (
			SELECT case_id, any(petitioner_key) AS petitioner_key FROM `+db.Table("petitions")+`
			WHERE toDate(received_at) >= {from:Date} - INTERVAL 1 YEAR AND toDate(received_at) < {to:Date} + INTERVAL 1 MONTH
			AND case_id IN (SELECT case_id FROM f) GROUP BY case_id) AS p ON p.case_id = f.case_id
		ORDER BY f.received_at, f.case_id`, args...)
	if err != nil {
		return nil, err
	}
	lastBeijing, lastCollective := map[string]time.Time{}, map[string]time.Time{}
	within := func(seen map[string]time.Time, key string, at time.Time) bool {
		t, ok := seen[key]
		return ok && at.Sub(t) <= 365*24*time.Hour
	}
	for rows.Next() {
		var caseID, county, typ, key string
		var at time.Time
		var collective bool
		var headcount uint16
		if err := rows.Scan(&caseID, &at, &county, &typ, &key, &collective, &headcount); err != nil {
			rows.Close()
			return nil, err
		}
		at = at.In(cst)
		var kind, detail string
		switch {
		case typ == "beijing_abnormal" && collective:
			kind, detail = "collective_beijing", fmt.Sprintf("集体进京非正常上访（%d 人）", headcount)
		case typ == "beijing_abnormal" && within(lastBeijing, key, at):
			kind, detail = "repeat_beijing", "重复进京非正常上访"
		case typ != "beijing_abnormal" && within(lastCollective, key, at):
			kind, detail = "repeat_collective", "重复赴省来市集体上访"
		}
		if typ == "beijing_abnormal" {
			lastBeijing[key] = at
		} else {
			lastCollective[key] = at
		}
		u := countyGov[county]
		if kind == "" || u == "" || at.Year() != y || int(at.Month()) > in.Months {
			continue
		}
		in.events = append(in.events, oneEvent{Month: int(at.Month()), Unit: u, CaseID: caseID, Kind: kind,
			Detail: fmt.Sprintf("%s：信访件 %s，%s", detail, caseID, at.Format("2006-01-02"))})
	}
	rows.Close()
	return in, rows.Err()
}

func (in *inputs) activeAt(unit string, m int) {
	if in.active[unit] == nil {
		in.active[unit] = &[13]bool{}
	}
	in.active[unit][m] = true
}

var cst = time.FixedZone("CST", 8*3600)
