package dashboards

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/alerts"
	"xfwatch/refdata"
)

// alertFilter is the alert centre's filter form.
type alertFilter struct {
	Severity, Status, Region, Category, Rule string
	From, To                                 string // first seen, YYYY-MM-DD
	Open, Uninhibited                        bool
	Page                                     int // 1-based page of the list
}

func parseAlertFilter(q url.Values) (alertFilter, error) {
	f := alertFilter{Severity: q.Get("severity"), Status: q.Get("status"), Region: q.Get("region"), Category: q.Get("category"),
		Rule: q.Get("rule"), From: q.Get("from"), To: q.Get("to"), Page: 1}
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 10000 {
			return f, badf("page=%q: give a page number from 1", p)
		}
		f.Page = n
	}
	if f.Severity != "" && alerts.SeverityLabel[f.Severity] == "" {
		return f, badf("severity=%q: use red, orange, yellow or blue", f.Severity)
	}
	switch f.Status {
	case "":
		f.Open = true
	case "open":
		f.Open, f.Status = true, ""
	case "all":
		f.Status = ""
	case "firing", "acknowledged", "resolved":
	default:
		return f, badf("status=%q: use open, firing, acknowledged, resolved or all", f.Status)
	}
	if f.Region != "" && !regionCode.MatchString(f.Region) {
		return f, badf("region=%q: give a 6-digit county or 9-digit township code", f.Region)
	}
	if f.Category != "" && refdata.CategoryLabel(f.Category) == f.Category {
		return f, badf("category=%q is not a category", f.Category)
	}
	if len(f.Rule) > 64 {
		return f, badf("rule: at most 64 characters")
	}
	for _, d := range []struct{ name, v string }{{"from", f.From}, {"to", f.To}} {
		if d.v != "" {
			if _, err := time.Parse(time.DateOnly, d.v); err != nil {
				return f, badf("%s=%q: give a day as YYYY-MM-DD", d.name, d.v)
			}
		}
	}
	return f, nil
}

// listAlerts reads alerts in the viewer's scope, most severe first.
func (s *Server) listAlerts(ctx context.Context, u *User, f alertFilter, limit int) (alertPage, error) {
	key := fmt.Sprintf("a|%s|%v|%+v|%d", u.Region, u.Can().CaseAccess, f, limit)
	v, err := s.cache.get(key, s.alertTTL(), func() (any, error) { return s.readAlerts(ctx, u, f, limit) })
	if err != nil {
		return alertPage{}, err
	}
	return v.(alertPage), nil
}

// alertPage is one page of an alert list and how many alerts match.
type alertPage struct {
	Rows  []alertRow
	Total uint64
}

func (s *Server) readAlerts(ctx context.Context, u *User, f alertFilter, limit int) (alertPage, error) {
	var list alertPage
	where := []string{"startsWith(region, {scope:String})", "startsWith(region, {region:String})"}
	args := []any{clickhouse.Named("scope", u.Region), clickhouse.Named("region", f.Region)}
	add := func(cond, name, value string) {
		if value != "" {
			where = append(where, cond)
			args = append(args, clickhouse.Named(name, value))
		}
	}
	add("severity = {severity:String}", "severity", f.Severity)
	add("status = {status:String}", "status", f.Status)
	add("category = {category:String}", "category", f.Category)
	add("rule = {rule:String}", "rule", f.Rule)
	add("first_seen >= toDateTime64({from:Date}, 3, 'Asia/Shanghai')", "from", f.From)
	add("first_seen < toDateTime64({to:Date} + 1, 3, 'Asia/Shanghai')", "to", f.To)
	if f.Open {
		where = append(where, "status != 'resolved'")
	}
	if f.Uninhibited {
		where = append(where, "inhibited_by = ''")
	}
	offset := max(0, f.Page-1) * limit
	rows, err := s.db.Query(ctx, `SELECT alert_id, severity, status, title, summary, region, category, rule, assigned_to, first_seen, last_seen,
			inhibited_by != '', JSONExtractString(evidence, 'case_id'), count() OVER () AS total
		FROM `+s.db.Table("alerts")+` FINAL WHERE `+strings.Join(where, " AND ")+`
		ORDER BY indexOf(['red', 'orange', 'yellow', 'blue'], severity), last_seen DESC, alert_id
		LIMIT `+fmt.Sprint(limit)+` OFFSET `+fmt.Sprint(offset), args...)
	if err != nil {
		return list, err
	}
	defer rows.Close()
	for rows.Next() {
		var a alertRow
		if err := rows.Scan(&a.ID, &a.Severity, &a.Status, &a.Title, &a.Summary, &a.Region, &a.Category, &a.Rule, &a.AssignedTo,
			&a.FirstSeen, &a.LastSeen, &a.Inhibited, &a.CaseID, &list.Total); err != nil {
			return list, err
		}
		if !u.Can().CaseAccess {
			a.Title, a.Summary = hideCase(a.Title, a.CaseID), hideCase(a.Summary, a.CaseID)
		}
		a.CaseID = ""
		a.RegionName = s.ref.regionName(a.Region)
		list.Rows = append(list.Rows, a)
	}
	return list, rows.Err()
}

