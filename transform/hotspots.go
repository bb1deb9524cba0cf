package transform

// dailyCounts: records per day, region, category and source — the one pass
// over the record tables the hotspot transforms need. A tick recounts only
// the days that records stored since the last run fall on.
var dailyCounts = Transform{Name: "daily_counts", Group: "hotspots", Scope: Whole,
	Incremental: &Incremental{Key: "toString(day)", Dirty: storedSince("toString(toDate(received_at))")}, SQL: `
SELECT day, region, category, s.1 AS source, toUInt32(s.2) AS n
FROM (
    SELECT toDate(received_at) AS day, region, category, count() AS c, sum(headcount) AS people
    FROM {{.DB}}.petitions ARRAY JOIN [county_code, township_code] AS region
    WHERE region != ''{{.Only "toString(toDate(received_at))"}}
    GROUP BY day, region, category
)
ARRAY JOIN [('petitions', c), ('people', people)] AS s
UNION ALL
SELECT toDate(received_at) AS day, region, category, 'hotline' AS source, toUInt32(count()) AS n
FROM {{.DB}}.hotline_orders ARRAY JOIN [county_code, township_code] AS region
WHERE region != ''{{.Only "toString(toDate(received_at))"}}
GROUP BY day, region, category
`}

// storedSince is a dirty-key SELECT (Incremental.Dirty): key, a String
// expression of received_at, for every petition and order stored since the
// last run.
func storedSince(key string) string {
	return `
SELECT ` + key + ` AS key FROM {{.DB}}.petitions WHERE ingested_at > fromUnixTimestamp64Milli({since_ms:Int64})
UNION ALL
SELECT ` + key + ` AS key FROM {{.DB}}.hotline_orders WHERE ingested_at > fromUnixTimestamp64Milli({since_ms:Int64})
`
}

// weeklyCounts: daily_counts summed by week, so that hotspot_weekly reads
// a seventh of the rows (its 65 weeks of daily_counts, 2.8M rows at 10M
// records, took 0.4–0.65 s of its 0.7–0.95 s in a tick). It reads
// daily_counts (Upstream): a tick recounts the weeks of the days records
// stored since daily_counts' previous run fall on.
var weeklyCounts = Transform{Name: "weekly_counts", Group: "hotspots", Scope: Whole,
	Incremental: &Incremental{Key: "toString(week)", Upstream: "daily_counts", Dirty: storedSince("toString(toMonday(toDate(received_at)))")}, SQL: `
SELECT toMonday(day) AS week, region, category, source, toUInt32(sum(n)) AS n
FROM {{.DB}}.daily_counts
WHERE 1{{.Only "toString(toMonday(day))"}}
GROUP BY week, region, category, source
`}

// dailySeries is, as the CTE "cells", every region × category × source
// of sources (an SQL array literal) with its days from lookback days (a
// template value) before the month to its end as one array ns, zero on
// days without records, starting at day0 (what earsSQL reads). risk_daily
// takes the petitions' cells only: filtering the three sources' cells after
// their series were built took its EARS stage at 10M records 0.16 → 0.10 s.
func dailySeries(lookback, sources string) string {
	return `
WITH toDate({from:Date}) AS d0, toDate({to:Date}) AS d1, d0 - ` + lookback + ` AS dl, toUInt32(d1 - dl) AS ndays,
grid AS (
    SELECT code AS region, level AS region_level, county_code, population,
        arrayJoin({categories:Array(String)}) AS category,
        arrayJoin(` + sources + `) AS source
    FROM {{.DB}}.regions
),
-- each cell's days as one array (daily_counts has at most one row a cell
-- and day): grouping the cells and joining them to the grid is several
-- times cheaper than summing a day-by-day grid with the counts (11.6 →
-- 4.0 s for hotspot_daily over two years at 10M)
counts AS (
    SELECT region, category, source,
        groupArrayInsertAt(toUInt32(0), ndays)(toUInt32(n), toUInt32(day - dl)) AS ns
    FROM {{.DB}}.daily_counts WHERE day >= dl AND day < d1 AND source IN ` + sources + `
    GROUP BY region, category, source
),
-- every cell of the grid; counts off the grid are dropped
cells AS (
    SELECT g.region AS region, g.category AS category, g.source AS source, g.region_level AS region_level,
        g.county_code AS county_code, g.population AS population, dl AS day0,
        if(empty(c.ns), arrayWithConstant(ndays, toUInt32(0)), c.ns) AS ns
    FROM grid AS g
    LEFT JOIN counts AS c ON c.region = g.region AND c.category = g.category AND c.source = g.source
),`
}

