package alerts

import (
	"context"
	"strings"
	"testing"
	"time"

	"xfwatch/transform"
	"xfwatch/warehouse/whtest"
)

func TestLifecycleDedupAckRenotifyResolve(t *testing.T) {
	r, e := alertFixture(t)
	ctx := context.Background()
	if _, err := e.Evaluate(ctx, evalTime); err != nil {
		t.Fatal(err)
	}
	count := func(q string) string { return strings.TrimSpace(r.TSV(q)) }
	before := count("SELECT count() FROM alerts FINAL")

	// A condition that stays true is one alert: a second tick adds none.
	res, err := e.Evaluate(ctx, evalTime.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if res.Fired != 0 || count("SELECT count() FROM alerts FINAL") != before {
		t.Fatalf("second tick fired %d new alerts (%s before, %s after)", res.Fired, before, count("SELECT count() FROM alerts FINAL"))
	}
	// Plain SQL agrees with FINAL once the engine has compacted the table.
	if plain := count("SELECT count() FROM alerts"); plain != before {
		t.Errorf("SELECT count() FROM alerts = %s, FINAL gives %s", plain, before)
	}

	// A duty officer acknowledges the 进京 alert; the log says who and when.
	id := count("SELECT alert_id FROM alerts FINAL WHERE rule = 'beijing_abnormal'")
	if _, err := e.Act(ctx, id, ActAcknowledge, "duty.wang", "", "已联系属地"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Act(ctx, id, ActAcknowledge, "duty.wang", "", ""); err == nil {
		t.Error("acknowledging twice succeeded")
	}
	if _, err := e.Act(ctx, id, ActAssign, "duty.wang", "officer.li", "请跟进"); err != nil {
		t.Fatal(err)
	}
	r.Expect("SELECT status, acknowledged_by, assigned_to, comment FROM alerts FINAL WHERE alert_id = '"+id+"'",
		"acknowledged\tduty.wang\tofficer.li\t请跟进")

	// Four hours on, firing alerts that nobody acknowledged are notified
	// again; the acknowledged one is not; a tick racing the officer's step
	// does not undo it.
	if _, err := e.Evaluate(ctx, evalTime.Add(4*time.Hour+time.Minute)); err != nil {
		t.Fatal(err)
	}
	r.Expect("SELECT status, notify_count FROM alerts FINAL WHERE alert_id = '"+id+"'", "acknowledged\t1")
	r.Expect("SELECT notify_count FROM alerts FINAL WHERE rule = 'collective_petition' AND region = '620103'", "2")

	// Three days on, the hotspot has gone quiet: its alert resolves itself;
	// the event alerts (collective, 进京) wait for a person.
	runner := &transform.Runner{DB: r.DB, Config: transform.DefaultConfig(), Log: quiet}
	for _, name := range []string{"daily_counts", "weekly_counts", "petition_flags", "hotspot_weekly", "risk_daily", "hotspot_daily"} {
		tr, _ := transform.ByName(name)
		if _, err := runner.Run(ctx, tr, whtest.Date("2026-06-01"), whtest.Date("2026-06-30"), whtest.Date("2026-06-23"), false); err != nil {
			t.Fatal(err)
		}
	}
	res, err = e.Evaluate(ctx, evalTime.Add(72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	r.Expect("SELECT status, resolved_by FROM alerts FINAL WHERE rule = 'hotspot_surge' AND region = '620104'", "resolved\tsystem")
	r.Expect("SELECT status FROM alerts FINAL WHERE rule = 'collective_petition' AND region = '620103'", "firing")
	if _, err := e.Act(ctx, id, ActResolve, "officer.li", "", "已劝返，一事一通报已报送"); err != nil {
		t.Fatal(err)
	}
	r.Expect("SELECT action, actor, status FROM alert_log WHERE alert_id = '"+id+"' ORDER BY at",
		"fire\tsystem\tfiring",
		"notify\tsystem\tfiring",
		"acknowledge\tduty.wang\tacknowledged",
		"assign\tduty.wang\tacknowledged",
		"resolve\tofficer.li\tresolved")
}
