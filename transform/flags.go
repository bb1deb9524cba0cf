package transform

// Levels from lowest to highest; a petition is received at one of them.
const levelsArray = "['village', 'township', 'county', 'city', 'province', 'national']"

// petitionFlags: per petition, 重复访, 越级访, 集体访, 三访 and hotline
// escalation (SPEC section 5).
var petitionFlags = Transform{Name: "petition_flags", Group: "flags", Scope: Monthly,
	// The right side of each join is the one written there (the narrow
	// flags, the few escalations); left to itself the planner put the wide
	// petitions in the hash table, and the insert then had to re-sort them.
	Settings: "query_plan_join_swap_table = 0",
	// A tick reads its dirty petitions' month rows once, into a scratch
	// table (Incremental.Stages; the staging insert at 10M records
	// 0.40–0.43 → 0.31–0.39 s, three ticks each).
	Incremental: &Incremental{Key: "case_id", Dirty: petitionFlagsDirty, Stages: []string{"month"}, Span: `
SELECT min(toDate(received_at)), max(toDate(received_at)) + 1 FROM {{.DB}}.petitions WHERE case_id IN (SELECT key FROM {{.Dirty}})`},
	SQL: `
WITH toDate({from:Date}) AS d0, toDate({to:Date}) AS d1,
month AS (
    SELECT * FROM {{.DB}}.petitions
    WHERE toDate(received_at) >= d0 AND toDate(received_at) < d1{{.Only "case_id"}}
),
-- The windows sort only what they need: the pair (a 128-bit hash of key
-- and category), the time and one flag. Carrying every column through the
-- sort tripled its time at 10M petitions; the columns come back by case_id.
windowed AS (
    SELECT case_id,
        count() OVER (PARTITION BY pair ORDER BY sec RANGE BETWEEN {{.RepeatSec}} PRECEDING AND 1 PRECEDING) AS prior_same,
        countIf(low) OVER (PARTITION BY pair ORDER BY sec RANGE BETWEEN {{.SkipSec}} PRECEDING AND 1 PRECEDING) AS prior_low
    FROM (
        SELECT case_id, received_at, receiving_level IN ('village', 'township', 'county') AS low,
            {{pair "petitioner_key" "category"}} AS pair, toUInt32(toUnixTimestamp(received_at)) AS sec
        FROM {{.DB}}.petitions
        {{- if .Dirty}}
        -- the dirty petitions are whole pairs, all in the month's rows: their
        -- keys' hashes first (a scan of 395 days of petitions' case_id,
        -- against their narrow hashes: the windows at 10M records 0.19–0.22
        -- → 0.08–0.13 s)
        PREWHERE key_hash IN (SELECT cityHash64(petitioner_key) FROM month){{end}}
        WHERE toDate(received_at) >= d0 - {skip_days:UInt32} - 1 AND toDate(received_at) < d1{{.Only "case_id"}}
    )
    QUALIFY toDate(received_at) >= d0
),
escalation AS (
    SELECT p.case_id AS case_id, countIf(o.ts < p.ts AND o.ts >= p.ts - {{.EscalationMs}}) AS prior_orders
    FROM (SELECT case_id, {{pair "petitioner_key" "category"}} AS pair, toUnixTimestamp64Milli(received_at) AS ts FROM month) AS p
    INNER JOIN (
        SELECT {{pair "caller_key" "category"}} AS pair, toUnixTimestamp64Milli(received_at) AS ts
        FROM {{.DB}}.hotline_orders
        {{- if .Dirty}}
        -- only the dirty petitions' callers: hashing the pair of every
        -- order in the window first cost more than the join (0.21–0.24 →
        -- 0.11–0.18 s at 10M orders); the join matches the category. Their
        -- key hashes first, a narrow column (the staging insert at 10M 0.13
        -- → 0.09 s of engine CPU), then the keys themselves
        PREWHERE key_hash IN (SELECT cityHash64(petitioner_key) FROM month)
        WHERE caller_key IN (SELECT petitioner_key FROM month) AND{{else}}
        WHERE{{end}} kind IN ('complaint', 'report')
          AND toDate(received_at) >= d0 - {escalation_days:UInt32} - 1 AND toDate(received_at) < d1
    ) AS o ON o.pair = p.pair
    GROUP BY p.case_id
)
SELECT case_id, received_at, county_code, township_code, category, receiving_level, headcount,
    w.prior_same > 0 AS is_repeat,
    toUInt32(w.prior_same) AS prior_same_category,
    receiving_level IN ('city', 'province', 'national') AND w.prior_low = 0 AS is_skip_level,
    headcount >= 5 AS is_collective,
    multiIf(receiving_level = 'national' AND abnormal, 'beijing_abnormal',
            receiving_level = 'province' AND headcount >= 5, 'province_collective',
            receiving_level = 'city' AND headcount >= 5, 'city_collective', '') AS three_visit_type,
    toUInt32(e.prior_orders) >= {escalation_min:UInt32} AS is_escalation,
    toUInt32(e.prior_orders) AS prior_orders
FROM month AS p
INNER JOIN windowed AS w USING (case_id)
LEFT JOIN escalation AS e USING (case_id)
`}