type alertListView struct {
	pageBase
	Filter     alertFilter
	StatusForm string
	Alerts     []alertRow
	Total      uint64
	First      int    // number of the first alert on the page
	Last       int    // and of the last
	More       bool   // alerts after this page
	Prev, Next string // links to the neighbouring pages, or ""
	Counties   []Region
	Categories []Region
	Rules      []string
	Severities []Region
}

// The static snapshot lists up to staticAlertLimit alerts on one page.
const staticAlertLimit = 500

func (s *Server) alertList(rp *reply, r *http.Request, ss *session) error {
	q := r.URL.Query()
	f, err := parseAlertFilter(q)
	if err != nil {
		return err
	}
	size := s.cfg.AlertPageSize
	if size <= 0 {
		size = 100
	}
	v, err := s.alertListView(r.Context(), ss.user, f, size, s.base(ss, "预警中心"))
	if err != nil {
		return err
	}
	v.StatusForm = q.Get("status")
	link := func(page int) string {
		q.Set("page", strconv.Itoa(page))
		return "/alerts?" + q.Encode()
	}
	if f.Page > 1 {
		v.Prev = link(f.Page - 1)
	}
	if v.More {
		v.Next = link(f.Page + 1)
	}
	s.render(rp, "alerts", v)
	return nil
}

func (s *Server) alertListView(ctx context.Context, u *User, f alertFilter, limit int, base pageBase) (*alertListView, error) {
	list, err := s.listAlerts(ctx, u, f, limit)
	if err != nil {
		return nil, err
	}
	first := max(0, f.Page-1)*limit + 1
	v := &alertListView{pageBase: base, Filter: f, Alerts: list.Rows, Total: list.Total, First: first,
		Last: first + len(list.Rows) - 1, More: uint64(first+len(list.Rows)-1) < list.Total}
	for _, c := range s.ref.children("county", "") {
		if strings.HasPrefix(c.Code, u.Region) || strings.HasPrefix(u.Region, c.Code) {
			v.Counties = append(v.Counties, c)
		}
	}
	for _, c := range refdata.Categories {
		v.Categories = append(v.Categories, Region{Code: c, Name: refdata.CategoryLabel(c)})
	}
	for _, sev := range []string{"red", "orange", "yellow", "blue"} {
		v.Severities = append(v.Severities, Region{Code: sev, Name: alerts.SeverityLabel[sev]})
	}
	if s.cfg.Alerts != nil && s.cfg.Alerts.Config != nil {
		for _, r := range s.cfg.Alerts.Config.Rules {
			v.Rules = append(v.Rules, r.Name)
		}
	}
	return v, nil
}

// evidenceItem is one line of an alert's evidence table.
type evidenceItem struct{ Key, Label, Value string }

