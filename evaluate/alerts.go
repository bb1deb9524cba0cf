package evaluate

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/alerts"
	"xfwatch/gen"
	"xfwatch/warehouse"
)

// RuleMatch is how one rule's alerts compare with the planted events.
type RuleMatch struct {
	Rule           string
	Planted        int // planted events this rule should catch
	Raised         int // of them with an alert
	Alerts         int // alerts the rule fired
	WithoutPlanted int // alerts with no planted cause
	LagHours       []float64
}

// AlertReport compares the alerts with the ground truth.
type AlertReport struct{ Rules []RuleMatch }

// Alerts matches the alerts table against truth: surges (hotspot alerts at
// county level in the surge's days plus a margin), collective petitions,
// 进京非正常上访 and missing 零报告 by their record. Lags run from the planted
// event to the alert's first_seen.
func Alerts(ctx context.Context, db *warehouse.DB, truth *gen.Truth) (AlertReport, error) {
	type row struct {
		rule, dedup, region, category string
		first                         time.Time
	}
	rows, err := db.Query(ctx, "SELECT rule, dedup_key, region, category, first_seen FROM "+db.Table("alerts")+" FINAL")
	if err != nil {
		return AlertReport{}, err
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.rule, &r.dedup, &r.region, &r.category, &r.first); err != nil {
			rows.Close()
			return AlertReport{}, err
		}
		all = append(all, r)
	}
	rows.Close()
	byRule := map[string][]row{}
	for _, r := range all {
		byRule[r.rule] = append(byRule[r.rule], r)
	}
	start, _ := time.Parse(time.DateOnly, truth.Start)
	evalFrom := start.AddDate(0, 0, 14)
	var rep AlertReport

	// Surges.
	hs := RuleMatch{Rule: "hotspot_surge"}
	matched := map[int]bool{}
	for _, s := range truth.Surges {
		from, _ := time.Parse(time.DateOnly, s.From)
		to, _ := time.Parse(time.DateOnly, s.To)
		if from.Before(evalFrom) {
			continue
		}
		hs.Planted++
		best := time.Time{}
		for i, a := range byRule["hotspot_surge"] {
			d := warehouse.CityDay(a.first)
			if a.region == s.County && a.category == s.Category && !d.Before(from) && !d.After(to.AddDate(0, 0, surgeMarginDays)) {
				matched[i] = true
				if best.IsZero() || a.first.Before(best) {
					best = a.first
				}
			}
		}
		if !best.IsZero() {
			hs.Raised++
			hs.LagHours = append(hs.LagHours, best.Sub(time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, warehouse.City)).Hours())
		}
	}
	for i, a := range byRule["hotspot_surge"] {
		if len(a.region) != 6 || warehouse.CityDay(a.first).Before(evalFrom) {
			continue // township alerts sit under their county's; the first two weeks fill baselines
		}
		hs.Alerts++
		if !matched[i] {
			hs.WithoutPlanted++
		}
	}
	rep.Rules = append(rep.Rules, hs)

	byRecord := func(rule string, keys []string, times map[string]time.Time) RuleMatch {
		m := RuleMatch{Rule: rule, Planted: len(keys), Alerts: len(byRule[rule])}
		want := map[string]bool{}
		for _, k := range keys {
			want[rule+"|"+k] = true
		}
		for _, a := range byRule[rule] {
			if want[a.dedup] {
				m.Raised++
				if t, ok := times[a.dedup[len(rule)+1:]]; ok {
					m.LagHours = append(m.LagHours, a.first.Sub(t).Hours())
				}
			} else {
				m.WithoutPlanted++
			}
		}
		return m
	}
	var collective []string
	for _, c := range truth.Collective {
		collective = append(collective, c.CaseID)
	}
	var missing []string
	for _, m := range truth.MissingReports {
		missing = append(missing, m.Unit+"|"+m.Day)
	}
	rep.Rules = append(rep.Rules,
		byRecord("collective_petition", collective, nil),
		byRecord("beijing_abnormal", truth.BeijingAbnormal, nil),
		byRecord("zero_report_missing", missing, nil))
	// People at risk or repeating now (state rules run as of the day their
	// tables were rebuilt): planted ones with 3 records in the 30 calendar
	// days up to that day, counted as key_history and hotline_at_risk do.
	var asOf time.Time
	if err := db.QueryRow(ctx, "SELECT max(as_of) FROM "+db.Table("key_history")).Scan(&asOf); err != nil {
		return rep, err
	}
	keyOf := func(table, idCol, keyCol, id string) (string, time.Time, error) {
		var key string
		var at time.Time
		err := db.QueryRow(ctx, "SELECT "+keyCol+", received_at FROM "+db.Table(table)+" WHERE "+idCol+" = {id:String}",
			clickhouse.Named("id", id)).Scan(&key, &at)
		return key, at, err
	}
	current := func(rule string, people []gen.Person, orders bool) (RuleMatch, error) {
		m := RuleMatch{Rule: rule, Alerts: len(byRule[rule])}
		want := map[string]bool{}
		for _, p := range people {
			ids, table, idCol, keyCol := p.CaseIDs, "petitions", "case_id", "petitioner_key"
			if orders {
				ids, table, idCol, keyCol = p.OrderIDs, "hotline_orders", "order_id", "caller_key"
			}
			recent, key := 0, ""
			for _, id := range ids {
				k, at, err := keyOf(table, idCol, keyCol, id)
				if err != nil {
					return m, err
				}
				key = k
				if d := warehouse.CityDay(at); d.After(asOf.AddDate(0, 0, -30)) && !d.After(asOf) {
					recent++
				}
			}
			if recent < 3 {
				continue
			}
			m.Planted++
			prefix := rule + "|" + alerts.PersonKey(key)
			want[prefix] = true
		}
		for _, a := range byRule[rule] {
			found := false
			for prefix := range want {
				if strings.HasPrefix(a.dedup, prefix) {
					found = true
					delete(want, prefix)
					m.Raised++
				}
			}
			if !found {
				m.WithoutPlanted++
			}
		}
		return m, nil
	}
	rp, err := current("repeat_petitioner", truth.Repeaters, false)
	if err != nil {
		return rep, err
	}
	hr, err := current("hotline_escalation_risk", truth.AtRisk, true)
	if err != nil {
		return rep, err
	}
	rep.Rules = append(rep.Rules, rp, hr, RuleMatch{Rule: "unit_backlog", Alerts: len(byRule["unit_backlog"])})
	return rep, nil
}

// MedianLagHours over the rules' matched events (-1 if none).
func (r AlertReport) MedianLagHours() float64 {
	var all []float64
	for _, m := range r.Rules {
		all = append(all, m.LagHours...)
	}
	if len(all) == 0 {
		return -1
	}
	sort.Float64s(all)
	return all[len(all)/2]
}

// Print writes one line per rule.
func (r AlertReport) Print(w io.Writer) {
	for _, m := range r.Rules {
		if m.Planted > 0 {
			fmt.Fprintf(w, "  %-24s %3d alerts; %d of %d planted events raised one; %d without a planted cause\n",
				m.Rule, m.Alerts, m.Raised, m.Planted, m.WithoutPlanted)
		} else {
			fmt.Fprintf(w, "  %-24s %3d alerts (nothing planted to match)\n", m.Rule, m.Alerts)
		}
	}
	fmt.Fprintf(w, "  median lag from planted event to alert: %.0f hours\n", r.MedianLagHours())
}
