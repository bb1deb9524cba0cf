package dashboards

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"xfwatch/alerts"
	"xfwatch/assess"
	"xfwatch/warehouse"
)

// Config is what `xfwatch serve` needs.
type Config struct {
	DB     *warehouse.DB
	Users  *Users
	Alerts *alerts.Engine // alert actions; nil makes the alert centre read-only
	Assets string         // directory holding echarts.min.js and map-lanzhou.js (default: AssetsDir())
	Log    *slog.Logger
	// SecureCookies marks cookies Secure even without TLS here (behind a
	// TLS-terminating proxy). On TLS they are Secure anyway.
	SecureCookies bool
	// Rate and Burst limit each user's requests (per second, and at once).
	Rate, Burst float64
	// SessionIdle logs a user out after this long without a request.
	SessionIdle time.Duration
	// MapName is the name the map script registers (兰州 for the demo city).
	MapName string
	// Rubrics for recomputing 考核 from the page (nil: the shipped ones).
	Rubrics assess.Rubrics
	// AuditSpool is a directory for the audit log's write-ahead file: rows
	// are appended there before each answer and shipped to audit_log in
	// batches. Empty: each request waits for its row to be inserted.
	AuditSpool string
	// CacheTTL is how long pages reuse what they read from the indicator
	// tables (default 30 s; negative: never). Alert lists live 5 s at most
	// and are dropped when someone acts on an alert.
	CacheTTL time.Duration
	// AlertPageSize is how many alerts a page of the alert centre lists
	// (default 100).
	AlertPageSize int
}

// Server serves the views and the API.
type Server struct {
	cfg      Config
	db       *warehouse.DB
	ref      *refCache
	sessions *sessions
	limit    *limiter
	logins   *limiter
	audit    *auditLog
	pages    *template.Template
	assets   map[string]asset
	log      *slog.Logger
	mux      *http.ServeMux
	cache    *cache
}

// AssetsDir is where `make assets` puts the chart scripts:
// $XFWATCH_ASSETS, else the user cache.
func AssetsDir() string {
	if d := os.Getenv("XFWATCH_ASSETS"); d != "" {
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = filepath.Join(os.Getenv("HOME"), ".cache")
	}
	return filepath.Join(base, "xfwatch", "assets", "echarts-6.1.0")
}

// New checks the configuration and builds the server. Call Run beside it.
func New(cfg Config) (*Server, error) {
	if cfg.DB == nil || cfg.Users == nil {
		return nil, errors.New("dashboards: a warehouse and a users file are needed")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Assets == "" {
		cfg.Assets = AssetsDir()
	}
	if cfg.Rate == 0 {
		cfg.Rate, cfg.Burst = 20, 60
	}
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = 30 * time.Minute
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = 30 * time.Second
	}
	if cfg.MapName == "" {
		cfg.MapName = "兰州"
	}
	assets, err := loadAssets(cfg.Assets)
	if err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, db: cfg.DB, ref: &refCache{db: cfg.DB}, sessions: newSessions(cfg.SessionIdle),
		limit: newLimiter(cfg.Rate, cfg.Burst), logins: newLimiter(0.2, 10),
		audit: newAuditLog(cfg.DB, cfg.Log), pages: pages, assets: assets, log: cfg.Log, cache: newCache(),
	}
	if cfg.AuditSpool != "" {
		sp, err := openAuditSpool(cfg.DB, cfg.Log, cfg.AuditSpool)
		if err != nil {
			return nil, err
		}
		s.audit.spool = sp
	}
	s.routes()
	return s, nil
}

// Run writes the audit log until ctx ends.
func (s *Server) Run(ctx context.Context) { s.audit.run(ctx) }

// ServeHTTP serves every route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	s.mux.ServeHTTP(w, r)
}

// csp allows scripts and styles from xfwatch only. Styles also allow
// inline style attributes, which ECharts writes into its tooltips; no
// inline script and no eval run anywhere.
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	m.HandleFunc("GET /assets/{name}", s.serveAsset)
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.login)
	m.Handle("POST /logout", s.endpoint("logout", anyone, false, s.logout))
	m.Handle("GET /{$}", s.endpoint("view:home", anyone, false, s.home))
	m.Handle("GET /cockpit", s.endpoint("view:cockpit", func(p Permissions) bool { return p.Cockpit }, false, s.cockpit))
	m.Handle("GET /alerts", s.endpoint("view:alerts", func(p Permissions) bool { return p.Alerts }, false, s.alertList))
	m.Handle("GET /alerts/{id}", s.endpoint("view:alert", func(p Permissions) bool { return p.Alerts }, false, s.alertDetail))
	m.Handle("POST /alerts/{id}/act", s.endpoint("alert:act", func(p Permissions) bool { return p.AlertActions }, false, s.alertAct))
	m.Handle("GET /trends", s.endpoint("view:trends", func(p Permissions) bool { return p.Trends }, false, s.trendsPage))
	m.Handle("GET /api/v1/trends", s.endpoint("export:trends", func(p Permissions) bool { return p.Trends }, true, s.trendsAPI))
	assessor := func(p Permissions) bool { return p.Assess }
	m.Handle("GET /assess", s.endpoint("view:assess", assessor, false, s.assessPage))
	m.Handle("GET /assess/unit/{unit}", s.endpoint("view:assess_unit", assessor, false, s.assessUnit))
	m.Handle("GET /assess/export", s.endpoint("export:assess", assessor, false, s.assessExport))
	m.Handle("POST /assess/compute", s.endpoint("assess:compute", assessor, false, s.assessCompute))
	m.Handle("GET /audit", s.endpoint("view:audit", func(p Permissions) bool { return p.Audit }, false, s.auditPage))
	s.mux = m
}

