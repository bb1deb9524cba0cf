package dashboards_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"xfwatch/dashboards"
)

func scopeOf(e *env, name string) string {
	for _, a := range accounts {
		if a.name == name {
			if name == "officer-town" {
				return e.township
			}
			return a.region
		}
	}
	return ""
}

// alertIn returns an open alert whose region starts with prefix and not with not.
func alertIn(t *testing.T, e *env, prefix, not string) (id, region string) {
	t.Helper()
	q := "SELECT alert_id || '|' || region FROM " + e.db.Table("alerts") + " FINAL WHERE status = 'firing' AND startsWith(region, '" + prefix +
		"')"
	if not != "" {
		q += " AND NOT startsWith(region, '" + not + "')"
	}
	rows := e.str(t, q+" ORDER BY alert_id LIMIT 1")
	if len(rows) == 0 {
		t.Fatalf("no firing alert in %s (not %s)", prefix, not)
	}
	parts := strings.SplitN(rows[0], "|", 2)
	return parts[0], parts[1]
}

type endpoint struct {
	path  string
	allow func(dashboards.Permissions) bool
	// region: the endpoint shows one object of this region (404 outside the scope)
	region string
}

func testAccessMatrix(t *testing.T, e *env) {
	idCG, regionCG := alertIn(t, e, "620102", "")
	idOther, regionOther := alertIn(t, e, "62012", "") // a county of the city's outer ring
	endpoints := []endpoint{
		{"/cockpit", func(p dashboards.Permissions) bool { return p.Cockpit }, ""},
		{"/cockpit?county=620102", func(p dashboards.Permissions) bool { return p.Cockpit }, "620102"},
		{"/alerts", func(p dashboards.Permissions) bool { return p.Alerts }, ""},
		{"/alerts/" + idCG, func(p dashboards.Permissions) bool { return p.Alerts }, regionCG},
		{"/alerts/" + idOther, func(p dashboards.Permissions) bool { return p.Alerts }, regionOther},
		{"/trends", func(p dashboards.Permissions) bool { return p.Trends }, ""},
		{"/api/v1/trends?metric=petitions&dims=region,category&grain=month", func(p dashboards.Permissions) bool { return p.Trends }, ""},
		{"/api/v1/trends?metric=conclude_on_time_rate&dims=unit&format=csv", func(p dashboards.Permissions) bool { return p.Export }, ""},
		{"/audit", func(p dashboards.Permissions) bool { return p.Audit }, ""},
		{"/assess", func(p dashboards.Permissions) bool { return p.Assess }, ""},
		{"/assess/unit/G620102", func(p dashboards.Permissions) bool { return p.Assess }, ""},
		{"/assess/export?format=xlsx", func(p dashboards.Permissions) bool { return p.Assess }, ""},
	}
	keys := e.str(t, "SELECT DISTINCT petitioner_key FROM "+e.db.Table("petitions")+" LIMIT 3000")
	keys = append(keys, e.str(t, "SELECT DISTINCT member FROM "+e.db.Table("alerts")+" WHERE member != '' LIMIT 1000")...)
	if len(keys) < 100 {
		t.Fatalf("only %d keys to look for", len(keys))
	}
	for _, a := range accounts {
		c := login(t, e.http.URL, a.name)
		u := &dashboards.User{Role: a.role}
		scope := scopeOf(e, a.name)
		for _, ep := range endpoints {
			want := http.StatusOK
			switch {
			case !ep.allow(u.Can()):
				want = http.StatusForbidden
			case ep.region != "" && !strings.HasPrefix(ep.region, scope) && !(len(ep.region) == 6 && strings.HasPrefix(scope, ep.region) && strings.HasPrefix(ep.path, "/cockpit")):
				want = http.StatusNotFound
				if strings.HasPrefix(ep.path, "/cockpit") {
					want = http.StatusForbidden
				}
			}
			before := e.auditRows(t)
			status, body, h := c.get(ep.path)
			if status != want {
				t.Errorf("%s (%s, scope %q) GET %s: status %d, want %d", a.name, a.role, scope, ep.path, status, want)
			}
			if got := e.auditRows(t) - before; got != 1 {
				t.Errorf("%s GET %s left %d audit rows, want 1", a.name, ep.path, got)
			}
			if h.Get("Content-Security-Policy") == "" {
				t.Errorf("%s GET %s: no Content-Security-Policy", a.name, ep.path)
			}
			for _, k := range keys {
				if strings.Contains(body, k) {
					t.Fatalf("%s GET %s shows a petitioner key", a.name, ep.path)
				}
			}
			if strings.Contains(body, "petitioner_key") || strings.Contains(body, "caller_key") {
				t.Errorf("%s GET %s names an identity column", a.name, ep.path)
			}
		}
		// Alert actions: duty officers only, and only in their region.
		c.get("/alerts/" + idCG) // fresh CSRF token where the page is allowed
		if c.csrf == "" {
			c.get("/cockpit")
		}
		want := http.StatusForbidden
		if u.Can().AlertActions {
			want = http.StatusSeeOther
			if !strings.HasPrefix(regionCG, scope) {
				want = http.StatusNotFound
			}
		}
		before := e.auditRows(t)
		status, _ := c.post("/alerts/"+idCG+"/act", url.Values{"action": {"assign"}, "assignee": {"officer"}, "comment": {"测试指派"}, "csrf": {c.csrf}}, e.http.URL)
		if status != want {
			t.Errorf("%s POST act on %s: status %d, want %d", a.name, idCG, status, want)
		}
		if got := e.auditRows(t) - before; got != 1 {
			t.Errorf("%s POST act left %d audit rows, want 1", a.name, got)
		}
	}
	// The audit rows say who did what with which outcome.
	rows := e.str(t, "SELECT user || ' ' || action || ' ' || outcome FROM "+e.db.Table("audit_log")+" WHERE action IN ('view:audit', 'alert:assign', 'alert:act') ORDER BY at")
	joined := strings.Join(rows, "\n")
	for _, want := range []string{"auditor view:audit ok", "leader view:audit denied", "officer alert:assign ok", "leader alert:act denied"} {
		if !strings.Contains(joined, want) {
			t.Errorf("audit log lacks %q:\n%s", want, joined)
		}
	}
}