// petitionFlagsDirty: every petition of a key and category that a petition
// or a complaint/report order stored since the last run belongs to (a
// petition's flags depend on the earlier records of its key and category,
// so all of them are recomputed together — the history they need).
const petitionFlagsDirty = `
WITH pairs AS (
    SELECT petitioner_key AS k, category AS c FROM {{.DB}}.petitions
    WHERE ingested_at > fromUnixTimestamp64Milli({since_ms:Int64})
    UNION ALL
    SELECT caller_key AS k, category AS c FROM {{.DB}}.hotline_orders
    WHERE kind IN ('complaint', 'report') AND ingested_at > fromUnixTimestamp64Milli({since_ms:Int64})
)
-- the key's hash first (a cheap filter on a narrow column), then the pair
SELECT case_id AS key FROM {{.DB}}.petitions
PREWHERE key_hash IN (SELECT cityHash64(k) FROM pairs)
WHERE (petitioner_key, category) IN (SELECT k, c FROM pairs)
`

// repeatMonthly: 重复访 rate per region × month, from petition_flags.
var repeatMonthly = Transform{Name: "repeat_monthly", Group: "flags", Scope: Monthly, SQL: `
WITH toDate({from:Date}) AS d0, toDate({to:Date}) AS d1,
    (SELECT any(parent) FROM {{.DB}}.regions WHERE level = 'county') AS city
SELECT toStartOfMonth(toDate(received_at)) AS month, r.2 AS region, r.1 AS region_level,
    toUInt32(count()) AS petitions, toUInt32(countIf(is_repeat)) AS repeats, repeats / petitions AS repeat_rate,
    toUInt32(countIf(is_collective)) AS collective, toUInt32(sum(headcount)) AS people
FROM {{.DB}}.petition_flags
ARRAY JOIN [('city', city), ('county', toString(county_code)), ('township', toString(township_code))] AS r
WHERE toDate(received_at) >= d0 AND toDate(received_at) < d1 AND r.2 != ''
GROUP BY month, region, region_level
`}

