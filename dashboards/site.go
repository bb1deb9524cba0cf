package dashboards

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// WriteSite writes the cockpit (and each county's drill-down), the alert
// centre with a page per open alert, and a trends page with its exports as
// static HTML under dir, assets beside them and links relative, so the
// folder opens from disk with no server and no network. The pages are what
// a city-wide leader sees: no case-level detail, small counts below county
// level suppressed. Writing it is audited as an export by user.
func (s *Server) WriteSite(ctx context.Context, dir, user string) (int, error) {
	if err := s.ref.refresh(ctx); err != nil {
		return 0, err
	}
	viewer := &User{Name: user, Role: RoleLeader}
	l := Links{Static: true}
	base := func(title string) pageBase {
		b := s.baseFor(viewer, "", title, l)
		b.Nav = []navItem{{"领导驾驶舱", l.Cockpit("")}, {"预警中心", l.Alerts()}, {"趋势分析", l.Trends()}}
		return b
	}
	if err := s.writeAssets(filepath.Join(dir, "assets")); err != nil {
		return 0, err
	}
	pages := 0
	write := func(name, tmpl string, data any) error {
		rp := &reply{header: map[string][]string{}, status: 200}
		s.render(rp, tmpl, data)
		if rp.status != 200 {
			return fmt.Errorf("static page %s failed to render", name)
		}
		pages++
		return os.WriteFile(filepath.Join(dir, name), rp.body.Bytes(), 0o644)
	}
	cv, err := s.cockpitView(ctx, viewer, "", "", base("领导驾驶舱"))
	if err != nil {
		return 0, err
	}
	if err := write("index.html", "cockpit", cv); err != nil {
		return 0, err
	}
	for _, c := range s.ref.children("county", "") {
		v, err := s.cockpitView(ctx, viewer, c.Code, "", base("领导驾驶舱 · "+c.Name))
		if err != nil {
			return 0, err
		}
		if err := write(l.Cockpit(c.Code), "cockpit", v); err != nil {
			return 0, err
		}
	}
	av, err := s.alertListView(ctx, viewer, alertFilter{Open: true, Page: 1}, staticAlertLimit, base("预警中心"))
	if err != nil {
		return 0, err
	}
	if err := write("alerts.html", "alerts", av); err != nil {
		return 0, err
	}
	for _, a := range av.Alerts {
		v, err := s.alertDetailView(ctx, viewer, a.ID, base("预警详情"))
		if err != nil {
			return 0, err
		}
		if err := write(l.Alert(a.ID), "alert", v); err != nil {
			return 0, err
		}
	}
	latest, err := s.latestDay(ctx)
	if err != nil {
		return 0, err
	}
	t, err := ParseTrendQuery(url.Values{"metric": {"petitions"}, "dims": {"region"}, "grain": {"month"}, "compare": {"yoy"}}, latest)
	if err != nil {
		return 0, err
	}
	tv, err := s.trendsView(ctx, viewer, t, base("趋势分析"))
	if err != nil {
		return 0, err
	}
	res, err := s.Trends(ctx, viewer, t)
	if err != nil {
		return 0, err
	}
	for f, label := range formatLabels {
		b, _, err := EncodeTrends(res, f)
		if err != nil {
			return 0, err
		}
		if err := os.WriteFile(filepath.Join(dir, "trends."+f), b, 0o644); err != nil {
			return 0, err
		}
		tv.Exports = append(tv.Exports, choice{Value: l.Export(nil, f), Label: label})
	}
	sortChoices(tv.Exports)
	if err := write("trends.html", "trends", tv); err != nil {
		return 0, err
	}
	err = s.audit.write(ctx, auditEntry{At: time.Now(), User: user, Role: RoleLeader, Action: "export:site", Object: dir,
		Outcome: "ok", Detail: fmt.Sprintf("pages=%d", pages)})
	return pages, err
}

func sortChoices(cs []choice) {
	order := map[string]int{"CSV（Excel）": 0, "Excel 工作簿": 1, "JSON": 2, "Parquet": 3, "Arrow IPC": 4}
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && order[cs[j].Label] < order[cs[j-1].Label]; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}
