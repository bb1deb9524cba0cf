package alerts

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"xfwatch/warehouse"
)

// Alert is one alert's current state (a row of the alerts table).
type Alert struct {
	ID             string     `ch:"alert_id"`
	Rule           string     `ch:"rule"`
	Severity       string     `ch:"severity"`
	Status         string     `ch:"status"`
	Region         string     `ch:"region"`
	Category       string     `ch:"category"`
	Unit           string     `ch:"unit"`
	Title          string     `ch:"title"`
	Summary        string     `ch:"summary"`
	Value          float64    `ch:"value"`
	Threshold      float64    `ch:"threshold"`
	Evidence       string     `ch:"evidence"`
	DedupKey       string     `ch:"dedup_key"`
	GroupKey       string     `ch:"group_key"`
	InhibitedBy    string     `ch:"inhibited_by"`
	Member         string     `ch:"member"`
	FirstSeen      time.Time  `ch:"first_seen"`
	LastSeen       time.Time  `ch:"last_seen"`
	AcknowledgedBy string     `ch:"acknowledged_by"`
	AcknowledgedAt *time.Time `ch:"acknowledged_at"`
	AssignedTo     string     `ch:"assigned_to"`
	ResolvedBy     string     `ch:"resolved_by"`
	ResolvedAt     *time.Time `ch:"resolved_at"`
	Comment        string     `ch:"comment"`
	LastNotifiedAt *time.Time `ch:"last_notified_at"`
	NotifyCount    uint32     `ch:"notify_count"`
	Version        uint64     `ch:"version"`
}

const alertColumns = `alert_id, rule, severity, status, region, category, unit, title, summary, value, threshold, evidence,
	dedup_key, group_key, inhibited_by, member, first_seen, last_seen, acknowledged_by, acknowledged_at, assigned_to,
	resolved_by, resolved_at, comment, last_notified_at, notify_count, version`

// LogEntry is one step in an alert's history.
type LogEntry struct {
	At      time.Time
	AlertID string
	Rule    string
	Action  string
	Actor   string
	Status  string
	Comment string
}

// Notification is one outbox row.
type Notification struct {
	ID            string     `ch:"notification_id"`
	Receiver      string     `ch:"receiver"`
	ReceiverType  string     `ch:"receiver_type"`
	GroupKey      string     `ch:"group_key"`
	AlertIDs      []string   `ch:"alert_ids"`
	Severity      string     `ch:"severity"`
	Payload       string     `ch:"payload"`
	Status        string     `ch:"status"`
	Attempts      uint32     `ch:"attempts"`
	CreatedAt     time.Time  `ch:"created_at"`
	NextAttemptAt time.Time  `ch:"next_attempt_at"`
	DeliveredAt   *time.Time `ch:"delivered_at"`
	LastError     string     `ch:"last_error"`
	Version       uint64     `ch:"version"`
}

const outboxColumns = `notification_id, receiver, receiver_type, group_key, alert_ids, severity, payload, status, attempts,
	created_at, next_attempt_at, delivered_at, last_error, version`

// The column lists as names, for inserts.
var alertColumnList, outboxColumnList = columnList(alertColumns), columnList(outboxColumns)

func columnList(cols string) []string {
	out := strings.Split(cols, ",")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}

// lastVersion makes row versions strictly increasing within the process
// (microseconds, bumped on collision), so the newest write wins.
var lastVersion atomic.Uint64

func nextVersion() uint64 {
	for {
		now := uint64(time.Now().UnixMicro())
		last := lastVersion.Load()
		if now <= last {
			now = last + 1
		}
		if lastVersion.CompareAndSwap(last, now) {
			return now
		}
	}
}

// store reads and writes the alert tables.
type store struct{ db *warehouse.DB }

// open returns the alerts not resolved, by dedup key.
func (s store) open(ctx context.Context) (map[string]*Alert, error) {
	rows, err := s.db.Query(ctx, "SELECT "+alertColumns+" FROM "+s.db.Table("alerts")+" FINAL WHERE status != 'resolved'")
	if err != nil {
		return nil, fmt.Errorf("cannot read open alerts: %w", err)
	}
	defer rows.Close()
	out := map[string]*Alert{}
	for rows.Next() {
		var a Alert
		if err := rows.ScanStruct(&a); err != nil {
			return nil, err
		}
		out[a.DedupKey] = &a
	}
	return out, rows.Err()
}

// get returns one alert's current state.
func (s store) get(ctx context.Context, id string) (*Alert, error) {
	rows, err := s.db.Query(ctx, "SELECT "+alertColumns+" FROM "+s.db.Table("alerts")+" FINAL WHERE alert_id = {id:String}",
		namedString("id", id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, fmt.Errorf("no alert %s", id)
	}
	var a Alert
	return &a, rows.ScanStruct(&a)
}

func (s store) writeAlerts(ctx context.Context, alerts []*Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	b, err := s.db.PrepareInsert(ctx, "alerts", alertColumnList...)
	if err != nil {
		return err
	}
	defer b.Abort()
	for _, a := range alerts {
		a.Version = nextVersion()
		if err := b.AppendStruct(a); err != nil {
			return err
		}
	}
	return b.Send()
}

func (s store) writeLog(ctx context.Context, entries []LogEntry) error {
	if len(entries) == 0 {
		return nil
	}
	b, err := s.db.PrepareInsert(ctx, "alert_log", "at", "alert_id", "rule", "action", "actor", "status", "comment")
	if err != nil {
		return err
	}
	defer b.Abort()
	for _, e := range entries {
		if err := b.Append(e.At, e.AlertID, e.Rule, e.Action, e.Actor, e.Status, e.Comment); err != nil {
			return err
		}
	}
	return b.Send()
}

func (s store) writeOutbox(ctx context.Context, ns []*Notification) error {
	if len(ns) == 0 {
		return nil
	}
	b, err := s.db.PrepareInsert(ctx, "alert_outbox", outboxColumnList...)
	if err != nil {
		return err
	}
	defer b.Abort()
	for _, n := range ns {
		n.Version = nextVersion()
		if err := b.AppendStruct(n); err != nil {
			return err
		}
	}
	return b.Send()
}

// compact merges versions so plain SQL over the table sees one row per id.
func (s store) compact(ctx context.Context, table string) {
	_ = s.db.Exec(ctx, "OPTIMIZE TABLE "+s.db.Table(table)+" FINAL")
}