// threeVisitsMonthly: 三访 per county and month with the same month a year
// earlier, computed from petitions so it needs no earlier flags. The month
// in progress stops at today (UpToToday), and so does its year-earlier
// count: on the 8th, 1–8 March against 1–8 March of the year before, not
// against the whole of it (n_last_year, yoy_change; the 考核's 三访同比).
var threeVisitsMonthly = Transform{Name: "three_visits_monthly", Group: "flags", Scope: Monthly, UpToToday: true, SQL: `
WITH toDate({from:Date}) AS d0, toDate({to:Date}) AS d1,
typed AS (
    SELECT toStartOfMonth(toDate(received_at)) AS month, county_code, headcount,
        multiIf(receiving_level = 'national' AND abnormal, 'beijing_abnormal',
                receiving_level = 'province' AND headcount >= 5, 'province_collective',
                receiving_level = 'city' AND headcount >= 5, 'city_collective', '') AS type
    FROM {{.DB}}.petitions
    WHERE (toDate(received_at) >= d0 AND toDate(received_at) < d1)
       OR (toDate(received_at) >= addYears(d0, -1) AND toDate(received_at) < addYears(d1, -1))
),
counts AS (
    SELECT month, county_code, type, count() AS n, sum(headcount) AS people
    FROM typed WHERE type != '' GROUP BY month, county_code, type
),
grid AS (
    SELECT arrayJoin(arrayMap(i -> addMonths(d0, i), range(toUInt32(dateDiff('month', d0, d1 - 1) + 1)))) AS month,
        code AS county_code,
        arrayJoin(['beijing_abnormal', 'province_collective', 'city_collective']) AS type
    FROM {{.DB}}.regions WHERE level = 'county'
)
SELECT g.month AS month, g.county_code AS county_code, g.type AS type,
    toUInt32(c.n) AS n, toUInt32(c.people) AS people, toUInt32(ly.n) AS n_last_year,
    if(n_last_year = 0, nan, (n - n_last_year) / n_last_year) AS yoy_change
FROM grid AS g
LEFT JOIN counts AS c ON c.month = g.month AND c.county_code = g.county_code AND c.type = g.type
LEFT JOIN counts AS ly ON ly.month = addYears(g.month, -1) AND ly.county_code = g.county_code AND ly.type = g.type
WHERE n > 0 OR n_last_year > 0
`}

// keyHistory: per petitioner key as of a day.
var keyHistory = Transform{Name: "key_history", Group: "flags", Scope: Whole,
	Incremental: &Incremental{Key: "petitioner_key", Dirty: keyHistoryDirty}, SQL: `
WITH toDate({as_of:Date}) AS as_of, ` + levelsArray + ` AS levels
SELECT petitioner_key, as_of,
    argMax(county_code, received_at) AS county_code,
    toUInt32(countIf(d > as_of - 30)) AS visits_30d,
    toUInt32(countIf(d > as_of - 90)) AS visits_90d,
    toUInt32(countIf(d > as_of - 365)) AS visits_365d,
    toUInt32(count()) AS visits_total,
    levels[max(indexOf(levels, receiving_level))] AS highest_level,
    countIf(d <= as_of - 30) > 0
        AND maxIf(indexOf(levels, receiving_level), d > as_of - 30) > maxIf(indexOf(levels, receiving_level), d <= as_of - 30) AS climbed_30d,
    min(received_at) AS first_seen,
    max(received_at) AS last_seen,
    -- the category with the most petitions, the latest first among equals,
    -- from the key's (category, time) pairs: most keys have one or two.
    -- Grouped by key and category first, then by key, the full query took
    -- at 10M petitions (9.5M pairs, 5M keys) 23.4–38.2 s (46–74 s of engine
    -- CPU); by key alone 13.5–15.3 s (26.5–29.9 s), the same rows (a
    -- checksum of all of them), alternating. A tick's 80 keys: the same.
    groupArray((category, received_at)) AS seen,
    if(length(seen) = 1, seen[1].1,
       arrayReverseSort(x -> (x.2, x.3),
           arrayMap(c -> (c, countEqual(seen.1, c), arrayMax(arrayFilter(x -> x.1 = c, seen).2)), arrayDistinct(seen.1)))[1].1) AS top_category
FROM (SELECT petitioner_key, category, receiving_level, received_at, county_code, toDate(received_at) AS d
      FROM {{.DB}}.petitions{{.KeyPrewhere "key_hash"}}
      WHERE toDate(received_at) <= as_of{{.Only "petitioner_key"}})
GROUP BY petitioner_key
`}

// keyHistoryDirty: the keys whose row can differ from the last run's —
// petitions stored since, dated in the days the as-of moved over, or dated
// on the days that left the 30, 90 and 365-day windows.
const keyHistoryDirty = `
WITH toDate({as_of:Date}) AS as_of, toDate({old_as_of:Date}) AS old_as_of
SELECT petitioner_key AS key FROM {{.DB}}.petitions
WHERE ingested_at > fromUnixTimestamp64Milli({since_ms:Int64})
   OR (old_as_of < as_of AND (
          (toDate(received_at) > old_as_of AND toDate(received_at) <= as_of)
       OR (toDate(received_at) > old_as_of - 30 AND toDate(received_at) <= as_of - 30)
       OR (toDate(received_at) > old_as_of - 90 AND toDate(received_at) <= as_of - 90)
       OR (toDate(received_at) > old_as_of - 365 AND toDate(received_at) <= as_of - 365)))
`

