package transform

// caseStatus: status and statutory clocks per petition as of a day, from
// its events in whatever order they arrived (only the event times count).
// Days are calendar days in the city's time zone; a deadline day is on time.
//
// The events are grouped by case in the order they are stored (events is
// sorted by ref_kind, ref, at; optimize_aggregation_in_order): a case's
// aggregate states are then filled one after the other instead of at
// random among 10M, and the grouping of 28M events needs no hash table
// (alone 4.7–6.2 → 2.3 s). At 10M petitions the full staging insert took
// 37.6–39.8 s (69–72 s of engine CPU) against 51.4–52.8 s (95–97 s),
// alternating three times each, the same rows (a checksum of all of them);
// a tick's 60 cases' events the same (0.08–0.23 s either way).
var caseStatus = Transform{Name: "case_status", Group: "handling", Scope: Whole,
	Settings:    "optimize_aggregation_in_order = 1",
	Incremental: &Incremental{Key: "case_id", Dirty: caseStatusDirty, Stages: []string{"picked"}, Clock: caseStatusClock}, SQL: `
WITH toDate({as_of:Date}) AS as_of,
{{- if .Dirty}}
-- a tick's dirty petitions, read once into a scratch table (its staging
-- insert at 10M records 0.90–1.13 → 0.58–0.75 s, two ticks each)
picked AS (
    SELECT case_id, received_at, petitioner_key, category, receiving_level, responsible_unit, county_code, origin_region
    FROM {{.DB}}.petitions WHERE 1{{.Only "case_id"}}
),
{{- end}}
ev AS (
    SELECT ref,
        minIf(toDate(at), type = 'accepted') AS accepted_d, countIf(type = 'accepted') > 0 AS has_accepted,
        minIf(toDate(at), type = 'rejected') AS rejected_d, countIf(type = 'rejected') > 0 AS has_rejected,
        countIf(type = 'extended') > 0 AS extended,
        minIf(toDate(at), type = 'concluded') AS concluded_d, countIf(type = 'concluded') > 0 AS has_concluded,
        argMinIf(unit, at, type = 'concluded') AS concluding_unit,
        argMinIf(result, at, type = 'concluded') AS result,
        minIf(toDate(at), type = 'review_requested') AS review_req_d, countIf(type = 'review_requested') > 0 AS has_review_req,
        minIf(toDate(at), type = 'reviewed') AS reviewed_d, countIf(type = 'reviewed') > 0 AS has_reviewed,
        minIf(toDate(at), type = 'rereview_requested') AS rereview_req_d, countIf(type = 'rereview_requested') > 0 AS has_rereview_req,
        minIf(toDate(at), type = 'rereviewed') AS rereviewed_d, countIf(type = 'rereviewed') > 0 AS has_rereviewed,
        countIf(type = 'terminated') > 0 AS terminated,
        arraySort(x -> x.1, groupArrayIf((at, satisfaction), type = 'evaluated')) AS evaluations,
        maxIf(at, type = 'reopened') AS reopened_at,
        maxIf(at, type IN ('concluded', 'reviewed', 'rereviewed', 'terminated')) AS last_close_at
    FROM {{.DB}}.events
    WHERE ref_kind = 'petition' AND toDate(at) <= as_of{{.Only "ref"}}
    GROUP BY ref
),
escalated AS (
    SELECT DISTINCT lo.case_id AS case_id
    FROM (SELECT case_id, received_at, {{pair "petitioner_key" "category"}} AS pair FROM {{.From "picked" "petitions"}}
          WHERE receiving_level IN ('village', 'township')) AS lo
    INNER JOIN (SELECT received_at, {{pair "petitioner_key" "category"}} AS pair FROM {{.DB}}.petitions
          WHERE receiving_level IN ('county', 'city', 'province', 'national')
          {{- if .Dirty}}
            -- later than the earliest local case: the escalations of a
            -- tick's cases, mostly recent, are then in a few months'
            -- partitions (at 10M records 0.33 → 0.09 s; their keys are in
            -- nearly every granule, whose pseudonyms were all read)
            AND received_at > (SELECT min(received_at) FROM picked WHERE receiving_level IN ('village', 'township'))
            AND key_hash IN (SELECT cityHash64(petitioner_key) FROM picked)
            AND petitioner_key IN (SELECT petitioner_key FROM picked){{end}}) AS hi
      ON hi.pair = lo.pair
    WHERE hi.received_at > lo.received_at
      AND toDate(hi.received_at) <= least(as_of, toDate(lo.received_at) + {local_escalation_days:UInt32})
),
base AS (
    SELECT p.case_id AS case_id, p.received_at AS received_at, toDate(p.received_at) AS received_day,
        p.responsible_unit AS responsible_unit, p.county_code AS county_code, p.category AS category,
        p.receiving_level AS receiving_level,
        multiIf(length(p.origin_region) = 12, 'village', length(p.origin_region) = 9, 'township', 'county') AS origin_level,
        e.*,
        -- the values the columns below take more than once, computed here:
        -- an alias the same SELECT refers to is analysed again at each
        -- reference (the staging insert's planning 0.094 → 0.067 s of
        -- engine CPU)
        received_day + {accept_days:UInt32} AS accept_due,
        if(has_concluded, concluded_d, NULL) AS concluded_day,
        if(has_accepted, accepted_d + {conclude_days:UInt32} + if(extended, {extension_days:UInt32}, 0), NULL) AS conclude_due,
        has_review_req AND has_concluded AND review_req_d <= concluded_d + {review_request_days:UInt32} AS review_request_in_time,
        NOT has_concluded AND NOT has_rejected AND NOT terminated
            AND ((NOT has_accepted AND as_of > accept_due) OR (has_accepted AND as_of > assumeNotNull(conclude_due))) AS overdue,
        -- each month's latest evaluation: the last of the month's in time order
        arrayFilter((x, i) -> i = length(evaluations) OR toStartOfMonth(evaluations[i + 1].1) != toStartOfMonth(x.1),
            evaluations, arrayEnumerate(evaluations)) AS month_last
    FROM {{.From "picked" "petitions"}} AS p
    LEFT JOIN ev AS e ON e.ref = p.case_id
    WHERE toDate(p.received_at) <= as_of
),
units AS (SELECT code, level FROM {{.DB}}.units)
SELECT case_id, as_of, received_at, received_day, responsible_unit,
    ifNull(ru.level, '') AS unit_level,
    county_code, origin_level, category,
    multiIf(terminated, 'terminated',
            has_rereviewed, 'rereviewed', has_rereview_req, 'rereview',
            has_reviewed, 'reviewed', has_review_req, 'review',
            has_concluded AND reopened_at > last_close_at, 'accepted',
            has_concluded, 'concluded', has_rejected, 'rejected', has_accepted, 'accepted', 'registered') AS status,
    if(has_accepted, accepted_d, NULL) AS accepted_day,
    accept_due,
    has_accepted AND accepted_d <= accept_due AS accepted_on_time,
    extended,
    concluded_day,
    conclude_due,
    has_concluded AND has_accepted AND concluded_d <= assumeNotNull(conclude_due) AS concluded_on_time,
    ifNull(cu.level, '') AS concluding_unit_level,
    result,
    if(has_review_req, review_req_d, NULL) AS review_requested_day,
    review_request_in_time,
    if(has_reviewed, reviewed_d, NULL) AS reviewed_day,
    has_reviewed AND has_review_req AND reviewed_d <= review_req_d + {review_days:UInt32} AS reviewed_on_time,
    if(has_rereview_req, rereview_req_d, NULL) AS rereview_requested_day,
    if(has_rereviewed, rereviewed_d, NULL) AS rereviewed_day,
    terminated,
    has_rejected AS rejected,
    if(empty(evaluations), '', evaluations[-1].2) AS satisfaction,
    has_concluded AND NOT review_request_in_time AND as_of > concluded_d + {review_request_days:UInt32}
        AND NOT (reopened_at > last_close_at) AS first_resolution,
    toUInt32(dateDiff('day', received_day, if(has_concluded, concluded_d, as_of))) AS open_days,
    overdue,
    NOT has_concluded AND NOT has_rejected AND NOT terminated
        AND (overdue OR dateDiff('day', received_day, as_of) > {backlog_days:UInt32}) AS backlog,
    origin_level IN ('village', 'township') AND receiving_level IN ('village', 'township')
        AND has_concluded AND concluding_unit_level = 'township'
        AND case_id NOT IN (SELECT case_id FROM escalated) AS local_resolution,
    arrayMap(x -> toStartOfMonth(x.1), month_last) AS evaluated_months,
    arrayMap(x -> x.2, month_last) AS evaluated_satisfaction,
    greatest(accept_due, ifNull(concluded_day, toDate('2149-06-06')), ifNull(conclude_due, accept_due),
        if(empty(evaluations), accept_due, toDate(evaluations[-1].1))) AS active_until
FROM base
LEFT JOIN units AS ru ON ru.code = base.responsible_unit
LEFT JOIN units AS cu ON cu.code = base.concluding_unit
`}

