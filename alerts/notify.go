package alerts

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/warehouse"
)

// Notifier delivers queued notifications. Each is marked delivered only
// after its receiver accepted it; until then it is retried with backoff
// (1s doubling to MaxBackoff), for as long as it takes: an outage loses
// nothing. Every delivery carries the notification id (Idempotency-Key
// header and body), so a receiver can drop the rare repeat after a crash
// between its answer and our record of it. Run one notifier per warehouse.
type Notifier struct {
	DB         *warehouse.DB
	Config     *Config
	Client     *http.Client  // default: 10 s timeout
	Poll       time.Duration // 1s
	MaxBackoff time.Duration // 5m
	Log        *slog.Logger
	Now        func() time.Time // for the DingTalk timestamp; default time.Now

	wake chan struct{}
}

// Wake asks the notifier to look at the outbox now.
func (n *Notifier) Wake() {
	n.init()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

func (n *Notifier) init() {
	if n.wake == nil {
		n.wake = make(chan struct{}, 1)
	}
}

// Run delivers until ctx ends.
func (n *Notifier) Run(ctx context.Context) error {
	n.init()
	poll := n.Poll
	if poll <= 0 {
		poll = time.Second
	}
	for {
		if _, err := n.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			n.Log.Warn("cannot read the notification outbox; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-n.wake:
		case <-time.After(poll):
		}
	}
}

// DeliverDue sends the pending notifications whose time has come and
// returns how many were delivered.
func (n *Notifier) DeliverDue(ctx context.Context) (int, error) {
	rows, err := n.DB.Query(ctx, "SELECT "+outboxColumns+" FROM "+n.DB.Table("alert_outbox")+
		" FINAL WHERE status = 'pending' AND next_attempt_at <= {now:DateTime64(3)} ORDER BY created_at, notification_id LIMIT 200",
		clickhouse.Named("now", time.Now().UTC().Format("2006-01-02 15:04:05.000")))
	if err != nil {
		return 0, err
	}
	var due []*Notification
	for rows.Next() {
		var x Notification
		if err := rows.ScanStruct(&x); err != nil {
			rows.Close()
			return 0, err
		}
		due = append(due, &x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	delivered := 0
	var updates []*Notification
	for _, x := range due {
		x.Attempts++
		if err := n.send(ctx, x); err != nil {
			x.LastError = err.Error()
			x.NextAttemptAt = time.Now().Add(n.backoff(x.Attempts))
			n.Log.Warn("notification not delivered; will retry", "notification", x.ID, "receiver", x.Receiver,
				"attempt", x.Attempts, "next", x.NextAttemptAt.Format(time.RFC3339), "err", err)
		} else {
			t := time.Now()
			x.Status, x.DeliveredAt, x.LastError = "delivered", &t, ""
			delivered++
		}
		updates = append(updates, x)
	}
	st := store{n.DB}
	if err := st.writeOutbox(context.WithoutCancel(ctx), updates); err != nil {
		return delivered, fmt.Errorf("delivered %d notifications but cannot record it: %w", delivered, err)
	}
	if len(updates) > 0 {
		st.compact(context.WithoutCancel(ctx), "alert_outbox")
	}
	return delivered, nil
}

func (n *Notifier) backoff(attempts uint32) time.Duration {
	max := n.MaxBackoff
	if max <= 0 {
		max = 5 * time.Minute
	}
	d := time.Second << min(attempts-1, 20)
	return min(d, max)
}

func (n *Notifier) receiver(name string) (Receiver, bool) {
	for _, r := range n.Config.Receivers {
		if r.Name == name {
			return r, true
		}
	}
	return Receiver{}, false
}

func (n *Notifier) send(ctx context.Context, x *Notification) error {
	r, ok := n.receiver(x.Receiver)
	if !ok {
		return fmt.Errorf("receiver %q is no longer configured", x.Receiver)
	}
	if r.Type == "log" {
		n.Log.Info("alert notification", "notification", x.ID, "severity", x.Severity, "message", x.Payload)
		return nil
	}
	target := r.URL
	if r.Type == "dingtalk" && r.Secret != "" {
		now := time.Now
		if n.Now != nil {
			now = n.Now
		}
		ts := strconv.FormatInt(now().UnixMilli(), 10)
		u, err := url.Parse(target)
		if err != nil {
			return err
		}
		q := u.Query()
		q.Set("timestamp", ts)
		q.Set("sign", DingTalkSign(r.Secret, ts))
		u.RawQuery = q.Encode()
		target = u.String()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader([]byte(x.Payload)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Idempotency-Key", x.ID)
	req.Header.Set("User-Agent", "xfwatch-alerts")
	client := n.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s answered HTTP %d: %.200s", r.Type, res.StatusCode, body)
	}
	if r.Type == "dingtalk" || r.Type == "wecom" {
		var ans struct {
			ErrCode int    `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
		}
		if err := json.Unmarshal(body, &ans); err != nil {
			return fmt.Errorf("%s answered %.200q, not its JSON", r.Type, body)
		}
		if ans.ErrCode != 0 {
			return fmt.Errorf("%s refused: errcode %d %s", r.Type, ans.ErrCode, ans.ErrMsg)
		}
	}
	return nil
}

// DingTalkSign is the signed-mode signature of a DingTalk robot:
// base64(HMAC-SHA256(secret, timestamp + "\n" + secret)).
func DingTalkSign(secret, timestamp string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