// hotlineAtRisk: callers with at least at_risk_min complaint or report
// orders in one category in the at-risk window, unresolved, not yet
// concluded or evaluated unsatisfied.
var hotlineAtRisk = Transform{Name: "hotline_at_risk", Group: "flags", Scope: Whole,
	// The window's orders of the callers and categories that can be at
	// risk are found once, into a scratch table (three CTEs read them).
	// Only pairs with at_risk_min orders can have that many unresolved, so
	// the outcomes and petitions looked up are theirs alone (at 10M orders
	// with their events, 0.49–0.62 → 0.25–0.35 s, four runs each; most
	// callers have one order in the window). The pairs are counted by the
	// caller's key hash, a narrow column, where hashing every order's key
	// and category took twice the engine's CPU (the window's 449k orders at
	// 10M: 0.23 → 0.12 s, the same rows); a hash collision would only let
	// another pair's orders into recent, where they are grouped by their
	// own key.
	Stages: []string{"recent"}, SQL: `
WITH toDate({as_of:Date}) AS as_of,
recent AS (
    SELECT order_id, caller_key, category, county_code, received_at
    FROM {{.DB}}.hotline_orders
    WHERE (key_hash, category) IN (
          SELECT key_hash, category FROM {{.DB}}.hotline_orders
          WHERE kind IN ('complaint', 'report')
            AND toDate(received_at) > as_of - {at_risk_days:UInt32} AND toDate(received_at) <= as_of
          GROUP BY key_hash, category HAVING count() >= {at_risk_min:UInt32})
      AND kind IN ('complaint', 'report')
      AND toDate(received_at) > as_of - {at_risk_days:UInt32} AND toDate(received_at) <= as_of
),
outcome AS (
    SELECT ref,
        countIf(type = 'concluded') > 0 AS concluded,
        argMaxIf(result, at, type = 'concluded') AS result,
        argMaxIf(satisfaction, at, type = 'evaluated') AS satisfaction
    FROM {{.DB}}.events
    -- an order's events come after it, so inside the window too (the
    -- events table is partitioned by month: this reads one or two)
    WHERE ref_kind = 'hotline' AND toDate(at) > as_of - {at_risk_days:UInt32} AND toDate(at) <= as_of
      AND ref IN (SELECT order_id FROM recent)
    GROUP BY ref
),
petitioned AS (
    SELECT petitioner_key, category, max(received_at) AS last_petition
    FROM {{.DB}}.petitions
    -- the callers' key hashes first, a narrow column (at 10M records the
    -- staging insert 0.089 → 0.057 s of engine CPU, the same rows)
    PREWHERE key_hash IN (SELECT cityHash64(caller_key) FROM recent)
    -- has_petitioned compares the last petition with the window's first
    -- order: earlier petitions cannot count
    WHERE toDate(received_at) > as_of - {at_risk_days:UInt32} AND toDate(received_at) <= as_of
      AND petitioner_key IN (SELECT caller_key FROM recent)
    GROUP BY petitioner_key, category
)
SELECT r.caller_key AS caller_key, r.category AS category, argMax(r.county_code, r.received_at) AS county_code, as_of,
    toUInt32(count()) AS orders_30d,
    toUInt32(countIf(NOT o.concluded OR o.result = 'unresolved' OR o.satisfaction = 'unsatisfied')) AS unresolved_30d,
    max(r.received_at) AS last_order_at,
    any(p.last_petition) >= min(r.received_at) AS has_petitioned
FROM recent AS r
LEFT JOIN outcome AS o ON o.ref = r.order_id
LEFT JOIN petitioned AS p ON p.petitioner_key = r.caller_key AND p.category = r.category
GROUP BY r.caller_key, r.category
HAVING unresolved_30d >= {at_risk_min:UInt32}
`}