var alertLink = regexp.MustCompile(`href="/alerts/([A-Za-z0-9_.-]+)"`)

func testScope(t *testing.T, e *env) {
	// Trend rows of a county-scoped analyst stay in the county.
	c := login(t, e.http.URL, "analyst-cg")
	status, body, _ := c.get("/api/v1/trends?metric=petitions&dims=region&grain=month&level=township")
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	var res struct{ Rows []map[string]any }
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) == 0 {
		t.Fatal("no rows for 城关区's townships")
	}
	for _, r := range res.Rows {
		if !strings.HasPrefix(r["region"].(string), "620102") {
			t.Fatalf("analyst-cg sees region %v", r["region"])
		}
	}
	all := login(t, e.http.URL, "analyst")
	_, body, _ = all.get("/api/v1/trends?metric=petitions&dims=region&grain=month")
	if !strings.Contains(body, `"620121"`) {
		t.Error("the city analyst does not see 永登县")
	}
	// The cockpit heatmap of a scoped user has its own rows only.
	_, body, _ = c.get("/cockpit")
	heat := heatmapRows(t, body)
	if strings.Join(heat, ",") != "城关区" {
		t.Errorf("analyst-cg heatmap rows = %v", heat)
	}
	town := login(t, e.http.URL, "officer-town")
	_, body, _ = town.get("/cockpit")
	heat = heatmapRows(t, body)
	if len(heat) != 1 {
		t.Errorf("officer-town heatmap rows = %v", heat)
	}
	if strings.Contains(body, ">三访<") {
		t.Error("a township user sees the county-level 三访 card")
	}
	// The alert list of a scoped officer holds alerts of its region only.
	o := login(t, e.http.URL, "officer-cg")
	body = allAlertPages(t, o, "/alerts?status=all")
	ids := alertLink.FindAllStringSubmatch(body, -1)
	if len(ids) == 0 {
		t.Fatal("officer-cg sees no alerts")
	}
	for _, m := range ids {
		region := e.str(t, "SELECT region FROM "+e.db.Table("alerts")+" FINAL WHERE alert_id = '"+m[1]+"'")
		if len(region) != 1 || !strings.HasPrefix(region[0], "620102") {
			t.Fatalf("officer-cg sees alert %s of region %v", m[1], region)
		}
	}
	outside := e.str(t, "SELECT alert_id FROM "+e.db.Table("alerts")+" FINAL WHERE NOT startsWith(region, '620102') LIMIT 50")
	for _, id := range outside {
		if strings.Contains(body, id) {
			t.Fatalf("officer-cg sees alert %s outside 城关区", id)
		}
	}
	// Case numbers in alert texts: officers see them, leaders do not.
	cases := e.str(t, "SELECT JSONExtractString(evidence, 'case_id') FROM "+e.db.Table("alerts")+" FINAL WHERE JSONExtractString(evidence, 'case_id') != '' AND status != 'resolved'")
	if len(cases) == 0 {
		t.Fatal("no alert about a single case")
	}
	leaderBody := allAlertPages(t, login(t, e.http.URL, "leader"), "/alerts")
	officerBody := allAlertPages(t, login(t, e.http.URL, "officer"), "/alerts")
	shown := 0
	for _, id := range cases {
		if strings.Contains(leaderBody, id) {
			t.Errorf("the leader's alert list shows case %s", id)
		}
		if strings.Contains(officerBody, id) {
			shown++
		}
	}
	if shown == 0 {
		t.Error("the officer's alert list shows no case number")
	}
}

