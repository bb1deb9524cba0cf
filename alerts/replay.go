package alerts

import (
	"context"
	"time"

	"xfwatch/warehouse"
)

// Replay evaluates the rules as of 20:00 of each day from first to last, as
// if the schedule had run then, without queueing notifications for the
// past: the demo and the ground-truth evaluation use it after a backfill.
// State rules (repeat, hotline risk, backlog) read tables rebuilt as of the
// last day, so they are evaluated on the last day only.
func (e *Engine) Replay(ctx context.Context, first, last time.Time) (Result, error) {
	var total Result
	saved := e.Config.Routes
	e.Config.Routes = nil // no receivers: nothing is queued for the past
	defer func() { e.Config.Routes = saved }()
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		asOf := time.Date(d.Year(), d.Month(), d.Day(), 20, 0, 0, 0, warehouse.City)
		daily := func(r Rule) bool { return r.Kind == "hotspot" || r.Kind == "zero_report" || isEventKind(r.Kind) }
		if !d.Before(last) {
			daily = func(Rule) bool { return true }
		}
		res, err := e.evaluateRules(ctx, asOf, daily)
		if err != nil {
			return total, err
		}
		total.Fired += res.Fired
		total.Resolved += res.Resolved
		total.New = append(total.New, res.New...)
	}
	return total, nil
}