// hotspotDaily: 热点 counts, rates and EARS detectors; risk from risk_daily.
// Its series start only {{.EARSLookback}} days before the month (what C3
// needs); risk_daily's windows need the longer {{.Lookback}}.
//
// The cells' series and detector bounds are computed first (Stages): a
// tick's month at 10M records 0.45 s as one query, 0.38 s in stages (the
// best of three each), the same rows.
var hotspotDaily = Transform{Name: "hotspot_daily", Group: "hotspots", Scope: Monthly, UpToToday: true,
	Trailing: &Trailing{Day: "day", Upstream: "risk_daily"}, Stages: []string{"ears_cells"}, SQL: dailySeries("{{.EARSLookback}}", "['petitions', 'hotline', 'people']") +
		`{{ears "cells" "region, category, source, region_level, county_code, population" .Baseline}}
SELECT e.day AS day, e.region AS region, e.region_level AS region_level, e.county_code AS county_code,
    e.category AS category, e.source AS source, e.n AS n, e.population AS population,
    if(e.population > 0, e.n * 10000 / e.population, 0) AS rate_per_10k,
    e.c1_upper AS c1_upper, e.c2_upper AS c2_upper, e.c3_upper AS c3_upper,
    e.c1_alarm AS c1_alarm, e.c2_alarm AS c2_alarm, e.c3_alarm AS c3_alarm,
    e.c1_alarm OR e.c2_alarm OR e.c3_alarm AS alarm,
    ifNull(r.risk, 0) AS risk
FROM ears AS e
LEFT JOIN (SELECT day, region, category, risk FROM {{.DB}}.risk_daily WHERE day >= d0 AND day < d1) AS r
    ON r.day = e.day AND r.region = e.region AND r.category = e.category
WHERE e.day >= d0
`}

