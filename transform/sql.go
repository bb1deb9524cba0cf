package transform

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
)

// sqlVars fill a transform's SQL template. Only the database identifier
// (quoted) and validated integers are spliced in; every other value is a
// {name:Type} query parameter.
type sqlVars struct {
	DB       string // quoted database identifier
	Baseline int    // EARS baseline days
	Lookback int    // days of data before a month that its risk rows need
	// EARSLookback: days of data before a day that its EARS values need.
	EARSLookback int
	CUSUM        int // CUSUM run-in weeks
	// Window lengths: as RANGE frame offsets in seconds (frames take 32-bit
	// offsets), and in milliseconds for comparisons.
	RepeatSec, SkipSec int64
	EscalationMs       int64
	// Dirty, in an incremental run, is the table of the keys to recompute.
	Dirty string
}

// Only restricts a query to the keys an incremental run recomputes:
// "AND col IN (SELECT key FROM dirty)", or nothing in a full run.
func (v sqlVars) Only(col string) string {
	if v.Dirty == "" {
		return ""
	}
	return " AND " + col + " IN (SELECT key FROM " + v.Dirty + ")"
}

// KeyPrewhere, in an incremental run, is a PREWHERE clause that finds the
// dirty keys' rows of a table by hashCol, the cityHash64 of its pseudonym
// column, which the engine reads before any other (a scan of 10M
// petitions' keys 0.25–0.28 s, of their hashes 0.09 s); the query's WHERE
// then holds Only on the key itself. Left to choose, the engine filtered a
// cheap-looking date condition first, over every row: key_history's dirty
// petitions at 10M records 0.15 → 0.08 s.
func (v sqlVars) KeyPrewhere(hashCol string) string {
	if v.Dirty == "" {
		return ""
	}
	return " PREWHERE " + hashCol + " IN (SELECT cityHash64(key) FROM " + v.Dirty + ")"
}

// From is, in an incremental run, the CTE cte (defined only then, for the
// dirty keys' rows of table, read once: Incremental.Stages); in a full run
// the table itself, which the engine reads faster than through a CTE (a
// full case_status at 10M records: 48.3–55.7 s and 95–102 s of engine CPU
// straight from the table, 53.6–61.1 s and 105–109 s through the CTE; four
// runs each, alternating, two with CPU).
func (v sqlVars) From(cte, table string) string {
	if v.Dirty == "" {
		return v.DB + "." + table
	}
	return cte
}

func (c Config) vars(database string) sqlVars {
	return sqlVars{
		DB:       "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`").Replace(database) + "`",
		Baseline: c.Baseline,
		Lookback: c.Baseline + 4 + 35, EARSLookback: c.Baseline + 4,
		CUSUM:     c.CUSUMRunInWeeks,
		RepeatSec: int64(c.RepeatWindowDays) * 86400, SkipSec: int64(c.SkipLevelWindowDays) * 86400,
		EscalationMs: int64(c.EscalationWindowDays) * 86400000,
	}
}

var funcs = template.FuncMap{
	"add":  func(a, b int) int { return a + b },
	"ears": earsSQL,
	"pair": pairSQL,
	"hash": hashSQL,
}

// hashSQL is a 128-bit hash of a key, for grouping on it (see pairSQL).
func hashSQL(key string) string {
	return "reinterpretAsUInt128(sipHash128(" + key + "))"
}

// pairSQL is a 128-bit hash of a key and a category (UInt128): sorting,
// grouping and joining on it is several times cheaper than on the
// 64-character key and the category, and a collision among even 10^9
// pairs has a probability under 10^-20.
func pairSQL(key, category string) string {
	return "reinterpretAsUInt128(sipHash128(" + key + ", " + category + "))"
}