// caseStatusDirty: the cases whose row can differ from the last run's
// other than by the day alone — petitions and events stored since or dated
// in the days the as-of moved over, the village and township cases of the
// same key and category (their escalation), and on a new day every
// concluded case whose review window closed in between (first_resolution:
// as_of > concluded day + review_request_days; nothing else of a concluded
// case depends on the day). The cases not concluded, whose clocks the day
// moves, are caseStatusClock's.
const caseStatusDirty = `
WITH toDate({as_of:Date}) AS as_of, toDate({old_as_of:Date}) AS old_as_of,
fresh AS (
    SELECT case_id, petitioner_key, category FROM {{.DB}}.petitions
    WHERE ingested_at > fromUnixTimestamp64Milli({since_ms:Int64})
       OR (old_as_of < as_of AND toDate(received_at) > old_as_of AND toDate(received_at) <= as_of)
)
SELECT case_id AS key FROM fresh
UNION ALL
SELECT ref AS key FROM {{.DB}}.events
WHERE ref_kind = 'petition' AND (ingested_at > fromUnixTimestamp64Milli({since_ms:Int64})
    OR (old_as_of < as_of AND toDate(at) > old_as_of AND toDate(at) <= as_of))
UNION ALL
SELECT case_id AS key FROM {{.DB}}.petitions
PREWHERE key_hash IN (SELECT cityHash64(petitioner_key) FROM fresh)
WHERE receiving_level IN ('village', 'township') AND (petitioner_key, category) IN (SELECT petitioner_key, category FROM fresh)
UNION ALL
SELECT case_id AS key FROM {{.DB}}.case_status
WHERE old_as_of < as_of AND concluded_day IS NOT NULL
  AND assumeNotNull(concluded_day) + {review_request_days:UInt32} >= old_as_of
  AND assumeNotNull(concluded_day) + {review_request_days:UInt32} < as_of
`