// hotspotWeekly: weekly counts with a seasonal Poisson CUSUM. The
// expectation of a week is the mean of the same week and its neighbours a
// year earlier when that year had any, else the mean of the 8 weeks before;
// at least 0.5. The CUSUM looks for a doubling: S = max(0, S' + n − k),
// k = λ0/ln 2, starting {{.CUSUM}} weeks before the month; alarm when S > h.
// A week belongs to the month of its Monday; the weeks end with the
// current one (UpToToday: {to} is then the day after today, mid-month). A
// window of several months
// ({from} a month's first day) is one query: the weekly series and their
// expectations once, then each month's CUSUM from its own start (22 s → 3 s
// for two years at 10M records, month by month before).
//
// Each cell's weeks are one array, from the week wl (53 weeks before the
// first month's run-in) to the last that begins before {to}: a year ago
// and the 8 weeks before are differences of its running sums, where window
// functions over the exploded weeks took twice as long (a tick's month at
// 10M records 1.2–1.4 → 0.7–0.8 s; two years 2.8–3.1 → 2.3–2.4 s; the same
// rows).
var hotspotWeekly = Transform{Name: "hotspot_weekly", Group: "hotspots", Scope: Monthly, UpToToday: true, SQL: `
WITH toDate({from:Date}) AS d0, toDate({to:Date}) AS d1,
    toMonday(d0) - 7 * {{.CUSUM}} AS run_in, run_in - 7 * 53 AS wl,
    toUInt32(intDiv(toMonday(d1 - 1) - wl, 7) + 1) AS nweeks,
    arrayMap(i -> addMonths(d0, i), range(toUInt32(dateDiff('month', d0, d1 - 1) + 1))) AS months,
grid AS (
    SELECT code AS region, level AS region_level, county_code,
        arrayJoin({categories:Array(String)}) AS category,
        arrayJoin(['petitions', 'hotline', 'people']) AS source
    FROM {{.DB}}.regions
),
-- each cell's weekly counts as one array, week i (from 1) beginning on
-- wl + 7(i − 1); counts off the grid are dropped
counts AS (
    SELECT region, category, source, groupArrayInsertAt(toUInt32(0), nweeks)(n, toUInt32(intDiv(week - wl, 7))) AS ws
    FROM {{.DB}}.weekly_counts
    WHERE week >= wl AND week < wl + 7 * nweeks
    GROUP BY region, category, source
),
-- the expectation of each week from the run-in on (i > 53): weeks i − 53
-- to i − 51 (y), else i − 8 to i − 1 (p), as differences of the running
-- sums shifted (a lambda that indexed cw copied the array for each of its
-- weeks: a tick's month at 10M records 0.23–0.31 → 0.14–0.16 s, the same
-- rows)
expected AS (
    SELECT g.region AS region, g.region_level AS region_level, g.county_code AS county_code,
        g.category AS category, g.source AS source,
        if(empty(c.ws), arrayWithConstant(nweeks, toUInt32(0)), c.ws) AS ws,
        arrayCumSum(CAST(ws AS Array(UInt64))) AS cw,
        arrayMap((i, y, p) -> if(i > 53, greatest(0.5, if(y > 0, y / 3, p / 8)), 0.),
            arrayEnumerate(ws), ` + windowSum("cw", 53, 51) + `, ` + windowSum("cw", 8, 1) + `) AS ex
    FROM grid AS g
    LEFT JOIN counts AS c ON c.region = g.region AND c.category = g.category AND c.source = g.source
),
-- each month's weeks from its run-in (a, from 0) to its last (b − 1), and
-- their CUSUM
monthly AS (
    SELECT region, region_level, county_code, category, source, m,
        toUInt32(intDiv(toMonday(m) - 7 * {{.CUSUM}} - wl, 7)) AS a,
        toUInt32(intDiv(toMonday(addMonths(m, 1) - 1) - wl, 7)) + 1 AS b,
        arraySlice(ws, a + 1, b - a) AS mw, arraySlice(ex, a + 1, b - a) AS me,
        arrayPopFront(arrayFold((acc, x, e) -> arrayPushBack(acc, greatest(0., acc[-1] + (x - e / ln(2)))), mw, me, [toFloat64(0)])) AS s
    FROM expected
    ARRAY JOIN months AS m
)
SELECT wl + 7 * (a + j - 1) AS week, region, region_level, county_code, category, source, n, expected,
    cs AS cusum, cs > {cusum_h:Float64} AS cusum_alarm
FROM monthly
ARRAY JOIN arrayEnumerate(mw) AS j, mw AS n, me AS expected, s AS cs
WHERE week >= m
`}

