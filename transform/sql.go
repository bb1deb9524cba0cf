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
// surveillance::earsC (1.20) on the CTE named input (columns: the key
// columns, day, n; one row per key and day, no gaps), ending in the CTE "ears" with
// c1_upper, c2_upper, c3_upper (NaN where earsC gives no value or NaN) and
// the three alarms. With the baseline b:
//
//	C1: the b days before t;          upper = mean + z1·max(sd, minSigma)
//	C2: the b days before t-2;        upper = mean + z2·max(sd, minSigma)
//	C3: upper = n_t + max(sd2_t, minSigma)·(z3 − Σ_{i=1,2} max(0, C2stat_{t−i} − 1)),
//	    clipped at 0, where C2stat = (n − mean2)/max(sd2, minSigma)
//
// sd is the sample standard deviation, computed from exact integer sums.
// A value needs b (C1), b+2 (C2) or b+4 (C3) days before it in the series.
func earsSQL(input, keys string, b int) string {
	sd := func(k, s, q string) string {
		return fmt.Sprintf("sqrt(greatest(0., (%[1]s * %[3]s - %[2]s * %[2]s) / (%[1]s * (%[1]s - 1))))", k, s, q)
	}
	sig := func(x string) string { return "greatest(" + x + ", {min_sigma:Float64})" }
	return fmt.Sprintf(`
ears_sums AS (
    SELECT *,
        row_number() OVER (PARTITION BY %[1]s ORDER BY day) AS rn,
        toFloat64(sum(toUInt64(n)) OVER w1) AS s1, toFloat64(sum(toUInt64(n) * n) OVER w1) AS q1,
        toFloat64(sum(toUInt64(n)) OVER w2) AS s2, toFloat64(sum(toUInt64(n) * n) OVER w2) AS q2
    FROM %[8]s
    WINDOW w1 AS (PARTITION BY %[1]s ORDER BY day ROWS BETWEEN %[2]d PRECEDING AND 1 PRECEDING),
           w2 AS (PARTITION BY %[1]s ORDER BY day ROWS BETWEEN %[3]d PRECEDING AND 3 PRECEDING)
),
ears_stats AS (
    SELECT *,
        s1 / %[2]d AS mu1, %[4]s AS sig1,
        s2 / %[2]d AS mu2, %[5]s AS sig2,
        if(rn > %[3]d, (n - mu2) / sig2, nan) AS c2stat
    FROM ears_sums
),
ears_lags AS (
    SELECT *,
        lagInFrame(c2stat, 1, nan) OVER w3 AS c2lag1,
        lagInFrame(c2stat, 2, nan) OVER w3 AS c2lag2
    FROM ears_stats
    WINDOW w3 AS (PARTITION BY %[1]s ORDER BY day ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)
),
ears AS (
    SELECT *,
        if(rn > %[2]d, mu1 + {z1:Float64} * sig1, nan) AS c1_upper,
        if(rn > %[3]d, mu2 + {z2:Float64} * sig2, nan) AS c2_upper,
        if(rn > %[6]d, %[7]s, nan) AS c3_upper,
        n > c1_upper AS c1_alarm,
        n > c2_upper AS c2_alarm,
        n > c3_upper AS c3_alarm
    FROM ears_lags
)`, keys, b, b+2,
		sig(sd(fmt.Sprint(b), "s1", "q1")), sig(sd(fmt.Sprint(b), "s2", "q2")), b+4,
		nanMax0("n + sig2 * ({z3:Float64} - ("+nanMax0("c2lag2 - 1")+" + "+nanMax0("c2lag1 - 1")+"))"), input)
}