var evidenceLabels = map[string]string{
	"day": "日期", "level": "层级", "n": "当日件数", "c1_upper": "C1 上限", "c2_upper": "C2 上限", "c3_upper": "C3 上限",
	"risk": "风险评分", "petitions_28d": "近28天件数", "headcount": "人数", "receiving_level": "登记层级", "received_at": "登记时间",
	"visits_30d": "30天内来访", "visits_365d": "365天内来访", "highest_level": "最高层级", "climbed_30d": "30天内越级",
	"orders_30d": "30天工单", "unresolved_30d": "未解决/不满意", "last_order_at": "最近工单", "backlog": "积案",
	"overdue": "超期", "period": "敏感期", "case_id": "信访件编号", "case_ids": "信访件", "oldest": "最早积案",
	"risk_parts": "评分构成",
}

// caseFields name cases; roles without case access do not see them.
var caseFields = map[string]bool{"case_id": true, "case_ids": true, "oldest": true}

type alertDetailView struct {
	pageBase
	A        *alerts.Alert
	Region   string
	Evidence []evidenceItem
	Chart    *Chart
	History  []alerts.LogEntry
	CanAct   bool
	Officers []string
}

func (s *Server) alertDetail(rp *reply, r *http.Request, ss *session) error {
	id := r.PathValue("id")
	rp.object = "alert:" + id
	v, err := s.alertDetailView(r.Context(), ss.user, id, s.base(ss, "预警详情"))
	if err != nil {
		return err
	}
	s.render(rp, "alert", v)
	return nil
}