// riskDaily: the risk score of each region × category cell and day, from
// petitions only, with every part stored (docs/INDICATORS.md):
//
//	volume   0-40  40 × min(1, rate_28d / the percentile cell's rate_28d)
//	growth   0-25  25 × clamp(log2((last7 + 1) / (prev28_weekly + 1)) / 2, 0, 1)
//	alarm    0-20  min(20, 5 × EARS alarm days in 7 + 10 × weekly CUSUM alarm)
//	severity 0-15  min(15, 5 × collective + 8 × 三访 + 1 × repeat petitions in 30 days)
//
// The cells' series and their flagged counts are computed first (Stages):
// as one query, risk_daily took 1.35–1.46 s in a tick at 10M records, of
// which the engine spent 0.68–0.82 s planning it; in stages 1.06–1.10 s.
var riskDaily = Transform{Name: "risk_daily", Group: "hotspots", Scope: Monthly, UpToToday: true,
	Trailing: &Trailing{Day: "day", Upstream: "daily_counts"}, Stages: []string{"flagged_cells", "ears_cells", "sums"}, SQL: dailySeries("{{.Lookback}}", "['petitions']") +
		`
-- only flagged petitions (5 % of them): grouping every petition of a
-- tick's month and its lookback took 0.3–0.45 s at 10M records, the
-- flagged ones 0.09–0.12 s
flagged AS (
    SELECT toDate(received_at) AS day, region, category,
        countIf(is_collective) AS coll, countIf(three_visit_type != '') AS three, countIf(is_repeat) AS rep
    FROM {{.DB}}.petition_flags ARRAY JOIN [county_code, township_code] AS region
    WHERE toDate(received_at) >= dl AND toDate(received_at) < d1 AND region != ''
      AND (is_collective OR three_visit_type != '' OR is_repeat)
    GROUP BY day, region, category
),
-- each cell's flagged counts as running sums over its days
flagged_cells AS (
    SELECT region, category,
        arrayCumSum(groupArrayInsertAt(toUInt64(0), ndays)(toUInt64(coll), toUInt32(day - dl))) AS cc,
        arrayCumSum(groupArrayInsertAt(toUInt64(0), ndays)(toUInt64(three), toUInt32(day - dl))) AS ct,
        arrayCumSum(groupArrayInsertAt(toUInt64(0), ndays)(toUInt64(rep), toUInt32(day - dl))) AS cr
    FROM flagged
    GROUP BY region, category
),
cusum AS (
    SELECT week, region, category, cusum_alarm FROM {{.DB}}.hotspot_weekly
    WHERE source = 'petitions' AND week >= toMonday(d0) - 7 AND week < d1
),
{{ears "cells" "region, category, region_level, county_code, population" .Baseline}},
-- the windows as differences of running sums (w7: the day and 6 before,
-- w28, w30; prev: the 28 days before the last 7)
sums AS (
    SELECT e.region AS region, e.category AS category, e.region_level AS region_level,
        e.county_code AS county_code, e.population AS population, e.day0 AS day0, e.ns AS ns,
        arrayCumSum(CAST(ns AS Array(UInt64))) AS cn,
        arrayCumSum(arrayMap((x, a, b, c) -> toUInt64(x > a OR x > b OR x > c), ns, e.c1u, e.c2u, e.c3u)) AS ca,
        if(empty(f.cc), arrayWithConstant(length(ns), toUInt64(0)), f.cc) AS cc,
        if(empty(f.ct), arrayWithConstant(length(ns), toUInt64(0)), f.ct) AS ct,
        if(empty(f.cr), arrayWithConstant(length(ns), toUInt64(0)), f.cr) AS cr
    FROM ears_cells AS e
    LEFT JOIN flagged_cells AS f ON f.region = e.region AND f.category = e.category
),
rolled AS (
    SELECT region, category, region_level, county_code, population, day0 + toUInt32(i - 1) AS day,
        toUInt32(p28) AS petitions_28d, toUInt32(l7) AS last7, pw / 4 AS prev28_weekly,
        toUInt8(a7) AS alarm_days_7d,
        toUInt32(c30) AS collective_30d, toUInt32(t30) AS three_visits_30d, toUInt32(r30) AS repeats_30d
    FROM sums
    ARRAY JOIN arrayEnumerate(ns) AS i,
        ` + windowSum("cn", 27, 0) + ` AS p28, ` + windowSum("cn", 6, 0) + ` AS l7, ` + windowSum("cn", 34, 7) + ` AS pw,
        ` + windowSum("ca", 6, 0) + ` AS a7,
        ` + windowSum("cc", 29, 0) + ` AS c30, ` + windowSum("ct", 29, 0) + ` AS t30, ` + windowSum("cr", 29, 0) + ` AS r30
    WHERE day >= d0
),
scored AS (
    SELECT r.*, if(r.population > 0, r.petitions_28d * 10000 / r.population, 0) AS rate_28d,
        quantileExactIf({risk_pct:Float64})(rate_28d, r.petitions_28d > 0) OVER (PARTITION BY r.day, r.region_level) AS pct_rate,
        ifNull(c.cusum_alarm, false) AS cusum_now
    FROM rolled AS r
    LEFT JOIN (SELECT region, category, week, max(cusum_alarm) AS cusum_alarm FROM cusum GROUP BY region, category, week) AS c
        ON c.region = r.region AND c.category = r.category AND c.week = toMonday(r.day)
)
SELECT day, region, region_level, county_code, category,
    toUInt8(round(least(100., volume_pts + growth_pts + alarm_pts + severity_pts))) AS risk,
    if(pct_rate > 0, 40 * least(1., rate_28d / pct_rate), 0.) AS volume_pts,
    25 * least(1., greatest(0., log2((last7 + 1) / (prev28_weekly + 1)) / 2)) AS growth_pts,
    least(20., toFloat64(5 * alarm_days_7d + 10 * cusum_now)) AS alarm_pts,
    least(15., toFloat64(5 * collective_30d + 8 * three_visits_30d + repeats_30d)) AS severity_pts,
    petitions_28d, rate_28d, last7, prev28_weekly, alarm_days_7d, cusum_now AS cusum_alarm,
    collective_30d, three_visits_30d, repeats_30d
FROM scored
`}
