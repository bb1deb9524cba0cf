package alerts

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"xfwatch/warehouse"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if strings.TrimSuffix(string(want), "\n") != got {
		t.Errorf("%s differs:\n%s", path, got)
	}
}

func TestPayloadsMatchTheDocumentedFormats(t *testing.T) {
	first := time.Date(2026, 6, 18, 11, 0, 0, 0, warehouse.City)
	as := []*Alert{
		{ID: "AL0001", Rule: "beijing_abnormal", Severity: "red", Status: "firing", Region: "620105", Category: "law_litigation",
			Title: "进京非正常上访（一事一通报）", Summary: "信访件 N1：安宁区 涉法涉诉 进京非正常上访，1 人，须一事一通报",
			Value: 1, Threshold: 1, GroupKey: "beijing_abnormal|620105", FirstSeen: first, LastSeen: first},
		{ID: "AL0002", Rule: "beijing_abnormal", Severity: "red", Status: "firing", Region: "620105", Category: "law_litigation",
			Title: "进京非正常上访（一事一通报）", Summary: "信访件 N3：安宁区 涉法涉诉 进京非正常上访，2 人，须一事一通报",
			Value: 2, Threshold: 1, GroupKey: "beijing_abnormal|620105", FirstSeen: first, LastSeen: first},
	}
	names := func(c string) string { return map[string]string{"620105": "安宁区"}[c] }
	for _, typ := range []string{"webhook", "dingtalk", "wecom"} {
		body := render(typ, "N0123456789abcdef", "red", as, names)
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("%s payload is not JSON: %v", typ, err)
		}
		switch typ {
		case "dingtalk": // https://open.dingtalk.com/document/robots/custom-robot-access
			md, _ := m["markdown"].(map[string]any)
			at, _ := m["at"].(map[string]any)
			if m["msgtype"] != "markdown" || md["title"] == "" || !strings.Contains(md["text"].(string), "AL0002") || at["isAtAll"] != true {
				t.Errorf("dingtalk payload %v", m)
			}
		case "wecom": // https://developer.work.weixin.qq.com/document/path/91770
			md, _ := m["markdown"].(map[string]any)
			if m["msgtype"] != "markdown" || !strings.Contains(md["content"].(string), `<font color="warning">`) {
				t.Errorf("wecom payload %v", m)
			}
		}
		pretty, _ := json.MarshalIndent(m, "", "  ")
		golden(t, typ+".json", string(pretty))
	}
}

// receiver is a test endpoint that records successful deliveries by
// idempotency key, and fails while down.
type receiver struct {
	mu        sync.Mutex
	down      bool
	failures  int
	delivered map[string]int
	bodies    []string
	check     func(r *http.Request) string // "" if the request is right
}

