package alerts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"xfwatch/warehouse"
)

func namedString(name, value string) driver.NamedValue { return clickhouse.Named(name, value) }

// Engine evaluates rules and keeps the alert lifecycle in the warehouse.
type Engine struct {
	DB     *warehouse.DB
	Config *Config
	Log    *slog.Logger
	// Wake, if set, is called after notifications are queued (an
	// in-process notifier delivers at once instead of at its next poll).
	Wake func()

	mu    sync.Mutex // one reconciliation at a time in this process
	names map[string]string
}

// Result of one evaluation.
type Result struct {
	Fired, Updated, Resolved, Inhibited, Notifications int
	New                                                []*Alert
}

// Evaluate runs every rule as of asOf and reconciles the alerts.
func (e *Engine) Evaluate(ctx context.Context, asOf time.Time) (Result, error) {
	return e.evaluateRules(ctx, asOf, func(Rule) bool { return true })
}

func (e *Engine) evaluateRules(ctx context.Context, asOf time.Time, which func(Rule) bool) (Result, error) {
	ec, err := e.evalContext(ctx, asOf)
	if err != nil {
		return Result{}, err
	}
	var cands []Candidate
	evaluated := map[string]bool{}
	for _, r := range e.Config.Rules {
		if !which(r) {
			continue
		}
		c, err := ec.evaluate(ctx, r)
		if err != nil {
			return Result{}, err
		}
		cands = append(cands, c...)
		evaluated[r.Name] = true
	}
	return e.apply(ctx, asOf, cands, evaluated)
}

func (e *Engine) evalContext(ctx context.Context, asOf time.Time) (*evalContext, error) {
	local := asOf.In(warehouse.City)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	f, err := loadFactors(ctx, e.DB)
	if err != nil {
		return nil, fmt.Errorf("cannot read sensitive periods: %w", err)
	}
	names, err := e.loadNames(ctx)
	if err != nil {
		return nil, err
	}
	return &evalContext{db: e.DB, asOf: asOf, day: day, lookback: e.Config.Lookback, factors: f, names: names}, nil
}

// loadNames reads region and unit names once.
func (e *Engine) loadNames(ctx context.Context) (map[string]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.names != nil {
		return e.names, nil
	}
	rows, err := e.DB.Query(ctx, "SELECT code, name FROM "+e.DB.Table("regions")+" UNION ALL SELECT code, name FROM "+e.DB.Table("units"))
	if err != nil {
		return nil, fmt.Errorf("cannot read region and unit names: %w", err)
	}
	defer rows.Close()
	names := map[string]string{}
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			return nil, err
		}
		names[code] = name
	}
	e.names = names
	return names, rows.Err()
}

// apply reconciles candidates with the open alerts: fire new ones, update
// ones still true, resolve state alerts of the evaluated rules whose
// condition has been false for resolve_after, apply inhibition, and queue
// notifications (new, escalated, or due again).
func (e *Engine) apply(ctx context.Context, asOf time.Time, cands []Candidate, evaluated map[string]bool) (Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var res Result
	st := store{e.DB}
	open, err := st.open(ctx)
	if err != nil {
		return res, err
	}
	readVersion := map[string]uint64{}
	for _, a := range open {
		readVersion[a.ID] = a.Version
	}
	changed := map[string]*Alert{}
	var log []LogEntry
	notify := map[string]*Alert{}
	seen := map[string]bool{}
	for i := range cands {
		c := &cands[i]
		if seen[c.DedupKey] {
			continue
		}
		seen[c.DedupKey] = true
		evidence, _ := json.Marshal(c.Evidence)
		if a, ok := open[c.DedupKey]; ok {
			if severityRank(c.Severity) < severityRank(a.Severity) {
				a.Severity = c.Severity
				log = append(log, LogEntry{At: asOf, AlertID: a.ID, Rule: a.Rule, Action: "escalate", Actor: "system", Status: a.Status,
					Comment: "severity raised to " + c.Severity})
				notify[a.ID] = a
			}
			if asOf.After(a.LastSeen) {
				a.LastSeen = asOf
			}
			a.Value, a.Threshold, a.Summary, a.Evidence = c.Value, c.Threshold, c.Summary, string(evidence)
			changed[a.ID] = a
			res.Updated++
			continue
		}
		title := c.Rule.Title
		if title == "" {
			title = c.Rule.Name
		}
		a := &Alert{
			ID: alertID(c.DedupKey, asOf), Rule: c.Rule.Name, Severity: c.Severity, Status: "firing",
			Region: c.Region, Category: c.Category, Unit: c.Unit, Title: title, Summary: c.Summary,
			Value: c.Value, Threshold: c.Threshold, Evidence: string(evidence), DedupKey: c.DedupKey,
			GroupKey: c.Rule.Name + "|" + c.Region, Member: c.Member, FirstSeen: asOf, LastSeen: asOf,
		}
		open[c.DedupKey] = a
		changed[a.ID] = a
		notify[a.ID] = a
		log = append(log, LogEntry{At: asOf, AlertID: a.ID, Rule: a.Rule, Action: "fire", Actor: "system", Status: "firing", Comment: c.Summary})
		res.Fired++
		res.New = append(res.New, a)
	}
	for key, a := range open {
		r, ok := e.Config.Rule(a.Rule)
		if seen[key] || !evaluated[a.Rule] || !ok || isEventKind(r.Kind) || e.Config.ResolveAfter <= 0 {
			continue
		}
		if asOf.Sub(a.LastSeen) >= e.Config.ResolveAfter {
			a.Status, a.ResolvedBy, a.Comment = "resolved", "system", "条件已解除（自动恢复）"
			t := asOf
			a.ResolvedAt = &t
			changed[a.ID] = a
			delete(notify, a.ID)
			log = append(log, LogEntry{At: asOf, AlertID: a.ID, Rule: a.Rule, Action: "auto_resolve", Actor: "system", Status: "resolved",
				Comment: fmt.Sprintf("condition false since %s", a.LastSeen.Format(time.RFC3339))})
			res.Resolved++
		}
	}
	res.Inhibited = e.inhibit(open, changed)
	for _, a := range open {
		due := a.Status == "firing" && a.InhibitedBy == "" && a.LastNotifiedAt != nil &&
			e.Config.RepeatInterval > 0 && asOf.Sub(*a.LastNotifiedAt) >= e.Config.RepeatInterval
		if due {
			notify[a.ID] = a
		}
	}
	outbox := e.queue(asOf, notify, changed, &log)
	res.Notifications = len(outbox)
	var write []*Alert
	for _, a := range changed {
		write = append(write, a)
	}
	sort.Slice(write, func(i, j int) bool { return write[i].ID < write[j].ID })
	if err := keepHumanSteps(ctx, st, write, readVersion); err != nil {
		return res, err
	}
	// Alerts first, then the log, then the outbox: a notification never
	// names an alert the warehouse does not hold.
	if err := st.writeAlerts(ctx, write); err != nil {
		return res, fmt.Errorf("cannot write alerts: %w", err)
	}
	if err := st.writeLog(ctx, log); err != nil {
		return res, fmt.Errorf("cannot write the alert log: %w", err)
	}
	if err := st.writeOutbox(ctx, outbox); err != nil {
		return res, fmt.Errorf("cannot queue notifications: %w", err)
	}
	if len(write) > 0 {
		st.compact(ctx, "alerts")
	}
	if len(outbox) > 0 && e.Wake != nil {
		e.Wake()
	}
	return res, nil
}

