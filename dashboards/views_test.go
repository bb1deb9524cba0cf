package dashboards_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"go.yaml.in/yaml/v3"

	"xfwatch/assess"
	"xfwatch/dashboards"
	"xfwatch/internal/pipelinetest"
	"xfwatch/warehouse"
	"xfwatch/warehouse/whtest"
)

func TestMain(m *testing.M) { os.Exit(whtest.Main(m)) }

// account is a test user with a known password.
type account struct {
	name, role, region string
}

var accounts = []account{
	{"leader", "leader", ""}, {"analyst", "analyst", ""}, {"analyst-cg", "analyst", "620102"}, {"assessor", "assessor", ""},
	{"officer", "officer", ""}, {"officer-cg", "officer", "620102"}, {"officer-town", "officer", ""}, {"auditor", "auditor", ""},
}

func password(name string) string { return "pw-" + name + "-0123456789" }

// env is one pipeline run shared by the views tests.
type env struct {
	db       *warehouse.DB
	srv      *dashboards.Server
	http     *httptest.Server
	run      pipelinetest.Result
	users    string
	township string // a township of 城关区 with alerts or cells
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := whtest.DB(t)
	run := pipelinetest.Run(t, db, pipelinetest.Options{Days: 75, Seed: 11, Alerts: true})
	e := &env{db: db, run: run}
	rubrics, err := assess.LoadRubrics("")
	if err != nil {
		t.Fatal(err)
	}
	// the year the pages open on (in January before a new rubric, the last)
	res, err := assess.Compute(context.Background(), db, rubrics, rubrics.CurrentYear(time.Now()), 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := assess.Save(context.Background(), db, res); err != nil {
		t.Fatal(err)
	}
	// officer-town is scoped to a township of 城关区 that has petitions.
	var town string
	if err := db.QueryRow(context.Background(), "SELECT township_code FROM "+db.Table("petition_flags")+
		" WHERE county_code = '620102' AND township_code != '' GROUP BY township_code ORDER BY count() DESC LIMIT 1").Scan(&town); err != nil {
		t.Fatal(err)
	}
	e.township = town
	var list []dashboards.User
	for _, a := range accounts {
		h, err := dashboards.HashPassword(password(a.name))
		if err != nil {
			t.Fatal(err)
		}
		region := a.region
		if a.name == "officer-town" {
			region = town
		}
		list = append(list, dashboards.User{Name: a.name, Hash: h, Role: a.role, Region: region})
	}
	b, err := yaml.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	e.users = filepath.Join(t.TempDir(), "users.yaml")
	if err := os.WriteFile(e.users, b, 0o600); err != nil {
		t.Fatal(err)
	}
	e.srv = e.server(t, 0, 0)
	e.http = httptest.NewServer(e.srv)
	t.Cleanup(e.http.Close)
	return e
}

// server builds a views server on the env's warehouse (rate 0: default).
func (e *env) server(t *testing.T, rate, burst float64) *dashboards.Server {
	t.Helper()
	users, err := dashboards.LoadUsers(e.users)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := dashboards.New(dashboards.Config{DB: e.db, Users: users, Alerts: e.run.Engine,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Rate: rate, Burst: burst, AlertPageSize: 15})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return srv
}

// client is a logged-in browser-like client.
type client struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func login(t *testing.T, base, name string) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(url.Values{"user": {name}, "password": {password(name)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: status %d", name, resp.StatusCode)
	}
	cl := &client{t: t, base: base, c: hc}
	return cl
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) get(path string) (int, string, http.Header) {
	c.t.Helper()
	resp, err := c.c.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(b); m != nil {
		c.csrf = html.UnescapeString(string(m[1]))
	}
	return resp.StatusCode, string(b), resp.Header
}

func (c *client) post(path string, form url.Values, origin string) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *env) auditRows(t *testing.T) uint64 { return whtest.Count(t, e.db, "audit_log") }

func (e *env) str(t *testing.T, query string) []string {
	t.Helper()
	rows, err := e.db.Query(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// chartsIn returns the chart specs a page carries.
var chartAttr = regexp.MustCompile(`data-chart="([^"]*)"`)

func chartsIn(body string) []string {
	var out []string
	for _, m := range chartAttr.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

func TestViews(t *testing.T) {
	e := newEnv(t)
	t.Run("AccessMatrix", func(t *testing.T) { testAccessMatrix(t, e) })
	t.Run("Scope", func(t *testing.T) { testScope(t, e) })
	t.Run("Suppression", func(t *testing.T) { testSuppression(t, e) })
	t.Run("Guards", func(t *testing.T) { testGuards(t, e) })
	t.Run("AlertActions", func(t *testing.T) { testAlertActions(t, e) })
	t.Run("APIFormats", func(t *testing.T) { testAPIFormats(t, e) })
	t.Run("StaticSite", func(t *testing.T) { testStaticSite(t, e) })
	t.Run("Browser", func(t *testing.T) { testBrowser(t, e) })
}

func namedArgs(kv ...string) []any {
	var out []any
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, clickhouse.Named(kv[i], kv[i+1]))
	}
	return out
}
