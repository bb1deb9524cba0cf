package warehouse

// Alert tables. An alert's state changes (firing, acknowledged, resolved,
// notified), so "alerts" keeps one row per alert version and
// ReplacingMergeTree keeps the newest: read it with FINAL (package alerts
// does, and optimizes the table after writing, so plain SQL soon agrees).
// Every step is also appended to alert_log, the record of who did what.
var (
	alertsTable = Table{
		Name:    "alerts",
		Comment: "预警: one row per alert (newest version; read with FINAL)",
		Columns: []Column{
			{"alert_id", "String", "alert id"},
			{"rule", lcStr, "rule name"},
			{"severity", lcStr, "red|orange|yellow|blue (红/橙/黄/蓝)"},
			{"status", lcStr, "firing|acknowledged|resolved"},
			{"region", lcStr, "county or township code, or the city"},
			{"category", lcStr, "问题类别, if any"},
			{"unit", lcStr, "unit code, if any"},
			{"title", "String", "headline, Chinese"},
			{"summary", "String", "one sentence: what and why"},
			{"value", "Float64", "the number that crossed the threshold"},
			{"threshold", "Float64", "the threshold, after the sensitive-period factor"},
			{"evidence", "String", "JSON: the numbers and the series behind the alert"},
			{"dedup_key", "String", "a condition that stays true keeps one alert under this key"},
			{"group_key", "String", "notifications group alerts by rule and region"},
			{"inhibited_by", "String", "alert id that suppresses this one's notifications, or empty"},
			{"member", "String", "hashed person the alert is about, for inhibition only; never shown or notified"},
			{"first_seen", tsType, "when the condition was first met"},
			{"last_seen", tsType, "when it was last met"},
			{"acknowledged_by", "String", "who acknowledged"},
			{"acknowledged_at", "Nullable(" + tsType + ")", "when"},
			{"assigned_to", "String", "duty officer assigned"},
			{"resolved_by", "String", "who resolved (system when the condition cleared)"},
			{"resolved_at", "Nullable(" + tsType + ")", "when"},
			{"comment", "String", "latest comment"},
			{"last_notified_at", "Nullable(" + tsType + ")", "last notification queued"},
			{"notify_count", "UInt32", "notifications queued so far"},
			{"version", "UInt64", "row version (microseconds)"},
		},
		Engine: "ReplacingMergeTree(version)", OrderBy: "alert_id", ShardKey: "cityHash64(alert_id)",
	}
	alertLogTable = Table{
		Name:    "alert_log",
		Comment: "append-only history of every alert step: fired, escalated, acknowledged, assigned, resolved, notified",
		Columns: []Column{
			{"at", tsType, "when"},
			{"alert_id", "String", "alert"},
			{"rule", lcStr, "rule"},
			{"action", lcStr, "fire|escalate|acknowledge|assign|resolve|auto_resolve|notify|reopen"},
			{"actor", "String", "user, or system"},
			{"status", lcStr, "status after the step"},
			{"comment", "String", "comment"},
		},
		Engine: "MergeTree", PartitionBy: "toYYYYMM(at)", OrderBy: "(alert_id, at)", ShardKey: "cityHash64(alert_id)",
	}
	alertOutboxTable = Table{
		Name:    "alert_outbox",
		Comment: "notifications to deliver: one row per notification and receiver (newest version; read with FINAL)",
		Columns: []Column{
			{"notification_id", "String", "idempotency key sent with the delivery"},
			{"receiver", lcStr, "receiver name"},
			{"receiver_type", lcStr, "webhook|dingtalk|wecom|log"},
			{"group_key", "String", "rule and region"},
			{"alert_ids", "Array(String)", "alerts in the notification"},
			{"severity", lcStr, "highest severity in it"},
			{"payload", "String", "the request body as sent"},
			{"status", lcStr, "pending|delivered"},
			{"attempts", "UInt32", "delivery attempts"},
			{"created_at", tsType, "queued"},
			{"next_attempt_at", tsType, "not before"},
			{"delivered_at", "Nullable(" + tsType + ")", "receiver answered success"},
			{"last_error", "String", "last failure"},
			{"version", "UInt64", "row version (microseconds)"},
		},
		Engine: "ReplacingMergeTree(version)", OrderBy: "notification_id", ShardKey: "cityHash64(notification_id)",
	}
)
