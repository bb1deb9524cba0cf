package gen

import (
	"fmt"
	"time"

	"xfwatch/ingest"
)

// event emits a handling event if it happened by g.now; most reach Kafka
// within the hour, some days late, so events arrive out of order.
func (g *generator) event(refKind, ref string, n *int, typ, unit string, at time.Time, extra map[string]string) bool {
	if at.After(g.now) {
		return false
	}
	*n++
	v := map[string]any{
		"event_id": fmt.Sprintf("EV%s-%02d", ref, *n), "ref_kind": refKind, "ref": ref,
		"at": at.Format(time.RFC3339), "type": typ, "unit": unit,
	}
	for k, x := range extra {
		v[k] = x
	}
	arrive := at.Add(g.between(0, time.Hour))
	if g.chance(0.1) {
		arrive = at.Add(g.between(time.Hour, 72*time.Hour))
	}
	g.emit(ingest.KindEvent, ref, v, arrive)
	return true
}

// handlePetition follows a petition through the statutory clocks: accept
// within 15 days, conclude within 60 (90 if extended), review requested
// within 30 days of conclusion and concluded within 30, the same again for
// re-review. Some are late, some stay open.
func (g *generator) handlePetition(caseID string, s petitionSpec, unit string) {
	n := 0
	ev := func(typ string, at time.Time, extra map[string]string) bool {
		return g.event("petition", caseID, &n, typ, unit, at, extra)
	}
	if g.chance(0.05) {
		ev("rejected", s.at.Add(g.between(days(1), days(14))), nil)
		return
	}
	accepted := s.at.Add(g.between(days(0.2), days(12)))
	if g.chance(0.08) {
		accepted = s.at.Add(g.between(days(16), days(25))) // accepted late
	}
	lag := g.laggard(unit)
	if lag && g.lagChance(0.45) {
		accepted = s.at.Add(days(16 + 14*g.lag.Float64()))
	}
	if !ev("accepted", accepted, nil) {
		return
	}
	ev("assigned", accepted.Add(g.between(time.Hour, days(2))), nil)
	if s.headcount >= 5 || s.abnormal || g.chance(0.03) {
		ev("leader_assigned", accepted.Add(g.between(time.Hour, days(3))), map[string]string{"leader": "包案领导"})
	}
	if g.chance(0.04) {
		ev("supervised", accepted.Add(g.between(days(20), days(40))), nil)
	}
	limit := days(60)
	if g.chance(0.1) {
		ev("extended", accepted.Add(g.between(days(45), days(58))), nil)
		limit = days(90)
	}
	if g.chance(0.05) || lag && g.lagChance(0.2) {
		return // still open: becomes backlog
	}
	concluded := accepted.Add(g.between(days(8), limit-days(3)))
	if g.chance(0.1) || lag && g.lagChance(0.4) {
		concluded = accepted.Add(g.between(limit+days(1), limit+days(30))) // concluded late
	}
	result := []string{"upheld", "partial", "rejected"}[g.pick([]float64{40, 30, 30})]
	if !ev("concluded", concluded, map[string]string{"result": result}) {
		return
	}
	sat := []string{"satisfied", "basic", "unsatisfied"}[g.pick([]float64{60, 25, 15})]
	if lag && g.lagChance(0.35) {
		sat = "unsatisfied"
	}
	ev("evaluated", concluded.Add(g.between(days(1), days(10))), map[string]string{"satisfaction": sat})
	pReview := 0.08
	if sat == "unsatisfied" || result == "rejected" {
		pReview = 0.3
	}
	if !g.chance(pReview) {
		return
	}
	requested := concluded.Add(g.between(days(3), days(29)))
	if !ev("review_requested", requested, nil) {
		return
	}
	reviewed := requested.Add(g.between(days(5), days(29)))
	if !ev("reviewed", reviewed, nil) || !g.chance(0.3) {
		return
	}
	rr := reviewed.Add(g.between(days(3), days(29)))
	if !ev("rereview_requested", rr, nil) {
		return
	}
	if ev("rereviewed", rr.Add(g.between(days(5), days(29))), nil) {
		ev("terminated", rr.Add(g.between(days(30), days(35))), nil)
	}
}

// handleOrder: contacted within 24 hours (mostly), concluded within days,
// evaluated.
func (g *generator) handleOrder(orderID string, s orderSpec, unit string) {
	n := 0
	ev := func(typ string, at time.Time, extra map[string]string) bool {
		return g.event("hotline", orderID, &n, typ, unit, at, extra)
	}
	contacted := s.at.Add(g.between(10*time.Minute, 20*time.Hour))
	if g.chance(0.05) {
		contacted = s.at.Add(g.between(25*time.Hour, 72*time.Hour))
	}
	if !ev("contacted", contacted, nil) {
		return
	}
	result := "resolved"
	if s.unresolved || g.chance(0.2) {
		result = "unresolved"
	}
	concluded := contacted.Add(g.between(time.Hour, days(10)))
	if !ev("concluded", concluded, map[string]string{"result": result}) {
		return
	}
	sat := []string{"satisfied", "basic", "unsatisfied"}[g.pick([]float64{70, 20, 10})]
	if s.unresolved {
		sat = "unsatisfied"
	}
	if g.chance(0.8) {
		ev("evaluated", concluded.Add(g.between(time.Hour, days(3))), map[string]string{"satisfaction": sat})
	}
}