var (
	nextPage   = regexp.MustCompile(`<a href="([^"]+)">下一页</a>`)
	alertTotal = regexp.MustCompile(`共 (\d+) 条`)
)

// allAlertPages follows an alert list's 下一页 links and returns the pages'
// bodies together, checking that they list every alert of the total once.
func allAlertPages(t *testing.T, c *client, path string) string {
	t.Helper()
	var all strings.Builder
	seen := map[string]bool{}
	total := ""
	for pages := 0; path != ""; pages++ {
		if pages > 100 {
			t.Fatal("more than 100 pages of alerts")
		}
		status, body, _ := c.get(path)
		if status != 200 {
			t.Fatalf("%s: status %d", path, status)
		}
		m := alertTotal.FindStringSubmatch(body)
		if m == nil || (total != "" && m[1] != total) {
			t.Fatalf("%s: total %v, first page said %s", path, m, total)
		}
		total = m[1]
		for _, id := range alertLink.FindAllStringSubmatch(body, -1) {
			if seen[id[1]] {
				t.Fatalf("%s lists alert %s again", path, id[1])
			}
			seen[id[1]] = true
		}
		all.WriteString(body)
		path = ""
		if n := nextPage.FindStringSubmatch(body); n != nil {
			path = html.UnescapeString(n[1])
		}
	}
	if fmt.Sprint(len(seen)) != total {
		t.Errorf("the pages list %d alerts, the total says %s", len(seen), total)
	}
	return all.String()
}

// heatmapRows are the heatmap's y-axis labels on a cockpit page.
func heatmapRows(t *testing.T, body string) []string {
	t.Helper()
	for _, spec := range chartsIn(body) {
		var c struct {
			ID     string
			Option struct {
				YAxis []struct{ Data []string }
			}
		}
		if err := json.Unmarshal([]byte(spec), &c); err != nil {
			t.Fatal(err)
		}
		if c.ID == "heatmap" && len(c.Option.YAxis) > 0 {
			return c.Option.YAxis[0].Data
		}
	}
	t.Fatal("no heatmap on the page")
	return nil
}