func anyone(Permissions) bool { return true }

// cached runs load through the page cache (indicator data).
func cached[T any](s *Server, key string, load func() (T, error)) (T, error) {
	v, err := s.cache.get("i|"+key, s.cfg.CacheTTL, func() (any, error) { return load() })
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

// alertTTL is how long an alert list is reused.
func (s *Server) alertTTL() time.Duration {
	if s.cfg.CacheTTL < 0 {
		return -1
	}
	return min(s.cfg.CacheTTL, 5*time.Second)
}

// reply buffers a response until its audit row is stored.
type reply struct {
	header http.Header
	status int
	body   bytes.Buffer
	action string // overrides the endpoint's audit action (e.g. alert:acknowledge)
	object string // what the request was about, for the audit row
	detail string
}

func (rp *reply) Header() http.Header { return rp.header }

// send writes the buffered response.
func (rp *reply) send(w http.ResponseWriter) {
	for k, v := range rp.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rp.status)
	w.Write(rp.body.Bytes())
}
func (rp *reply) Write(b []byte) (int, error) {
	return rp.body.Write(b)
}
func (rp *reply) WriteHeader(code int) { rp.status = code }

// Errors a handler returns, and their status.
var (
	errForbidden = errors.New("forbidden")
	errNotFound  = errors.New("not found")
)

type handler func(rp *reply, r *http.Request, ss *session) error

// endpoint wraps a handler with the session, the rate limit, CSRF checks on
// POST, the role check and one audit row per request.
func (s *Server) endpoint(action string, allow func(Permissions) bool, api bool, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		rp := &reply{header: http.Header{}, status: http.StatusOK, action: action, object: r.URL.RequestURI()}
		entry := auditEntry{At: time.Now(), RemoteAddress: remoteIP(r)}
		_, ss := s.sessions.get(r)
		outcome := "ok"
		switch {
		case ss == nil:
			outcome = "unauthenticated"
			if api || r.Method != http.MethodGet {
				rp.status = http.StatusUnauthorized
				fmt.Fprintln(&rp.body, "请先登录 (log in first: POST /login)")
			} else {
				rp.status = http.StatusSeeOther
				rp.header.Set("Location", "/login?next="+url.QueryEscape(r.URL.RequestURI()))
			}
		case !s.limit.allow(ss.user.Name):
			outcome = "rate_limited"
			rp.status = http.StatusTooManyRequests
			rp.header.Set("Retry-After", "1")
			fmt.Fprintln(&rp.body, "请求过于频繁，请稍后再试 (rate limit exceeded)")
		case r.Method == http.MethodPost && (!sameOrigin(r) || !csrfOK(ss, r)):
			outcome = "csrf_rejected"
			rp.status = http.StatusForbidden
			fmt.Fprintln(&rp.body, "请求来源校验失败 (cross-site request refused)")
		case !allow(ss.user.Can()):
			outcome = "denied"
			rp.status = http.StatusForbidden
			s.render(rp, "denied", s.base(ss, "无权访问"))
		default:
			err := s.ref.refresh(r.Context())
			if err == nil {
				err = h(rp, r, ss)
			}
			var bad badParam
			switch {
			case err == nil:
			case errors.As(err, &bad):
				outcome = "invalid"
				rp.status = http.StatusBadRequest
				rp.body.Reset()
				rp.header.Set("Content-Type", "text/plain; charset=utf-8")
				fmt.Fprintln(&rp.body, bad.msg)
			case errors.Is(err, errForbidden):
				outcome = "denied"
				rp.status = http.StatusForbidden
				rp.body.Reset()
				s.render(rp, "denied", s.base(ss, "无权访问"))
			case errors.Is(err, errNotFound):
				outcome = "not_found"
				rp.status = http.StatusNotFound
				rp.body.Reset()
				fmt.Fprintln(&rp.body, "未找到 (not found)")
			default:
				outcome = "error"
				s.log.Error("request failed", "path", r.URL.Path, "user", ss.user.Name, "err", err)
				rp.status = http.StatusInternalServerError
				rp.body.Reset()
				rp.header.Set("Content-Type", "text/plain; charset=utf-8")
				fmt.Fprintln(&rp.body, "服务器内部错误，已记录 (internal error, logged)")
			}
		}
		if ss != nil {
			entry.User, entry.Role = ss.user.Name, ss.user.Role
		}
		entry.Action, entry.Object, entry.Outcome, entry.Detail = rp.action, rp.object, outcome, rp.detail
		if err := s.audit.write(r.Context(), entry); err != nil {
			http.Error(w, "审计日志不可写，请求未完成 (the audit log cannot be written)", http.StatusServiceUnavailable)
			return
		}
		rp.send(w)
	})
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) home(rp *reply, r *http.Request, ss *session) error {
	target := "/cockpit"
	if p := ss.user.Can(); !p.Cockpit && p.Audit {
		target = "/audit"
	}
	rp.status = http.StatusSeeOther
	rp.header.Set("Location", target)
	return nil
}