func (s *Server) readAlert(ctx context.Context, u *User, id string) (*alerts.Alert, error) {
	if len(id) > 80 {
		return nil, errNotFound
	}
	rows, err := s.db.Query(ctx, `SELECT alert_id, rule, severity, status, region, category, unit, title, summary, value, threshold, evidence,
			dedup_key, group_key, inhibited_by, '' AS member, first_seen, last_seen, acknowledged_by, acknowledged_at, assigned_to,
			resolved_by, resolved_at, comment, last_notified_at, notify_count, version
		FROM `+s.db.Table("alerts")+` FINAL WHERE alert_id = {id:String}`, clickhouse.Named("id", id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, errNotFound
	}
	var a alerts.Alert
	if err := rows.ScanStruct(&a); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(a.Region, u.Region) {
		return nil, errNotFound // outside the scope: as if it did not exist
	}
	return &a, nil
}

func (s *Server) alertDetailView(ctx context.Context, u *User, id string, base pageBase) (*alertDetailView, error) {
	a, err := s.readAlert(ctx, u, id)
	if err != nil {
		return nil, err
	}
	v := &alertDetailView{pageBase: base, A: a, Region: s.ref.regionName(a.Region),
		CanAct: u.Can().AlertActions && s.cfg.Alerts != nil && !base.L.Static}
	var ev map[string]any
	if err := json.Unmarshal([]byte(a.Evidence), &ev); err != nil {
		ev = map[string]any{}
	}
	if !u.Can().CaseAccess {
		if id, ok := ev["case_id"].(string); ok {
			a.Title, a.Summary = hideCase(a.Title, id), hideCase(a.Summary, id)
		}
	}
	a.Evidence, a.DedupKey, a.GroupKey = "", "", ""
	var points []EvidencePoint
	if series, ok := ev["series"].([]any); ok {
		for _, x := range series {
			m, _ := x.(map[string]any)
			p := EvidencePoint{Day: fmt.Sprint(m["day"])}
			p.N, _ = m["n"].(float64)
			if up, ok := m["c1_upper"].(float64); ok {
				p.Upper = &up
			}
			points = append(points, p)
		}
	}
	for _, k := range sortedKeys(ev) {
		if k == "series" || caseFields[k] && !u.Can().CaseAccess {
			continue
		}
		val := ev[k]
		var text string
		switch x := val.(type) {
		case map[string]any:
			var parts []string
			for _, kk := range sortedKeys(x) {
				if f, ok := x[kk].(float64); ok {
					parts = append(parts, fmt.Sprintf("%s %.1f", riskPartLabels[kk], f))
				} else {
					parts = append(parts, fmt.Sprintf("%s %v", riskPartLabels[kk], x[kk]))
				}
			}
			text = strings.Join(parts, "，")
		case []any:
			var parts []string
			for _, y := range x {
				parts = append(parts, fmt.Sprint(y))
			}
			text = strings.Join(parts, "、")
		case string:
			text = x
			if k == "level" || k == "receiving_level" || k == "highest_level" {
				text = refdata.LevelLabel(x)
			}
		case float64:
			text = fmtNumber(&x)
		default:
			text = fmt.Sprint(x)
		}
		label := evidenceLabels[k]
		if label == "" {
			label = k
		}
		v.Evidence = append(v.Evidence, evidenceItem{Key: k, Label: label, Value: text})
	}
	c := EvidenceChart("预警依据："+a.Title, points, a.Value, a.Threshold)
	v.Chart = &c
	if v.History, err = s.alertHistory(ctx, a.ID); err != nil {
		return nil, err
	}
	for _, name := range s.cfg.Users.Names() {
		o := s.cfg.Users.Get(name)
		if o.Can().AlertActions && strings.HasPrefix(a.Region, o.Region) {
			v.Officers = append(v.Officers, name)
		}
	}
	return v, nil
}

// hideCase takes a case number out of an alert's text for roles without
// case access (case-level detail belongs to the duty officers).
func hideCase(text, caseID string) string {
	if caseID == "" {
		return text
	}
	return strings.ReplaceAll(text, caseID, "（编号仅限信访干部查看）")
}

var riskPartLabels = map[string]string{"volume": "规模", "growth": "增长", "alarm": "预警", "severity": "严重性"}

func (s *Server) alertHistory(ctx context.Context, id string) ([]alerts.LogEntry, error) {
	rows, err := s.db.Query(ctx, `SELECT at, action, actor, status, comment FROM `+s.db.Table("alert_log")+`
		WHERE alert_id = {id:String} ORDER BY at`, clickhouse.Named("id", id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []alerts.LogEntry
	for rows.Next() {
		var e alerts.LogEntry
		if err := rows.Scan(&e.At, &e.Action, &e.Actor, &e.Status, &e.Comment); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, rows.Err()
}

// alertAct is acknowledge / assign / resolve / reopen with a comment.
func (s *Server) alertAct(rp *reply, r *http.Request, ss *session) error {
	id := r.PathValue("id")
	action := r.PostFormValue("action")
	rp.object = "alert:" + id
	rp.action = "alert:" + action
	if s.cfg.Alerts == nil {
		return badf("the alert centre is read-only here (no alert engine configured)")
	}
	switch action {
	case alerts.ActAcknowledge, alerts.ActAssign, alerts.ActResolve, alerts.ActReopen:
	default:
		rp.action = "alert:act"
		return badf("action=%q: use acknowledge, assign, resolve or reopen", action)
	}
	comment := strings.TrimSpace(r.PostFormValue("comment"))
	if len([]rune(comment)) > 2000 {
		return badf("comment: at most 2000 characters")
	}
	a, err := s.readAlert(r.Context(), ss.user, id)
	if err != nil {
		return err
	}
	assignee := r.PostFormValue("assignee")
	if action == alerts.ActAssign {
		o := s.cfg.Users.Get(assignee)
		if o == nil || !o.Can().AlertActions || !strings.HasPrefix(a.Region, o.Region) {
			return badf("assignee=%q: choose a duty officer whose region covers the alert", assignee)
		}
		rp.detail = "assignee=" + assignee
	}
	if _, err := s.cfg.Alerts.Act(r.Context(), id, action, ss.user.Name, assignee, comment); err != nil {
		return badf("%v", err)
	}
	s.cache.drop("a|")
	rp.status = http.StatusSeeOther
	rp.header.Set("Location", "/alerts/"+url.PathEscape(id))
	return nil
}