func render(name, tmpl string, v sqlVars) (string, error) {
	t, err := template.New(name).Funcs(funcs).Option("missingkey=error").Parse(tmpl)
	if err != nil {
		return "", fmt.Errorf("transform %s: bad SQL template: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return "", fmt.Errorf("transform %s: %w", name, err)
	}
	return b.String(), nil
}

// nanMax0 is max(0, x) that keeps NaN, as R's pmax does (ClickHouse's
// greatest(0, nan) depends on argument order).
func nanMax0(x string) string { return "if(isNaN(" + x + "), " + x + ", greatest(0., " + x + "))" }

// earsSQL returns CTEs that compute EARS C1, C2 and C3 exactly as R's
// surveillance::earsC (1.20) on the CTE named input: one row a series with
// its days as the array ns (UInt32, no gaps) starting at the day day0, and
// the columns named in carry. The CTE "ears_cells" adds, a series, the
// arrays c1u, c2u and c3u of upper bounds (NaN where earsC gives no value
// or NaN); "ears" has one row a series and day with the carried columns,
// day, n, rn (the day's place in the series, from 1), the bounds and the
// three alarms. With the baseline b:
//
//	C1: the b days before t;          upper = mean + z1·max(sd, minSigma)
//	C2: the b days before t-2;        upper = mean + z2·max(sd, minSigma)
//	C3: upper = n_t + max(sd2_t, minSigma)·(z3 − Σ_{i=1,2} max(0, C2stat_{t−i} − 1)),
//	    clipped at 0, where C2stat = (n − mean2)/max(sd2, minSigma)
//
// sd is the sample standard deviation, computed from exact integer sums.
// A value needs b (C1), b+2 (C2) or b+4 (C3) days before it in the series.
// The sums over the baselines are differences of each series' running sums
// and the lags are the array shifted, a series at a time, instead of
// window functions over the exploded rows (the same values, and no sort:
// two years at 10M records hotspot_daily 6.5 → 5.0 s, risk_daily 7.9 →
// 6.8 s; a tick's single month no faster). C2's deviation, which C3 takes
// too, is an array of its own (ears_d2): where it was written out in each
// lambda, the engine analysed it three times (a tick's EARS stage at 10M
// records 0.124 → 0.111 s of its CPU, the same bounds).
func earsSQL(input, carry string, b int) string {
	sd := func(s, q string) string {
		return fmt.Sprintf("sqrt(greatest(0., (%[1]d * %[3]s - %[2]s * %[2]s) / (%[1]d * (%[1]d - 1))))", b, s, q)
	}
	sig := func(x string) string { return "greatest(" + x + ", {min_sigma:Float64})" }
	return fmt.Sprintf(`
ears_sums AS (
    SELECT *,
        arrayCumSum(CAST(ns AS Array(UInt64))) AS ears_cn,
        arrayCumSum(arrayMap(x -> toUInt64(x) * x, ns)) AS ears_cq,
        %[4]s AS ears_s1, %[5]s AS ears_q1, %[6]s AS ears_s2, %[7]s AS ears_q2
    FROM %[1]s
),
ears_stats AS (
    SELECT *,
        arrayMap((s2, q2) -> %[9]s, ears_s2, ears_q2) AS ears_d2,
        arrayMap((i, s1, q1) -> if(i > %[2]d, s1 / %[2]d + {z1:Float64} * %[8]s, nan), arrayEnumerate(ns), ears_s1, ears_q1) AS c1u,
        arrayMap((i, s2, d2) -> if(i > %[3]d, s2 / %[2]d + {z2:Float64} * d2, nan), arrayEnumerate(ns), ears_s2, ears_d2) AS c2u,
        arrayMap((i, x, s2, d2) -> if(i > %[3]d, (x - s2 / %[2]d) / d2, nan), arrayEnumerate(ns), ns, ears_s2, ears_d2) AS ears_c2stat
    FROM ears_sums
),
ears_cells AS (
    SELECT * EXCEPT (ears_cn, ears_cq, ears_s1, ears_q1, ears_s2, ears_q2, ears_d2, ears_c2stat),
        arrayMap((i, x, d2, lag1, lag2) -> if(i > %[10]d, %[11]s, nan),
            arrayEnumerate(ns), ns, ears_d2, %[12]s, %[13]s) AS c3u
    FROM ears_stats
),
ears AS (
    SELECT %[14]s, day0 + toUInt32(rn - 1) AS day, n, rn, c1_upper, c2_upper, c3_upper,
        n > c1_upper AS c1_alarm,
        n > c2_upper AS c2_alarm,
        n > c3_upper AS c3_alarm
    FROM ears_cells
    ARRAY JOIN ns AS n, arrayEnumerate(ns) AS rn, c1u AS c1_upper, c2u AS c2_upper, c3u AS c3_upper
)`, input, b, b+2,
		floatWindow("ears_cn", b, 1), floatWindow("ears_cq", b, 1), floatWindow("ears_cn", b+2, 3), floatWindow("ears_cq", b+2, 3),
		sig(sd("s1", "q1")), sig(sd("s2", "q2")), b+4,
		nanMax0("x + d2 * ({z3:Float64} - ("+nanMax0("lag2 - 1")+" + "+nanMax0("lag1 - 1")+"))"),
		shifted("ears_c2stat", 1, "nan"), shifted("ears_c2stat", 2, "nan"), carry)
}

// shifted is the array a moved k places later, the first k filled with
// fill, as long as a: element i is a[i-k] (lagInFrame(a, k, fill)). One
// function, not the array resized from the fill and a concatenated: with
// windowSum's array difference, the engine planned a tick's EARS stage
// (EXPLAIN PLAN) in 0.075 s instead of 0.098.
func shifted(a string, k int, fill string) string {
	switch {
	case k == 0:
		return a
	case fill == "0": // the element type's default
		return fmt.Sprintf("arrayShiftRight(%s, %d)", a, k)
	}
	return fmt.Sprintf("arrayShiftRight(%s, %d, %s)", a, k, fill)
}

// windowSum is, from the running sums c of a series, the array of its sums
// over the rows from far to near places before each (ROWS BETWEEN far
// PRECEDING AND near PRECEDING, near 0 the row itself; fewer rows at the
// start), as Int64.
func windowSum(c string, far, near int) string {
	return fmt.Sprintf("(%s - %s)", shifted(c, near, "0"), shifted(c, far+1, "0"))
}

// floatWindow is windowSum as Float64 (what the EARS statistics take).
func floatWindow(c string, far, near int) string {
	return "CAST(" + windowSum(c, far, near) + " AS Array(Float64))"
}