func testSuppression(t *testing.T, e *env) {
	c := login(t, e.http.URL, "analyst")
	_, body, _ := c.get("/api/v1/trends?metric=petitions&dims=region,category&grain=month&level=township")
	var res struct {
		Rows []struct {
			Value      *float64
			Suppressed bool
		}
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	suppressed := 0
	for _, r := range res.Rows {
		if r.Suppressed {
			suppressed++
			if r.Value != nil {
				t.Fatal("a suppressed row carries its value")
			}
		} else if r.Value != nil && *r.Value > 0 && *r.Value < 5 {
			t.Fatalf("a township count of %v is shown", *r.Value)
		}
	}
	if suppressed == 0 {
		t.Fatalf("no township × category × month count below 5 in %d rows", len(res.Rows))
	}
	// County level is not suppressed.
	_, body, _ = c.get("/api/v1/trends?metric=petitions&dims=region,category&grain=month")
	if strings.Contains(body, `"suppressed":true`) {
		t.Error("county-level rows are suppressed")
	}
	// The drill-down's explanations: "<5" for the leader, exact for the officer.
	_, lb, _ := login(t, e.http.URL, "leader").get("/cockpit?county=620102")
	_, ob, _ := login(t, e.http.URL, "officer").get("/cockpit?county=620102")
	if !strings.Contains(strings.Join(chartsIn(lb), ""), `近7天 \u003c5 件`) && !strings.Contains(strings.Join(chartsIn(lb), ""), "近7天 <5 件") {
		t.Error("the leader's township tooltips show no <5")
	}
	if strings.Contains(strings.Join(chartsIn(ob), ""), "<5 件") || strings.Contains(strings.Join(chartsIn(ob), ""), `\u003c5 件`) {
		t.Error("the officer (case access) gets suppressed counts")
	}
}

func testGuards(t *testing.T, e *env) {
	id, _ := alertIn(t, e, "620102", "")
	o := login(t, e.http.URL, "officer-cg")
	o.get("/alerts/" + id)
	status, _ := o.post("/alerts/"+id+"/act", url.Values{"action": {"acknowledge"}, "csrf": {o.csrf}}, "http://evil.example")
	if status != http.StatusForbidden {
		t.Errorf("cross-origin POST: status %d, want 403", status)
	}
	status, _ = o.post("/alerts/"+id+"/act", url.Values{"action": {"acknowledge"}}, e.http.URL)
	if status != http.StatusForbidden {
		t.Errorf("POST without the CSRF token: status %d, want 403", status)
	}
	if s := e.str(t, "SELECT status FROM "+e.db.Table("alerts")+" FINAL WHERE alert_id = '"+id+"'"); s[0] != "firing" {
		t.Errorf("a refused POST changed the alert to %s", s[0])
	}
	// A cross-site login is refused.
	req, _ := http.NewRequest("POST", e.http.URL+"/login", strings.NewReader("user=leader&password="+password("leader")))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site login: status %d", resp.StatusCode)
	}
	// Without a session: pages redirect to the login, the API says 401.
	anon := &client{t: t, base: e.http.URL, c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if status, _, h := anon.get("/cockpit"); status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Errorf("anonymous /cockpit: %d %s", status, h.Get("Location"))
	}
	if status, _, _ := anon.get("/api/v1/trends"); status != http.StatusUnauthorized {
		t.Errorf("anonymous API: %d", status)
	}
	if _, _, h := anon.get("/login"); h.Get("Content-Security-Policy") == "" || strings.Contains(h.Get("Content-Security-Policy"), "unsafe-eval") {
		t.Errorf("login page CSP = %q", h.Get("Content-Security-Policy"))
	}
	// Past the per-user rate limit: 429, audited.
	limited := httptest.NewServer(e.server(t, 0.001, 3))
	defer limited.Close()
	c := login(t, limited.URL, "analyst")
	for i := range 3 {
		if status, _, _ := c.get("/api/v1/trends?metric=petitions"); status != 200 {
			t.Fatalf("request %d within the burst: %d", i+1, status)
		}
	}
	if status, _, h := c.get("/api/v1/trends?metric=petitions"); status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Errorf("past the rate limit: status %d", status)
	}
	if n := e.str(t, "SELECT toString(count()) FROM "+e.db.Table("audit_log")+" WHERE user = 'analyst' AND outcome = 'rate_limited'"); n[0] == "0" {
		t.Error("the refused request left no audit row")
	}
	// A bad parameter names itself.
	a := login(t, e.http.URL, "analyst")
	if status, body, _ := a.get("/api/v1/trends?metric=petitions&grain=fortnight"); status != 400 || !strings.Contains(body, "grain") {
		t.Errorf("bad grain: %d %s", status, body)
	}
	if status, body, _ := a.get("/api/v1/trends?metric=petitions%3BDROP"); status != 400 || !strings.Contains(body, "metric") {
		t.Errorf("bad metric: %d %s", status, body)
	}
	if status, body, _ := a.get("/api/v1/trends?metric=petitions&region=620102'%20OR%201=1"); status != 400 || !strings.Contains(body, "region") {
		t.Errorf("bad region: %d %s", status, body)
	}
}