func isEventKind(kind string) bool { return kind == "collective" || kind == "beijing_abnormal" }

// alertID is stable for a condition and the moment it first fired.
func alertID(dedupKey string, firstSeen time.Time) string {
	h := sha256.Sum256([]byte(dedupKey + "|" + firstSeen.UTC().Format(time.RFC3339Nano)))
	return "AL" + strings.ToUpper(hex.EncodeToString(h[:6]))
}

// inhibit: a county surge suppresses the same category's township surges
// in that county; a collective-petition alert suppresses the repeat alerts
// of the person who filed it. It returns how many alerts are inhibited.
func (e *Engine) inhibit(open map[string]*Alert, changed map[string]*Alert) int {
	countySurge := map[string]string{} // rule|county|category -> alert id
	collective := map[string]string{}  // member -> alert id
	for _, a := range open {
		if a.Status == "resolved" {
			continue
		}
		r, _ := e.Config.Rule(a.Rule)
		switch {
		case r.Kind == "hotspot" && len(a.Region) == 6:
			countySurge[a.Rule+"|"+a.Region+"|"+a.Category] = a.ID
		case r.Kind == "collective" && a.Member != "":
			collective[a.Member] = a.ID
		}
	}
	n := 0
	for _, a := range open {
		r, _ := e.Config.Rule(a.Rule)
		by := ""
		switch {
		case r.Kind == "hotspot" && len(a.Region) == 9:
			by = countySurge[a.Rule+"|"+a.Region[:6]+"|"+a.Category]
		case r.Kind == "repeat" && a.Member != "":
			by = collective[a.Member]
		}
		if by != a.InhibitedBy {
			a.InhibitedBy = by
			changed[a.ID] = a
		}
		if by != "" && a.Status != "resolved" {
			n++
		}
	}
	return n
}

// queue groups the alerts to notify by rule and region, renders one
// notification per group and receiver, and marks the alerts notified.
func (e *Engine) queue(asOf time.Time, notify map[string]*Alert, changed map[string]*Alert, log *[]LogEntry) []*Notification {
	groups := map[string][]*Alert{}
	for _, a := range notify {
		if a.InhibitedBy != "" || a.Status == "resolved" {
			continue
		}
		groups[a.GroupKey] = append(groups[a.GroupKey], a)
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []*Notification
	for _, gk := range keys {
		as := groups[gk]
		sort.Slice(as, func(i, j int) bool { return as[i].ID < as[j].ID })
		severity := as[0].Severity
		ids := make([]string, len(as))
		for i, a := range as {
			ids[i] = a.ID
			if severityRank(a.Severity) < severityRank(severity) {
				severity = a.Severity
			}
		}
		for _, rcv := range e.Config.receiversFor(severity, as[0].Region) {
			h := sha256.Sum256([]byte(rcv.Name + "|" + gk + "|" + strings.Join(ids, ",") + "|" + asOf.UTC().Format(time.RFC3339Nano)))
			id := "N" + hex.EncodeToString(h[:12])
			payload := render(rcv.Type, id, severity, as, e.regionName)
			out = append(out, &Notification{ID: id, Receiver: rcv.Name, ReceiverType: rcv.Type, GroupKey: gk, AlertIDs: ids,
				Severity: severity, Payload: payload, Status: "pending", CreatedAt: asOf, NextAttemptAt: asOf})
		}
		for _, a := range as {
			t := asOf
			a.LastNotifiedAt = &t
			a.NotifyCount++
			changed[a.ID] = a
			*log = append(*log, LogEntry{At: asOf, AlertID: a.ID, Rule: a.Rule, Action: "notify", Actor: "system", Status: a.Status,
				Comment: fmt.Sprintf("notification %d queued", a.NotifyCount)})
		}
	}
	return out
}

func (e *Engine) regionName(code string) string {
	if n, ok := e.names[code]; ok {
		return n
	}
	return code
}