// caseStatusClock: on a new day a case not concluded, whose records did not
// change, keeps every value but those the day moves: as_of, open_days,
// overdue and backlog, as the full SQL defines them for a case with no
// conclusion (first_resolution and local_resolution stay false and
// active_until stays open). The stored rejected and terminated stop its
// clocks.
var caseStatusClock = &Clock{Rows: "concluded_day IS NULL", Replace: `
    toDate({as_of:Date}) AS as_of,
    toUInt32(dateDiff('day', received_day, toDate({as_of:Date}))) AS open_days,
    NOT rejected AND NOT terminated
        AND ((accepted_day IS NULL AND toDate({as_of:Date}) > accept_due)
             OR (accepted_day IS NOT NULL AND toDate({as_of:Date}) > assumeNotNull(conclude_due))) AS overdue,
    NOT rejected AND NOT terminated
        AND ((accepted_day IS NULL AND toDate({as_of:Date}) > accept_due)
             OR (accepted_day IS NOT NULL AND toDate({as_of:Date}) > assumeNotNull(conclude_due))
             OR dateDiff('day', received_day, toDate({as_of:Date})) > {backlog_days:UInt32}) AS backlog`}

// hotlineStatus: each 12345 order as unit_monthly's hotline rates count
// it, from its events dated from the first day of its month to 60 days
// after the month's end: contacted within 24 hours, concluded, the latest
// conclusion's result and the latest evaluation. No value depends on the
// day, so a tick recomputes only the orders whose records it stored, and
// unit_monthly reads its month's rows instead of grouping the month's
// events and joining them to its orders (at 10M orders 0.46–0.72 s of a
// tick; reading its rows 0.05–0.08 s).
//
// The events are joined to their orders first and aggregated under the
// order's window, grouped by a 128-bit hash of the order (pairSQL's
// reasoning). Each order's events gathered into an array and filtered
// took the full query at 10M orders 21.9–33.0 s (42–56 s of engine CPU)
// against 16.5–19.9 s (31–38 s), the same rows (a checksum of all of
// them), alternating; 100 orders' rows, a tick's, 94–130 ms against
// 91–230 ms (medians 115 and 94). Orders with no event come through the
// RIGHT JOIN with none counted.
var hotlineStatus = Transform{Name: "hotline_status", Group: "handling", Scope: Whole,
	Incremental: &Incremental{Key: "order_id", Dirty: hotlineStatusDirty}, SQL: `
SELECT any(o.order_id) AS order_id, any(o.month) AS month, any(o.received_at) AS received_at,
    any(o.assigned_unit) AS assigned_unit,
    minIf(e.ms, e.type = 'contacted' AND e.day >= o.month AND e.day < o.window_end) AS first_contact,
    first_contact > 0 AND first_contact - toUnixTimestamp64Milli(received_at) <= 86400000 AS contacted_24h,
    countIf(e.type = 'concluded' AND e.day >= o.month AND e.day < o.window_end) > 0 AS concluded,
    argMaxIf(e.result, e.ms, e.type = 'concluded' AND e.day >= o.month AND e.day < o.window_end) AS result,
    argMaxIf(e.satisfaction, e.ms, e.type = 'evaluated' AND e.day >= o.month AND e.day < o.window_end) AS satisfaction
FROM (
    SELECT ref, toDate(at) AS day, toUnixTimestamp64Milli(at) AS ms, type, result, satisfaction
    FROM {{.DB}}.events
    WHERE ref_kind = 'hotline'{{.Only "ref"}}
) AS e
RIGHT JOIN (
    SELECT order_id, {{hash "order_id"}} AS h, received_at, assigned_unit,
        toStartOfMonth(toDate(received_at)) AS month, addMonths(month, 1) + 60 AS window_end
    FROM {{.DB}}.hotline_orders
    WHERE 1{{.Only "order_id"}}
) AS o ON e.ref = o.order_id
GROUP BY o.h
`}