func testAlertActions(t *testing.T, e *env) {
	id, _ := alertIn(t, e, "620102", "")
	o := login(t, e.http.URL, "officer-cg")
	o.get("/alerts/" + id)
	steps := []url.Values{
		{"action": {"acknowledge"}, "comment": {"已联系属地核实"}},
		{"action": {"assign"}, "assignee": {"officer-cg"}, "comment": {"由城关区信访局跟进"}},
		{"action": {"resolve"}, "comment": {"已化解，信访人表示满意"}},
	}
	for _, f := range steps {
		f.Set("csrf", o.csrf)
		if status, body := o.post("/alerts/"+id+"/act", f, e.http.URL); status != http.StatusSeeOther {
			t.Fatalf("%s: status %d %s", f.Get("action"), status, body)
		}
	}
	got := e.str(t, "SELECT status || '|' || acknowledged_by || '|' || assigned_to || '|' || resolved_by || '|' || comment FROM "+e.db.Table("alerts")+" FINAL WHERE alert_id = '"+id+"'")
	if got[0] != "resolved|officer-cg|officer-cg|officer-cg|已化解，信访人表示满意" {
		t.Errorf("alert after the steps: %s", got[0])
	}
	log := e.str(t, "SELECT action || ':' || actor || ':' || comment FROM "+e.db.Table("alert_log")+" WHERE alert_id = '"+id+"' AND actor != 'system' ORDER BY at")
	want := "acknowledge:officer-cg:已联系属地核实 assign:officer-cg:由城关区信访局跟进 resolve:officer-cg:已化解，信访人表示满意"
	if strings.Join(log[len(log)-3:], " ") != want {
		t.Errorf("alert_log = %v", log)
	}
	audit := e.str(t, "SELECT action || ' ' || outcome FROM "+e.db.Table("audit_log")+" WHERE user = 'officer-cg' AND object = 'alert:"+id+"' AND startsWith(action, 'alert:') ORDER BY at")
	if strings.Join(audit, ",") != "alert:acknowledge ok,alert:assign ok,alert:resolve ok" {
		t.Errorf("audit of the steps: %v", audit)
	}
	// The detail page shows the history; a bad step is refused with the reason.
	_, body, _ := o.get("/alerts/" + id)
	if !strings.Contains(body, "已联系属地核实") || !strings.Contains(body, "已解决") {
		t.Error("the detail page does not show the steps")
	}
	if status, body := o.post("/alerts/"+id+"/act", url.Values{"action": {"acknowledge"}, "csrf": {o.csrf}}, e.http.URL); status != 400 || !strings.Contains(body, "resolved") {
		t.Errorf("acknowledging a resolved alert: %d %s", status, body)
	}
	_ = context.Background()
}
