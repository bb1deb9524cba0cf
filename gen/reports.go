package gen

import (
	"fmt"
	"time"

	"xfwatch/ingest"
)

// unitReports files a daily report from every county and township
// government: in sensitive periods every day (零报告 when nothing happened),
// a few planted ones missing; otherwise only on days with incidents.
func (g *generator) unitReports() {
	var units []string
	for _, u := range g.cfg.City.Units {
		if u.Kind == "government" {
			units = append(units, u.Code)
		}
	}
	for d := 0; d < g.cfg.Days; d++ {
		day := g.cfg.Start.AddDate(0, 0, d)
		sensitive := g.sensitive(day)
		for _, u := range units {
			incidents := 0
			if g.chance(0.08) {
				incidents = 1 + g.rng.IntN(3)
			}
			if !sensitive && incidents == 0 {
				continue
			}
			if sensitive && g.chance(0.03) {
				g.truth.MissingReports = append(g.truth.MissingReports, Missing{Unit: u, Day: day.Format(time.DateOnly)})
				continue
			}
			submitted := day.Add(g.between(17*time.Hour, 22*time.Hour))
			if submitted.After(g.now) {
				continue
			}
			note := "今日无信访突出问题，零报告。"
			if incidents > 0 {
				note = fmt.Sprintf("今日发生%d起需关注事项，已妥善处置。", incidents)
			}
			id := fmt.Sprintf("UR%s%s", u, day.Format("20060102"))
			g.emit(ingest.KindUnitReport, u, map[string]any{
				"report_id": id, "unit": u, "day": day.Format(time.DateOnly),
				"submitted_at": submitted.Format(time.RFC3339), "incidents": incidents, "note": note,
			}, submitted)
		}
	}
}