// hotlineStatusDirty: the orders stored since, and those with an event
// stored since.
const hotlineStatusDirty = `
SELECT order_id AS key FROM {{.DB}}.hotline_orders WHERE ingested_at > fromUnixTimestamp64Milli({since_ms:Int64})
UNION ALL
SELECT ref AS key FROM {{.DB}}.events WHERE ref_kind = 'hotline' AND ingested_at > fromUnixTimestamp64Milli({since_ms:Int64})
`

// backlogAt is the 积案 condition at the end of day D for a case_status row.
const backlogAt = `(received_day <= %[1]s
    AND NOT (concluded_day IS NOT NULL AND assumeNotNull(concluded_day) <= %[1]s)
    AND status != 'rejected' AND NOT terminated
    AND ((ifNull(accepted_day, toDate('2149-06-06')) > %[1]s AND %[1]s > accept_due)
         OR (accepted_day IS NOT NULL AND assumeNotNull(accepted_day) <= %[1]s AND %[1]s > assumeNotNull(conclude_due))
         OR dateDiff('day', received_day, %[1]s) > {backlog_days:UInt32}))`

// unitMonthly: 办理 rates per unit and month from case_status and
// hotline_status. See docs/INDICATORS.md for each definition. Its two
// sources are computed first (Stages): a tick's unit_monthly at 10M records
// 1.92–2.03 s as one query, 1.72 s in stages (two ticks each), the same rows.
// The petitions' evaluations are case_status' evaluated_months, and the
// month reads only the rows of cases active in it (case_status is ordered
// by the month of active_until first): joining the month's 367k
// evaluations to 10M petitions for their unit took 0.56–0.60 s, and reading
// case_status whole 0.48–0.55 s against 0.13–0.22 s.
var unitMonthly = Transform{Name: "unit_monthly", Group: "handling", Scope: Monthly, PerMonth: true,
	Stages: []string{"petition_rows", "hotline_rows"}, SQL: `
WITH toDate({from:Date}) AS d0, toDate({to:Date}) AS d1, d0 - 1 AS before, d1 - 1 AS last,
measures AS (
    SELECT responsible_unit AS unit,
        received_day >= d0 AND received_day < d1 AS m_received,
        accept_due >= d0 AND accept_due < d1 AS m_accept_due,
        m_accept_due AND accepted_on_time AS m_accepted_on_time,
        conclude_due IS NOT NULL AND assumeNotNull(conclude_due) >= d0 AND assumeNotNull(conclude_due) < d1 AS m_conclude_due,
        m_conclude_due AND concluded_on_time AS m_concluded_on_time,
        concluded_day IS NOT NULL AND assumeNotNull(concluded_day) >= d0 AND assumeNotNull(concluded_day) < d1 AS m_concluded,
        m_concluded AND first_resolution AS m_first_resolved,
        m_concluded AND review_request_in_time AS m_review_requested,
        ` + "{{printf `" + backlogAt + "` `before`}}" + ` AS m_backlog_start,
        ` + "{{printf `" + backlogAt + "` `last`}}" + ` AS m_backlog_end,
        m_backlog_start AND m_concluded AS m_backlog_cleared,
        m_concluded AND origin_level IN ('village', 'township') AS m_local_candidate,
        m_local_candidate AND local_resolution AS m_local_resolved,
        indexOf(evaluated_months, d0) AS evaluation,
        evaluation > 0 AS m_evaluated,
        m_evaluated AND evaluated_satisfaction[evaluation] = 'satisfied' AS m_satisfied,
        m_evaluated AND evaluated_satisfaction[evaluation] = 'basic' AS m_basic
    FROM {{.DB}}.case_status
    -- every row a measure below can count: received or due in the month,
    -- or not concluded before it (which backlog needs), or evaluated in
    -- it; rows whose active_until is before the month hold none
    WHERE active_until >= d0
      AND ((received_day < d1
            AND (received_day >= d0 - {accept_days:UInt32} OR concluded_day IS NULL OR assumeNotNull(concluded_day) >= before
                 OR (conclude_due IS NOT NULL AND assumeNotNull(conclude_due) >= d0)))
           OR m_evaluated)
),
petition_rows AS (
    SELECT unit,
        countIf(m_received) AS received, countIf(m_accept_due) AS accept_due, countIf(m_accepted_on_time) AS accepted_on_time,
        countIf(m_conclude_due) AS conclude_due, countIf(m_concluded_on_time) AS concluded_on_time,
        countIf(m_concluded) AS concluded, countIf(m_first_resolved) AS first_resolved,
        countIf(m_review_requested) AS review_requested,
        countIf(m_backlog_start) AS backlog_start, countIf(m_backlog_end) AS backlog_end, countIf(m_backlog_cleared) AS backlog_cleared,
        countIf(m_local_candidate) AS local_candidates, countIf(m_local_resolved) AS local_resolved,
        countIf(m_evaluated) AS evaluated, countIf(m_satisfied) AS satisfied, countIf(m_basic) AS basic,
        0 AS h_orders, 0 AS h_contacted, 0 AS h_concluded, 0 AS h_resolved, 0 AS h_evaluated, 0. AS h_satisfaction_points
    FROM measures GROUP BY unit
),
hotline_rows AS (
    SELECT s.assigned_unit AS unit,
        0 AS received, 0 AS accept_due, 0 AS accepted_on_time, 0 AS conclude_due, 0 AS concluded_on_time,
        0 AS concluded, 0 AS first_resolved, 0 AS review_requested, 0 AS backlog_start, 0 AS backlog_end,
        0 AS backlog_cleared, 0 AS local_candidates, 0 AS local_resolved,
        0 AS evaluated, 0 AS satisfied, 0 AS basic,
        -- qualified: concluded and evaluated are this SELECT's aliases too
        count() AS h_orders,
        countIf(s.contacted_24h) AS h_contacted,
        countIf(s.concluded) AS h_concluded,
        countIf(s.concluded AND s.result = 'resolved') AS h_resolved,
        countIf(s.satisfaction != '') AS h_evaluated,
        sum(multiIf(s.satisfaction = 'satisfied', 1., s.satisfaction = 'basic', {basic_weight:Float64}, 0.)) AS h_satisfaction_points
    FROM {{.DB}}.hotline_status AS s
    WHERE s.month >= toStartOfMonth(d0) AND s.month < d1 AND toDate(s.received_at) >= d0 AND toDate(s.received_at) < d1
    GROUP BY unit
),
SELECT d0 AS month, unit,
    toUInt32(sum(received)) AS received,
    toUInt32(sum(accept_due)) AS accept_due, toUInt32(sum(accepted_on_time)) AS accepted_on_time,
    if(accept_due = 0, nan, accepted_on_time / accept_due) AS accept_on_time_rate,
    toUInt32(sum(conclude_due)) AS conclude_due, toUInt32(sum(concluded_on_time)) AS concluded_on_time,
    if(conclude_due = 0, nan, concluded_on_time / conclude_due) AS conclude_on_time_rate,
    toUInt32(sum(concluded)) AS concluded, toUInt32(sum(first_resolved)) AS first_resolved,
    if(concluded = 0, nan, first_resolved / concluded) AS first_resolution_rate,
    toUInt32(sum(review_requested)) AS review_requested,
    if(concluded = 0, nan, review_requested / concluded) AS review_rate,
    toUInt32(sum(evaluated)) AS evaluated, toUInt32(sum(satisfied)) AS satisfied, toUInt32(sum(basic)) AS basic,
    if(evaluated = 0, nan, (satisfied + basic) / evaluated) AS satisfaction_rate,
    toUInt32(sum(backlog_start)) AS backlog_start, toUInt32(sum(backlog_end)) AS backlog_end,
    toUInt32(sum(backlog_cleared)) AS backlog_cleared,
    if(backlog_start = 0, nan, backlog_cleared / backlog_start) AS clearance_rate,
    toUInt32(sum(local_candidates)) AS local_candidates, toUInt32(sum(local_resolved)) AS local_resolved,
    if(local_candidates = 0, nan, local_resolved / local_candidates) AS local_resolution_share,
    toUInt32(sum(h_orders)) AS hotline_orders, toUInt32(sum(h_contacted)) AS hotline_contacted_24h,
    if(hotline_orders = 0, nan, hotline_contacted_24h / hotline_orders) AS hotline_response_rate,
    toUInt32(sum(h_concluded)) AS hotline_concluded, toUInt32(sum(h_resolved)) AS hotline_resolved,
    if(hotline_concluded = 0, nan, hotline_resolved / hotline_concluded) AS hotline_resolution_rate,
    toUInt32(sum(h_evaluated)) AS hotline_evaluated,
    if(hotline_evaluated = 0, nan, sum(h_satisfaction_points) / hotline_evaluated) AS hotline_satisfaction_rate
FROM (
    SELECT * FROM petition_rows UNION ALL SELECT * FROM hotline_rows
)
GROUP BY unit
HAVING received + accept_due + conclude_due + concluded + evaluated + backlog_start + backlog_end + hotline_orders > 0
`}

