package dashboards_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// artifacts is where the browser test leaves its screenshots:
// $XFWATCH_ARTIFACTS, else artifacts/ at the top of the repository.
func artifacts(t *testing.T) string {
	dir := os.Getenv("XFWATCH_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "artifacts")
	}
	dir = filepath.Join(dir, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("XFWATCH_REQUIRE_BROWSER") != "" {
		t.Fatal("no chromium and XFWATCH_REQUIRE_BROWSER is set (apt install chromium)")
	}
	t.Skip("no chromium (apt install chromium; `make test` installs it)")
	return ""
}

// browser is a headless Chromium that records console errors and every
// request's URL.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	errors   []string
	requests []string
}

func newBrowser(t *testing.T) *browser {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.Headless,
		chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1400, 1000))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{}
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithListener(b.record))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b.ctx = ctx
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	return b
}

// record keeps console errors, exceptions, browser-log errors (CSP
// violations among them) and every request URL.
func (b *browser) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
			var args []string
			for _, a := range e.Args {
				args = append(args, fmt.Sprint(a.Value)+" "+a.Description)
			}
			b.errors = append(b.errors, "console."+string(e.Type)+": "+strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		b.errors = append(b.errors, "exception: "+e.ExceptionDetails.Text)
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning {
			b.errors = append(b.errors, "log: "+e.Entry.Text+" "+e.Entry.URL)
		}
	case *network.EventRequestWillBeSent:
		if e.Request.URL != "about:blank" {
			b.requests = append(b.requests, e.Request.URL)
		}
	}
}

// drawnCharts returns, per chart on the page, how many sampled pixels of its
// canvas are painted (-1: no canvas).
const drawnCharts = `Array.from(document.querySelectorAll('.chart')).map(function (el) {
  var c = el.querySelector('canvas');
  if (!c) { return -1; }
  var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;
  for (var i = 3; i < d.length; i += 4 * 7) { if (d[i] > 0) { n++; } }
  return n;
})`

// check opens a page, waits for its charts, asserts each is drawn and not
// blank, and saves a screenshot.
func (b *browser) check(t *testing.T, name, pageURL string, minCharts int) {
	t.Helper()
	err := chromedp.Do(b.ctx, chromedp.Navigate(pageURL), chromedp.WaitReady(chromedp.CSS("footer")), chromedp.Sleep(300*time.Millisecond))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	title, err := chromedp.Run(b.ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	painted, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]int](drawnCharts))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	shot, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifacts(t), name+".png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "监测预警") {
		t.Errorf("%s: title %q (not the page; a login redirect?)", name, title)
	}
	if len(painted) < minCharts {
		t.Errorf("%s: %d charts, want at least %d", name, len(painted), minCharts)
	}
	for i, n := range painted {
		if n < 200 {
			t.Errorf("%s: chart %d is blank (%d painted samples)", name, i, n)
		}
	}
}

// clean asserts no console errors and no request leaving this machine.
func (b *browser) clean(t *testing.T, allowed func(*url.URL) bool) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		t.Errorf("browser error: %s", e)
	}
	if len(b.requests) == 0 {
		t.Error("no request seen: the listener is not working")
	}
	for _, r := range b.requests {
		u, err := url.Parse(r)
		if err != nil || !allowed(u) {
			t.Errorf("request leaves localhost: %s", r)
		}
	}
}

// login fills in the login form and submits it.
func (b *browser) login(t *testing.T, base, name string) {
	t.Helper()
	err := chromedp.Do(b.ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="user"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="user"]`), name),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password(name)),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS("header .who")),
	)
	if err != nil {
		t.Fatalf("login %s: %v", name, err)
	}
	title, _ := chromedp.Run(b.ctx, chromedp.Title())
	if strings.HasPrefix(title, "登录") {
		t.Fatalf("login %s failed in the browser", name)
	}
}

func testBrowser(t *testing.T, e *env) {
	b := newBrowser(t)
	base := e.http.URL
	b.login(t, base, "officer")
	id, _ := alertIn(t, e, "62012", "")
	hot := e.str(t, "SELECT alert_id FROM "+e.db.Table("alerts")+" FINAL WHERE rule = 'hotspot_surge' ORDER BY alert_id LIMIT 1")
	b.check(t, "cockpit", base+"/cockpit", 3)
	b.check(t, "cockpit-620102", base+"/cockpit?county=620102", 2)
	b.check(t, "alerts", base+"/alerts", 0)
	b.check(t, "alert", base+"/alerts/"+id, 1)
	if len(hot) > 0 {
		b.check(t, "alert-hotspot", base+"/alerts/"+hot[0], 1)
	}
	// The analyst's trend page with a comparison.
	b.login(t, base, "analyst")
	b.check(t, "trends", base+"/trends?metric=petitions&dims=region&grain=week&compare=yoy", 1)
	b.check(t, "trends-rate", base+"/trends?metric=conclude_on_time_rate&grain=month&compare=mom", 1)
	b.login(t, base, "assessor")
	b.check(t, "assess", base+"/assess", 1)
	b.check(t, "assess-unit", base+"/assess/unit/G620102", 0)
	host := strings.TrimPrefix(base, "http://")
	b.clean(t, func(u *url.URL) bool {
		return (u.Scheme == "http" && u.Host == host) || u.Scheme == "data"
	})
}

func testStaticSite(t *testing.T, e *env) {
	dir := t.TempDir()
	pages, err := e.srv.WriteSite(context.Background(), dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	if pages < 11 {
		t.Fatalf("%d pages", pages)
	}
	for _, name := range []string{"index.html", "cockpit-620102.html", "alerts.html", "trends.html", "trends.csv", "trends.xlsx",
		"trends.parquet", "trends.arrow", "trends.json", "assets/echarts.min.js", "assets/map-lanzhou.js", "assets/app.js", "assets/style.css"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("site lacks %s", name)
		}
	}
	index, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	for _, bad := range []string{"http://", "https://", `src="/`, `href="/`} {
		if strings.Contains(string(index), bad) {
			t.Errorf("index.html refers to %q: not relative", bad)
		}
	}
	if n := e.str(t, "SELECT toString(count()) FROM "+e.db.Table("audit_log")+" WHERE action = 'export:site' AND user = 'test'"); n[0] != "1" {
		t.Errorf("writing the site left %s audit rows", n[0])
	}
	alertPages, _ := filepath.Glob(filepath.Join(dir, "alert-*.html"))
	if len(alertPages) == 0 {
		t.Fatal("no alert pages")
	}
	b := newBrowser(t)
	b.check(t, "site-index", "file://"+filepath.Join(dir, "index.html"), 3)
	b.check(t, "site-cockpit-620102", "file://"+filepath.Join(dir, "cockpit-620102.html"), 2)
	b.check(t, "site-alerts", "file://"+filepath.Join(dir, "alerts.html"), 0)
	b.check(t, "site-alert", "file://"+alertPages[0], 1)
	b.check(t, "site-trends", "file://"+filepath.Join(dir, "trends.html"), 1)
	b.clean(t, func(u *url.URL) bool { return u.Scheme == "file" || u.Scheme == "data" })
}
