package alerts

import (
	"context"
	"fmt"
	"time"
)

// Actions a person takes on an alert.
const (
	ActAcknowledge = "acknowledge"
	ActAssign      = "assign"
	ActResolve     = "resolve"
	ActReopen      = "reopen"
)

// Act records a person's step on an alert: acknowledge (firing →
// acknowledged), assign (to a duty officer, any open alert), resolve (any
// open alert → resolved) or reopen (resolved → firing). Every step is a row
// in alert_log with who, when and the comment.
func (e *Engine) Act(ctx context.Context, alertID, action, actor, assignee, comment string) (*Alert, error) {
	if actor == "" {
		return nil, fmt.Errorf("an alert action needs the acting user")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	st := store{e.DB}
	a, err := st.get(ctx, alertID)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	switch action {
	case ActAcknowledge:
		if a.Status != "firing" {
			return nil, fmt.Errorf("alert %s is %s; only a firing alert can be acknowledged", alertID, a.Status)
		}
		a.Status, a.AcknowledgedBy, a.AcknowledgedAt = "acknowledged", actor, &now
	case ActAssign:
		if a.Status == "resolved" {
			return nil, fmt.Errorf("alert %s is resolved; reopen it first", alertID)
		}
		if assignee == "" {
			return nil, fmt.Errorf("assign needs the officer to assign to")
		}
		a.AssignedTo = assignee
		if a.Status == "firing" {
			a.Status, a.AcknowledgedBy, a.AcknowledgedAt = "acknowledged", actor, &now
		}
	case ActResolve:
		if a.Status == "resolved" {
			return nil, fmt.Errorf("alert %s is already resolved", alertID)
		}
		a.Status, a.ResolvedBy, a.ResolvedAt = "resolved", actor, &now
	case ActReopen:
		if a.Status != "resolved" {
			return nil, fmt.Errorf("alert %s is %s; only a resolved alert can be reopened", alertID, a.Status)
		}
		a.Status, a.ResolvedBy, a.ResolvedAt, a.LastSeen = "firing", "", nil, now
	default:
		return nil, fmt.Errorf("unknown alert action %q (acknowledge, assign, resolve, reopen)", action)
	}
	if comment != "" {
		a.Comment = comment
	}
	if err := st.writeAlerts(ctx, []*Alert{a}); err != nil {
		return nil, err
	}
	if err := st.writeLog(ctx, []LogEntry{{At: now, AlertID: a.ID, Rule: a.Rule, Action: action, Actor: actor, Status: a.Status,
		Comment: comment}}); err != nil {
		return nil, err
	}
	st.compact(ctx, "alerts")
	return a, nil
}

// keepHumanSteps carries a person's steps, written since we read an alert,
// into the version we are about to write, so that an evaluation running
// beside the web views never undoes an acknowledgement or a resolution.
func keepHumanSteps(ctx context.Context, st store, write []*Alert, readVersion map[string]uint64) error {
	for _, a := range write {
		v, existed := readVersion[a.ID]
		if !existed {
			continue
		}
		cur, err := st.get(ctx, a.ID)
		if err != nil || cur.Version <= v {
			continue
		}
		a.AcknowledgedBy, a.AcknowledgedAt, a.AssignedTo, a.Comment = cur.AcknowledgedBy, cur.AcknowledgedAt, cur.AssignedTo, cur.Comment
		if cur.ResolvedBy != "" && cur.ResolvedBy != "system" || cur.Status == "acknowledged" && a.Status == "firing" {
			a.Status, a.ResolvedBy, a.ResolvedAt = cur.Status, cur.ResolvedBy, cur.ResolvedAt
		}
	}
	return nil
}
