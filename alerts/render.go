package alerts

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"xfwatch/warehouse"
)

// WebhookPayload is the generic webhook body (JSON).
type WebhookPayload struct {
	Version        string         `json:"version"`
	Source         string         `json:"source"`
	NotificationID string         `json:"notification_id"` // idempotency key: the same notification never twice
	GroupKey       string         `json:"group_key"`
	Severity       string         `json:"severity"`
	Alerts         []WebhookAlert `json:"alerts"`
}

// WebhookAlert is one alert in a webhook body.
type WebhookAlert struct {
	AlertID       string  `json:"alert_id"`
	Rule          string  `json:"rule"`
	Severity      string  `json:"severity"`
	SeverityLabel string  `json:"severity_label"`
	Status        string  `json:"status"`
	Title         string  `json:"title"`
	Summary       string  `json:"summary"`
	Region        string  `json:"region"`
	RegionName    string  `json:"region_name"`
	Category      string  `json:"category,omitempty"`
	CategoryLabel string  `json:"category_label,omitempty"`
	Unit          string  `json:"unit,omitempty"`
	Value         float64 `json:"value"`
	Threshold     float64 `json:"threshold"`
	FirstSeen     string  `json:"first_seen"`
	LastSeen      string  `json:"last_seen"`
}

func fmtTime(t time.Time) string { return t.In(warehouse.City).Format("2006-01-02 15:04") }

// render produces the body a receiver type expects.
func render(typ, id, severity string, as []*Alert, regionName func(string) string) string {
	switch typ {
	case "dingtalk":
		title, text := markdown(id, severity, as, regionName, false)
		b, _ := json.Marshal(map[string]any{
			"msgtype":  "markdown",
			"markdown": map[string]string{"title": title, "text": text},
			"at":       map[string]any{"atMobiles": []string{}, "isAtAll": severity == "red"},
		})
		return string(b)
	case "wecom":
		_, text := markdown(id, severity, as, regionName, true)
		b, _ := json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": text}})
		return string(b)
	case "log":
		title, _ := markdown(id, severity, as, regionName, false)
		return title
	default:
		p := WebhookPayload{Version: "1", Source: "xfwatch", NotificationID: id, GroupKey: as[0].GroupKey, Severity: severity}
		for _, a := range as {
			p.Alerts = append(p.Alerts, WebhookAlert{
				AlertID: a.ID, Rule: a.Rule, Severity: a.Severity, SeverityLabel: SeverityLabel[a.Severity], Status: a.Status,
				Title: a.Title, Summary: a.Summary, Region: a.Region, RegionName: regionName(a.Region),
				Category: a.Category, CategoryLabel: categoryLabelOrEmpty(a.Category), Unit: a.Unit,
				Value: a.Value, Threshold: a.Threshold, FirstSeen: a.FirstSeen.UTC().Format(time.RFC3339), LastSeen: a.LastSeen.UTC().Format(time.RFC3339),
			})
		}
		b, _ := json.Marshal(p)
		return string(b)
	}
}

func categoryLabelOrEmpty(c string) string {
	if c == "" {
		return ""
	}
	return categoryLabel(c)
}

// markdown renders the DingTalk / WeCom message; WeCom colours the level.
func markdown(id, severity string, as []*Alert, regionName func(string) string, wecom bool) (string, string) {
	label := SeverityLabel[severity] + "预警"
	region := regionName(as[0].Region)
	title := fmt.Sprintf("【%s】%s · %s", label, as[0].Title, region)
	if len(as) > 1 {
		title += fmt.Sprintf("（%d条）", len(as))
	}
	var b strings.Builder
	if wecom {
		color := map[string]string{"red": "warning", "orange": "warning", "yellow": "comment", "blue": "info"}[severity]
		fmt.Fprintf(&b, "### <font color=\"%s\">%s</font>\n", color, title)
	} else {
		fmt.Fprintf(&b, "### %s\n", title)
	}
	for _, a := range as {
		b.WriteString("\n")
		fmt.Fprintf(&b, "- **说明**：%s\n", a.Summary)
		fmt.Fprintf(&b, "- **级别**：%s　**地区**：%s", SeverityLabel[a.Severity], regionName(a.Region))
		if a.Category != "" {
			fmt.Fprintf(&b, "　**类别**：%s", categoryLabel(a.Category))
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "- **首次发现**：%s　**预警编号**：%s\n", fmtTime(a.FirstSeen), a.ID)
	}
	fmt.Fprintf(&b, "\n> 通知编号 %s · xfwatch 信访预警", id)
	return title, b.String()
}
