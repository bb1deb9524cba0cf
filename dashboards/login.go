package dashboards

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

type loginView struct {
	pageBase
	Next, Error, Name string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	rp := &reply{header: http.Header{}, status: http.StatusOK}
	s.render(rp, "login", loginView{pageBase: s.base(nil, "登录"), Next: safeNext(r.URL.Query().Get("next"))})
	rp.send(w)
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}

// login checks the password (rate limited per address and account), starts a session
// and audits the attempt. A browser's cross-site POST is refused; clients
// without an Origin header (scripts using the API) may log in.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	name := r.PostFormValue("user")
	entry := auditEntry{At: time.Now(), User: name, Action: "login", Object: "/login", RemoteAddress: remoteIP(r)}
	status, outcome := http.StatusSeeOther, "ok"
	rp := &reply{header: http.Header{}, status: http.StatusOK}
	var user *User
	switch {
	case r.Header.Get("Origin") != "" && !sameOrigin(r):
		status, outcome = http.StatusForbidden, "csrf_rejected"
		rp.body.WriteString("请求来源校验失败 (cross-site request refused)\n")
	case !s.logins.allow(remoteIP(r) + "|" + name):
		status, outcome = http.StatusTooManyRequests, "rate_limited"
		rp.header.Set("Retry-After", "5")
		rp.body.WriteString("登录尝试过多，请稍后再试 (too many login attempts)\n")
	default:
		var ok bool
		user, ok = s.cfg.Users.Check(name, r.PostFormValue("password"))
		if !ok {
			status, outcome = http.StatusUnauthorized, "failed"
			s.render(rp, "login", loginView{pageBase: s.base(nil, "登录"), Next: safeNext(r.PostFormValue("next")),
				Error: "用户名或密码错误", Name: name})
		}
	}
	if user != nil {
		entry.Role = user.Role
	}
	entry.Outcome = outcome
	if err := s.audit.write(r.Context(), entry); err != nil {
		http.Error(w, "审计日志不可写，请求未完成 (the audit log cannot be written)", http.StatusServiceUnavailable)
		return
	}
	if user != nil {
		id, _ := s.sessions.create(user)
		setCookie(w, r, id, 0, s.cfg.SecureCookies)
		http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
		return
	}
	rp.status = status
	rp.send(w)
}

func (s *Server) logout(rp *reply, r *http.Request, ss *session) error {
	id, _ := s.sessions.get(r)
	s.sessions.drop(id)
	rp.header.Add("Set-Cookie", (&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.cfg.SecureCookies || r.TLS != nil}).String())
	rp.status = http.StatusSeeOther
	rp.header.Set("Location", "/login")
	return nil
}