func newReceiver(t *testing.T, check func(r *http.Request) string, answer string) (*receiver, *httptest.Server) {
	rc := &receiver{delivered: map[string]int{}, check: check}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if rc.down {
			rc.failures++
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		if rc.check != nil {
			if msg := rc.check(r); msg != "" {
				t.Errorf("bad request: %s", msg)
			}
		}
		b, _ := io.ReadAll(r.Body)
		rc.bodies = append(rc.bodies, string(b))
		rc.delivered[r.Header.Get("Idempotency-Key")]++
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return rc, srv
}

func (rc *receiver) setDown(d bool) {
	rc.mu.Lock()
	rc.down = d
	rc.mu.Unlock()
}

func TestDeliveryThroughAnOutageIsExactlyOnce(t *testing.T) {
	r, e := alertFixture(t)
	const secret = "SECtest0123456789"
	webhook, whSrv := newReceiver(t, nil, "ok")
	ding, dingSrv := newReceiver(t, func(req *http.Request) string {
		q := req.URL.Query()
		ts, sign := q.Get("timestamp"), q.Get("sign")
		ms, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || time.Since(time.UnixMilli(ms)).Abs() > time.Hour {
			return "timestamp " + ts + " is not within an hour of now"
		}
		if q.Get("access_token") != "T0K3N" || sign != DingTalkSign(secret, ts) {
			return "DingTalk signature does not verify"
		}
		return ""
	}, `{"errcode":0,"errmsg":"ok"}`)
	wecom, weSrv := newReceiver(t, nil, `{"errcode":0,"errmsg":"ok"}`)
	e.Config.Receivers = []Receiver{
		{Name: "hook", Type: "webhook", URL: whSrv.URL},
		{Name: "ding", Type: "dingtalk", URL: dingSrv.URL + "/robot/send?access_token=T0K3N", Secret: secret},
		{Name: "wx", Type: "wecom", URL: weSrv.URL + "/cgi-bin/webhook/send?key=K"},
	}
	e.Config.Routes = []Route{
		{Severities: []string{"red"}, Receivers: []string{"ding"}},
		{Severities: []string{"orange"}, Regions: []string{"620102", "620103"}, Receivers: []string{"wx"}},
		{Receivers: []string{"hook"}},
	}
	webhook.setDown(true)
	if _, err := e.Evaluate(context.Background(), evalTime); err != nil {
		t.Fatal(err)
	}
	n := &Notifier{DB: r.DB, Config: e.Config, Log: quiet, MaxBackoff: 50 * time.Millisecond}
	ctx := context.Background()
	// The webhook is down: the others deliver, its notifications wait.
	for i := 0; i < 5; i++ {
		if _, err := n.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(60 * time.Millisecond)
	}
	pendingDuringOutage := strings.TrimSpace(r.TSV("SELECT count() FROM alert_outbox FINAL WHERE status = 'pending'"))
	webhook.setDown(false)
	for i := 0; i < 20 && strings.TrimSpace(r.TSV("SELECT count() FROM alert_outbox FINAL WHERE status = 'pending'")) != "0"; i++ {
		if _, err := n.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(60 * time.Millisecond)
	}
	// Nothing further is sent once everything is delivered.
	for i := 0; i < 3; i++ {
		n.DeliverDue(ctx)
	}
	total := strings.TrimSpace(r.TSV("SELECT count() FROM alert_outbox FINAL"))
	perReceiver := r.TSV("SELECT receiver, count(), countIf(status = 'delivered'), max(attempts) > 1 FROM alert_outbox FINAL GROUP BY receiver ORDER BY receiver")
	if pendingDuringOutage == "0" || webhook.failures == 0 {
		t.Fatalf("the outage held nothing back (%s pending, %d failures)", pendingDuringOutage, webhook.failures)
	}
	for name, rc := range map[string]*receiver{"hook": webhook, "ding": ding, "wx": wecom} {
		for key, times := range rc.delivered {
			if times != 1 {
				t.Errorf("%s received notification %s %d times", name, key, times)
			}
		}
		want := strings.TrimSpace(r.TSV("SELECT count() FROM alert_outbox FINAL WHERE receiver = '" + name + "'"))
		if strconv.Itoa(len(rc.delivered)) != want {
			t.Errorf("%s received %d notifications, the outbox holds %s", name, len(rc.delivered), want)
		}
	}
	if r.TSV("SELECT countIf(status != 'delivered') FROM alert_outbox FINAL") != "0\n" {
		t.Fatalf("undelivered after the outage:\n%s", perReceiver)
	}
	// Red went to DingTalk, orange in 城关区/七里河区 to WeCom, the rest to the webhook.
	if len(ding.delivered) == 0 || len(wecom.delivered) == 0 || !strings.Contains(ding.bodies[0], "进京非正常上访") {
		t.Errorf("routing: dingtalk %d, wecom %d", len(ding.delivered), len(wecom.delivered))
	}
	t.Logf("%s notifications; %d refused during the outage; per receiver:\n%s", total, webhook.failures, perReceiver)
}