// zeroReport: 零报告 compliance of every government unit on each day, up to
// today (UpToToday), of a sensitive period that requires daily reports.
var zeroReport = Transform{Name: "zero_report_compliance", Group: "handling", Scope: Monthly, UpToToday: true, SQL: `
WITH toDate({from:Date}) AS d0, toDate({to:Date}) AS d1,
days AS (
    SELECT arrayJoin(arrayMap(i -> d0 + i, range(toUInt32(d1 - d0)))) AS day
),
required AS (
    SELECT d.day AS day, u.code AS unit, substring(u.region, 1, 6) AS county_code, p.name AS period
    FROM days AS d
    CROSS JOIN {{.DB}}.units AS u
    CROSS JOIN {{.DB}}.sensitive_periods AS p
    WHERE u.kind = 'government' AND p.zero_report_required AND d.day >= p.start AND d.day <= p.end
      AND (p.region = '' OR startsWith(u.region, p.region))
    LIMIT 1 BY day, unit
),
filed AS (
    SELECT unit, day, min(submitted_at) AS first_submitted, sum(incidents) AS incidents
    FROM {{.DB}}.unit_reports WHERE day >= d0 AND day < d1
    GROUP BY unit, day
)
SELECT r.day AS day, r.unit AS unit, r.county_code AS county_code, r.period AS period,
    f.unit != '' AS filed,
    filed AND f.first_submitted >= addHours(toDateTime(r.day + 1, 'Asia/Shanghai'), {late_hours:UInt32}) AS late,
    toUInt32(f.incidents) AS incidents
FROM required AS r
LEFT JOIN filed AS f ON f.unit = r.unit AND f.day = r.day
`}
