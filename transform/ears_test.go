package transform

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/warehouse/whtest"
)

func TestMain(m *testing.M) { os.Exit(whtest.Main(m)) }

// TestEARSMatchesR runs the EARS SQL on the series of
// testdata/ears/reference.csv (made by reference.R with R's
// surveillance::earsC) and compares every upper bound and alarm to 1e-6.
func TestEARSMatchesR(t *testing.T) {
	f, err := os.Open("testdata/ears/reference.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	type ref struct {
		upper float64
		alarm string
	}
	series := map[string]map[int]int{} // series -> t -> observed
	refs := map[string]ref{}           // series|t|method|alpha|minSigma
	for _, r := range recs[1:] {
		tt, _ := strconv.Atoi(r[1])
		obs, _ := strconv.Atoi(r[2])
		if series[r[0]] == nil {
			series[r[0]] = map[int]int{}
		}
		series[r[0]][tt] = obs
		up, _ := strconv.ParseFloat(r[6], 64) // "NaN" parses as NaN
		refs[strings.Join([]string{r[0], r[1], r[3], r[4], r[5]}, "|")] = ref{up, r[7]}
	}
	// The reference rows start at t = baseline+1; the first seven values come
	// from the C1 rows' baselines, which the CSV does not list: rebuild the
	// full series from reference.R's definitions instead.
	full := map[string][]int{
		"steady":   {3, 4, 2, 5, 3, 4, 3, 2, 4, 3, 5, 4, 3, 2, 6, 3, 4, 12, 5, 3, 4, 3, 2, 4, 3},
		"sparse":   {0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 5, 0, 1, 0, 0, 0, 0, 3, 0, 0},
		"surge":    {10, 12, 9, 11, 10, 13, 12, 11, 10, 9, 12, 30, 35, 40, 12, 11, 10, 9, 13, 12, 11, 10, 12, 11, 10},
		"flat":     {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 5, 5, 5, 9, 5, 5, 5, 5, 5, 5, 5, 5},
		"seasonal": seasonal(),
	}
	for name, xs := range full {
		for tt, obs := range series[name] {
			if xs[tt-1] != obs {
				t.Fatalf("series %s t=%d: reference.R has %d, the test %d", name, tt, obs, xs[tt-1])
			}
		}
	}
	db := whtest.Open(t, whtest.NewDatabase(t))
	ctx := context.Background()
	var values []string
	for name, xs := range full {
		for i, x := range xs {
			values = append(values, fmt.Sprintf("('%s', toDate('2026-01-01') + %d, %d)", name, i, x))
		}
	}
	checked := 0
	for _, minSigma := range []float64{0, 0.5} {
		for _, alphas := range [][3]float64{{0.001, 0.001, 0.025}, {0.05, 0.05, 0.05}} {
			cfg := DefaultConfig()
			cfg.MinSigma, cfg.AlphaC1, cfg.AlphaC2, cfg.AlphaC3 = minSigma, alphas[0], alphas[1], alphas[2]
			q := "WITH series AS (SELECT name, min(day) AS day0, arrayMap(x -> x.2, arraySort(groupArray((day, toUInt32(n))))) AS ns" +
				" FROM values('name String, day Date, n UInt32', " + strings.Join(values, ", ") + ") GROUP BY name),\n" +
				earsSQL("series", "name", 7) +
				"\nSELECT name, rn, c1_upper, c2_upper, c3_upper, c1_alarm, c2_alarm, c3_alarm FROM ears"
			params := clickhouse.Parameters{}
			for k, v := range cfg.params() {
				params[k] = v
			}
			rows, err := db.Query(clickhouse.Context(ctx, clickhouse.WithParameters(params)), q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var name string
				var rn uint32
				var up [3]float64
				var al [3]bool
				if err := rows.Scan(&name, &rn, &up[0], &up[1], &up[2], &al[0], &al[1], &al[2]); err != nil {
					t.Fatal(err)
				}
				for m, method := range []string{"C1", "C2", "C3"} {
					key := strings.Join([]string{name, fmt.Sprint(rn), method, fmt.Sprintf("%.10g", alphas[m]), fmt.Sprintf("%.10g", minSigma)}, "|")
					want, ok := refs[key]
					if !ok {
						if !math.IsNaN(up[m]) {
							t.Errorf("%s: R gives no value, SQL gives %v", key, up[m])
						}
						continue
					}
					checked++
					switch {
					case math.IsNaN(want.upper) != math.IsNaN(up[m]):
						t.Errorf("%s: upper %v, R %v", key, up[m], want.upper)
					case !math.IsNaN(want.upper) && math.Abs(want.upper-up[m]) > 1e-6:
						t.Errorf("%s: upper %.9f, R %.9f", key, up[m], want.upper)
					}
					wantAlarm := want.alarm == "1"
					if al[m] != wantAlarm {
						t.Errorf("%s: alarm %v, R %s", key, al[m], want.alarm)
					}
				}
			}
			rows.Close()
		}
	}
	if checked != len(recs)-1 {
		t.Fatalf("compared %d values, the reference has %d", checked, len(recs)-1)
	}
	t.Logf("%d upper bounds and alarms equal R's surveillance::earsC to 1e-6", checked)
}

func seasonal() []int {
	out := make([]int, 40)
	for i := range out {
		x := 20 + 8*math.Sin(2*math.Pi*float64(i+1)/7)
		if i == 30 {
			x += 15
		}
		if i == 31 {
			x += 20
		}
		out[i] = int(math.RoundToEven(x))
	}
	return out
}
