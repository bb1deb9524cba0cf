package dashboards

import (
	"embed"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"time"

	"xfwatch/alerts"
	"xfwatch/assess"
	"xfwatch/refdata"
)

//go:embed templates/*.html
var templateFS embed.FS

var cst = time.FixedZone("CST", 8*3600)

// Links makes the URLs of pages: server routes, or file names side by side
// in the static site (so it opens from disk).
type Links struct{ Static bool }

func (l Links) Cockpit(county string) string {
	switch {
	case l.Static && county == "":
		return "index.html"
	case l.Static:
		return "cockpit-" + county + ".html"
	case county == "":
		return "/cockpit"
	}
	return "/cockpit?county=" + url.QueryEscape(county)
}
func (l Links) Alerts() string {
	if l.Static {
		return "alerts.html"
	}
	return "/alerts"
}
func (l Links) Alert(id string) string {
	if l.Static {
		return "alert-" + id + ".html"
	}
	return "/alerts/" + url.PathEscape(id)
}
func (l Links) Trends() string {
	if l.Static {
		return "trends.html"
	}
	return "/trends"
}
func (l Links) Audit() string { return "/audit" }
func (l Links) Asset(name string) string {
	if l.Static {
		return "assets/" + name
	}
	return "/assets/" + name
}

// Export links a trend query's download in a format.
func (l Links) Export(q url.Values, format string) string {
	if l.Static {
		return "trends." + format
	}
	v := url.Values{}
	for k, x := range q {
		v[k] = x
	}
	v.Set("format", format)
	return "/api/v1/trends?" + v.Encode()
}

type navItem struct {
	Label, Href string
}

// pageBase is what every page's layout needs.
type pageBase struct {
	Title     string
	User      *User
	RoleLabel string
	ScopeName string
	CSRF      string
	Nav       []navItem
	L         Links
	Generated string
}

func (s *Server) base(ss *session, title string) pageBase {
	b := pageBase{Title: title, Generated: time.Now().In(cst).Format("2006-01-02 15:04")}
	if ss == nil {
		return b
	}
	return s.baseFor(ss.user, ss.csrf, title, Links{})
}

func (s *Server) baseFor(u *User, csrf, title string, l Links) pageBase {
	b := pageBase{Title: title, User: u, CSRF: csrf, L: l, Generated: time.Now().In(cst).Format("2006-01-02 15:04"),
		RoleLabel: RoleLabel[u.Role], ScopeName: "全市"}
	if u.Region != "" {
		b.ScopeName = s.ref.regionName(u.Region)
	}
	p := u.Can()
	if p.Cockpit {
		b.Nav = append(b.Nav, navItem{"领导驾驶舱", l.Cockpit("")})
	}
	if p.Alerts {
		b.Nav = append(b.Nav, navItem{"预警中心", l.Alerts()})
	}
	if p.Trends {
		b.Nav = append(b.Nav, navItem{"趋势分析", l.Trends()})
	}
	if p.Assess && !l.Static {
		b.Nav = append(b.Nav, navItem{"考核", "/assess"})
	}
	if p.Audit && !l.Static {
		b.Nav = append(b.Nav, navItem{"审计日志", l.Audit()})
	}
	return b
}

var funcs = template.FuncMap{
	"category": refdata.CategoryLabel,
	"severity": func(s string) string { return alerts.SeverityLabel[s] },
	"status":   func(s string) string { return statusLabels[s] },
	"time": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(cst).Format("2006-01-02 15:04")
	},
	"timep": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(cst).Format("2006-01-02 15:04")
	},
	"pct": fmtPct,
	"num": fmtNumber,
	"f1":  func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"pctv": func(v float64) string {
		return fmt.Sprintf("%.1f%%", 100*v)
	},
	"reason": func(r string) string { return assess.ReasonLabel[r] },
}

var statusLabels = map[string]string{"firing": "待处理", "acknowledged": "处理中", "resolved": "已解决"}

func fmtPct(v *float64) string {
	if v == nil || math.IsNaN(*v) {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", 100**v)
}

func fmtNumber(v *float64) string {
	if v == nil || math.IsNaN(*v) {
		return "—"
	}
	if *v == math.Trunc(*v) && math.Abs(*v) < 1e15 {
		return fmt.Sprintf("%.0f", *v)
	}
	return fmt.Sprintf("%.2f", *v)
}

func parsePages() (*template.Template, error) {
	return template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
}

// render executes a page template into the reply.
func (s *Server) render(rp *reply, name string, data any) {
	rp.header.Set("Content-Type", "text/html; charset=utf-8")
	if err := s.pages.ExecuteTemplate(&rp.body, name, data); err != nil {
		s.log.Error("page template failed", "page", name, "err", err)
		rp.body.Reset()
		rp.status = 500
		rp.body.WriteString("页面生成失败 (page failed to render)")
	}
}
