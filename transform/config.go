package transform

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Config holds every tunable of the indicators. Values reach the SQL as
// query parameters; the few that must be literals (window frame sizes) are
// validated integers.
type Config struct {
	// Statutory clocks (信访工作条例), in days.
	AcceptDays        int // 受理: within 15 days of registration
	ConcludeDays      int // 办结: within 60 days of acceptance
	ExtensionDays     int // 延期: +30 days
	ReviewRequestDays int // 申请复查/复核: within 30 days of the answer
	ReviewDays        int // 复查/复核办结: within 30 days of the request
	BacklogDays       int // 积案: open longer than this (or overdue)

	RepeatWindowDays     int // 重复访 look-back (180)
	SkipLevelWindowDays  int // 越级访 look-back (365)
	EscalationWindowDays int // hotline complaints before a petition (60)
	EscalationMinOrders  int // 2
	AtRiskWindowDays     int // 30
	AtRiskMinOrders      int // 3
	LocalEscalationDays  int // a later higher-level petition within this undoes local resolution (180)

	// EARS (surveillance::earsC defaults).
	Baseline                  int     // 7
	AlphaC1, AlphaC2, AlphaC3 float64 // 0.001, 0.001, 0.025
	MinSigma                  float64 // 0
	CUSUMLimit                float64 // decision limit h of the weekly Poisson CUSUM (5)
	CUSUMRunInWeeks           int     // weeks the CUSUM runs before the month it reports (12)
	HotlineBasicWeight        float64 // 满意率 weight of 基本满意 (0.9)
	RiskPercentile            float64 // the volume part compares with this percentile cell (0.95)
	LateReportHours           int     // a report filed this long after its day's end is late (0: any time after)
	Categories                []string
	Timezone                  string
}

// DefaultConfig is SPEC section 5's defaults.
func DefaultConfig() Config {
	return Config{
		AcceptDays: 15, ConcludeDays: 60, ExtensionDays: 30, ReviewRequestDays: 30, ReviewDays: 30, BacklogDays: 90,
		RepeatWindowDays: 180, SkipLevelWindowDays: 365, EscalationWindowDays: 60, EscalationMinOrders: 2,
		AtRiskWindowDays: 30, AtRiskMinOrders: 3, LocalEscalationDays: 180,
		Baseline: 7, AlphaC1: 0.001, AlphaC2: 0.001, AlphaC3: 0.025, MinSigma: 0,
		CUSUMLimit: 5, CUSUMRunInWeeks: 12, HotlineBasicWeight: 0.9, RiskPercentile: 0.95,
		Categories: []string{"land_acquisition", "demolition", "restructuring", "cadre_conduct", "social_security",
			"law_litigation", "environment", "work_safety", "traffic_accident", "medical_dispute",
			"wage_arrears", "housing", "urban_management", "rural_affairs", "education", "other"},
		Timezone: "Asia/Shanghai",
	}
}

// Validate checks ranges.
func (c Config) Validate() error {
	for name, v := range map[string]int{"accept days": c.AcceptDays, "conclude days": c.ConcludeDays,
		"review request days": c.ReviewRequestDays, "review days": c.ReviewDays, "backlog days": c.BacklogDays,
		"repeat window": c.RepeatWindowDays, "skip-level window": c.SkipLevelWindowDays,
		"escalation window": c.EscalationWindowDays, "at-risk window": c.AtRiskWindowDays} {
		if v < 1 || v > 3650 {
			return fmt.Errorf("%s %d: give 1 to 3650 days", name, v)
		}
	}
	if c.ExtensionDays < 0 || c.ExtensionDays > 365 {
		return fmt.Errorf("extension days %d: give 0 to 365", c.ExtensionDays)
	}
	if c.Baseline < 3 || c.Baseline > 60 {
		return fmt.Errorf("EARS baseline %d: give 3 to 60 (surveillance::earsC needs at least 3)", c.Baseline)
	}
	for _, a := range []float64{c.AlphaC1, c.AlphaC2, c.AlphaC3} {
		if a <= 0 || a >= 0.5 {
			return fmt.Errorf("EARS alpha %v: give a value in (0, 0.5)", a)
		}
	}
	if c.MinSigma < 0 {
		return fmt.Errorf("EARS minSigma %v must not be negative", c.MinSigma)
	}
	if c.CUSUMRunInWeeks < 1 || c.CUSUMRunInWeeks > 104 {
		return fmt.Errorf("CUSUM run-in %d weeks: give 1 to 104", c.CUSUMRunInWeeks)
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		return fmt.Errorf("time zone %q: %w", c.Timezone, err)
	}
	return nil
}

// qnorm is the standard normal quantile (R's qnorm).
func qnorm(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

// params are the query parameters every transform may use.
func (c Config) params() map[string]string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	i := strconv.Itoa
	cats := "["
	for n, x := range c.Categories {
		if n > 0 {
			cats += ","
		}
		cats += "'" + x + "'"
	}
	cats += "]"
	return map[string]string{
		"accept_days": i(c.AcceptDays), "conclude_days": i(c.ConcludeDays), "extension_days": i(c.ExtensionDays),
		"review_request_days": i(c.ReviewRequestDays), "review_days": i(c.ReviewDays), "backlog_days": i(c.BacklogDays),
		"repeat_days": i(c.RepeatWindowDays), "skip_days": i(c.SkipLevelWindowDays),
		"escalation_days": i(c.EscalationWindowDays), "escalation_min": i(c.EscalationMinOrders),
		"at_risk_days": i(c.AtRiskWindowDays), "at_risk_min": i(c.AtRiskMinOrders),
		"local_escalation_days": i(c.LocalEscalationDays),
		"z1":                    f(qnorm(1 - c.AlphaC1)), "z2": f(qnorm(1 - c.AlphaC2)), "z3": f(qnorm(1 - c.AlphaC3)),
		"min_sigma": f(c.MinSigma), "cusum_h": f(c.CUSUMLimit), "basic_weight": f(c.HotlineBasicWeight),
		"risk_pct": f(c.RiskPercentile), "categories": cats, "late_hours": i(c.LateReportHours),
	}
}
