package chhttp

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"xfwatch/warehouse/chdb"
)

// Config of the HTTP interface.
type Config struct {
	// Password, if set, is required of every request (X-ClickHouse-Key,
	// the password parameter or basic auth) for the user "default".
	Password string
	// MaxBodyBytes bounds a request body after decompression (default 4 GiB).
	MaxBodyBytes int64
	Logger       *slog.Logger
}

// Server is ClickHouse's HTTP interface over an embedded engine.
type Server struct {
	engine  *chdb.Engine
	cfg     Config
	version string
	tz      string
}

// New wraps engine; it asks the engine for its version and time zone once.
func New(engine *chdb.Engine, cfg Config) (*Server, error) {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 4 << 30
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	out, err := engine.Query(context.Background(), "SELECT version(), timezone()", "TSVRaw")
	if err != nil {
		return nil, fmt.Errorf("embedded engine does not answer: %w", err)
	}
	f := strings.Split(strings.TrimSpace(string(out)), "\t")
	if len(f) != 2 {
		return nil, fmt.Errorf("embedded engine answered %q to SELECT version(), timezone()", out)
	}
	return &Server{engine: engine, cfg: cfg, version: f[0], tz: f[1]}, nil
}

// Version is the engine's ClickHouse version.
func (s *Server) Version() string { return s.version }

// ServeHTTP implements the endpoints of ClickHouse's HTTP interface that
// clients use: /ping, /replicas_status and queries at /.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/ping", "/replicas_status":
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		_, _ = w.Write([]byte("Ok.\n"))
		return
	case "/", "/query":
	default:
		http.Error(w, "There is no handle "+r.URL.Path+"\n\nUse / or /ping for health checks.", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost && r.Method != http.MethodHead {
		writeError(w, &chdb.Error{Code: 1, Message: "Code: 1. DB::Exception: HTTP method " + r.Method + " is not supported; use GET or POST. (UNSUPPORTED_METHOD)"})
		return
	}
	params := r.URL.Query()
	if r.Method != http.MethodPost && params.Get("query") == "" {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		_, _ = w.Write([]byte("Ok.\n"))
		return
	}
	if err := s.authenticate(r, params); err != nil {
		writeError(w, err)
		return
	}
	started := time.Now()
	if err := s.serveQuery(w, r, params); err != nil {
		writeError(w, err)
		s.cfg.Logger.Debug("query failed", "err", err, "elapsed", time.Since(started))
	}
}

func (s *Server) authenticate(r *http.Request, params url.Values) error {
	user, pass := params.Get("user"), params.Get("password")
	if u := r.Header.Get("X-ClickHouse-User"); u != "" {
		user, pass = u, r.Header.Get("X-ClickHouse-Key")
	} else if u, p, ok := r.BasicAuth(); ok {
		user, pass = u, p
	}
	if user == "" {
		user = "default"
	}
	if user != "default" || subtle.ConstantTimeCompare([]byte(pass), []byte(s.cfg.Password)) != 1 {
		return &chdb.Error{Code: 516, Message: "Code: 516. DB::Exception: " + user +
			": Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)"}
	}
	return nil
}

// reserved URL parameters are the interface's own, not engine settings.
var reserved = map[string]bool{
	"query": true, "database": true, "default_format": true, "user": true, "password": true,
	"quota_key": true, "query_id": true, "stacktrace": true, "session_id": true, "session_timeout": true,
	"session_check": true, "compress": true, "decompress": true, "buffer_size": true,
	"wait_end_of_query": true, "client_protocol_version": true, "role": true,
	"enable_http_compression": true, "http_zlib_compression_level": true,
	"network_compression_method": true, "network_zstd_compression_level": true,
}

var settingName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, params url.Values) error {
	if params.Get("session_id") != "" {
		return &chdb.Error{Code: 48, Message: "Code: 48. DB::Exception: session_id is not supported by the embedded engine; " +
			"send settings with each request instead. (NOT_IMPLEMENTED)"}
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return &chdb.Error{Code: 48, Message: "Code: 48. DB::Exception: external tables (multipart requests) are not supported " +
			"by the embedded engine. (NOT_IMPLEMENTED)"}
	}
	stmt, data, err := s.readStatement(r, params)
	if err != nil {
		return err
	}
	defer data.Close()
	st := scanStatement(stmt)
	if data != nil {
		stmt = withInfile(stmt, st, data.Path())
	}
	if r.Method == http.MethodGet && !readOnlyKeyword[st.keyword] {
		return &chdb.Error{Code: 164, Message: "Code: 164. DB::Exception: Cannot execute query in readonly mode. " +
			"For queries over HTTP, method GET implies readonly. You should use method POST for modifying queries. (READONLY)"}
	}

	var settings [][2]string
	var qparams []chdb.Param
	for k, vs := range params {
		v := vs[len(vs)-1]
		switch {
		case strings.HasPrefix(k, "param_"):
			qparams = append(qparams, chdb.Param{Name: strings.TrimPrefix(k, "param_"), Value: v})
		case reserved[k]:
		case !settingName.MatchString(k):
			return &chdb.Error{Code: 115, Message: fmt.Sprintf("Code: 115. DB::Exception: Unknown setting %q. (UNKNOWN_SETTING)", k)}
		default:
			settings = append(settings, [2]string{k, v})
		}
	}
	database := params.Get("database")
	if h := r.Header.Get("X-ClickHouse-Database"); h != "" {
		database = h
	}
	if database == "" {
		database = "default"
	}
	format := params.Get("default_format")
	if h := r.Header.Get("X-ClickHouse-Format"); h != "" {
		format = h
	}
	if format == "" {
		format = "TabSeparated"
	}
	if st.format != "" {
		format = st.format
	}

	sess, err := s.engine.Acquire(r.Context())
	if err != nil {
		return &chdb.Error{Code: 159, Message: "Code: 159. DB::Exception: request ended while waiting for an engine session: " + err.Error() + " (TIMEOUT_EXCEEDED)"}
	}
	renew := st.changesSession()
	defer func() {
		if renew {
			if err := s.engine.Renew(sess); err != nil {
				s.cfg.Logger.Warn("cannot renew engine session", "err", err)
			}
			return
		}
		s.engine.Release(sess)
	}()

	if sess.Database != database {
		if err := exec(sess, "USE "+quoteIdent(database)); err != nil {
			return err
		}
		sess.Database = database
	}
	for i, kv := range settings {
		if err := exec(sess, "SET "+kv[0]+" = "+quoteString(kv[1])); err != nil {
			resetSettings(sess, settings[:i], &renew)
			return err
		}
	}
	res, err := sess.Query(stmt, format, qparams)
	resetSettings(sess, settings, &renew)
	if err != nil {
		return err
	}
	defer res.Close()

	body := res.Data()
	if strings.EqualFold(format, "Native") && !st.isInsert() {
		rev, _ := strconv.Atoi(params.Get("client_protocol_version"))
		var out bytes.Buffer
		switch {
		case len(body) == 0 && readOnlyKeyword[st.keyword] && st.keyword != "CHECK":
			names, types, err := describe(sess, stmt, st, qparams)
			if err != nil {
				return err
			}
			headerBlock(&out, names, types, rev)
			body = out.Bytes()
		case len(body) > 0 && rev > 0:
			out.Grow(len(body) + len(body)/16)
			if err := reencodeNative(&out, body, rev); err != nil {
				return &chdb.Error{Code: 50, Message: "Code: 50. DB::Exception: " + err.Error() + ". (UNKNOWN_TYPE)"}
			}
			body = out.Bytes()
		}
	}

	h := w.Header()
	queryID := params.Get("query_id")
	if queryID == "" {
		queryID = uuid.NewString()
	}
	h.Set("X-ClickHouse-Query-Id", queryID)
	h.Set("X-ClickHouse-Server-Display-Name", "xfwatch")
	h.Set("X-ClickHouse-Timezone", s.tz)
	if !st.isInsert() {
		h.Set("X-ClickHouse-Format", format)
		h.Set("Content-Type", contentType(format))
	} else {
		h.Set("Content-Type", "text/plain; charset=UTF-8")
	}
	summary, _ := json.Marshal(map[string]string{
		"read_rows": u64(res.RowsRead), "read_bytes": u64(res.BytesRead),
		"written_rows": u64(res.RowsWritten), "written_bytes": u64(res.BytesWritten),
		"total_rows_to_read": u64(res.RowsRead), "result_rows": u64(res.RowsRead),
		"elapsed_ns": strconv.FormatInt(int64(res.Elapsed*1e9), 10),
	})
	h.Set("X-ClickHouse-Summary", string(summary))
	return writeBody(w, r, params, body)
}

// readOnlyKeyword lists the statements a GET request may run.
var readOnlyKeyword = map[string]bool{
	"SELECT": true, "WITH": true, "SHOW": true, "DESCRIBE": true, "DESC": true,
	"EXISTS": true, "EXPLAIN": true, "CHECK": true,
}

// describe returns the result columns of a read statement.
func describe(s *chdb.Session, stmt []byte, st statement, params []chdb.Param) (names, types []string, err error) {
	q := stmt
	if st.formatAt >= 0 {
		q = q[:st.formatAt]
	}
	text := strings.TrimRight(strings.TrimSpace(string(q)), ";")
	res, err := s.Query([]byte("DESCRIBE ("+text+")"), "TSVRaw", params)
	if err != nil {
		return nil, nil, err
	}
	defer res.Close()
	for _, line := range strings.Split(strings.TrimSuffix(string(res.Data()), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 2 {
			continue
		}
		names = append(names, f[0])
		types = append(types, f[1])
	}
	return names, types, nil
}

func exec(s *chdb.Session, q string) error {
	res, err := s.Query([]byte(q), "TSV", nil)
	if err != nil {
		return err
	}
	res.Close()
	return nil
}

// resetSettings puts the request's settings back to their defaults; if that
// fails the session is renewed instead.
func resetSettings(s *chdb.Session, settings [][2]string, renew *bool) {
	for _, kv := range settings {
		if exec(s, "SET "+kv[0]+" = DEFAULT") != nil {
			*renew = true
		}
	}
}

func u64(v uint64) string { return strconv.FormatUint(v, 10) }

func quoteIdent(s string) string {
	return "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`").Replace(s) + "`"
}

func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func contentType(format string) string {
	f := strings.ToLower(format)
	switch {
	case strings.HasPrefix(f, "tabseparated"), strings.HasPrefix(f, "tsv"):
		return "text/tab-separated-values; charset=UTF-8"
	case strings.HasPrefix(f, "csv"):
		return "text/csv; charset=UTF-8; header=absent"
	case strings.HasPrefix(f, "json"):
		return "application/json; charset=UTF-8"
	case f == "pretty" || strings.HasPrefix(f, "pretty") || f == "vertical" || f == "markdown":
		return "text/plain; charset=UTF-8"
	case f == "xml":
		return "application/xml; charset=UTF-8"
	default:
		return "application/octet-stream"
	}
}

// writeError answers as ClickHouse does: HTTP 500, the exception code in
// X-ClickHouse-Exception-Code and "Code: N. DB::Exception: …" as the body.
func writeError(w http.ResponseWriter, err error) {
	var ce *chdb.Error
	if !errors.As(err, &ce) {
		ce = &chdb.Error{Code: 1001, Message: "Code: 1001. DB::Exception: " + err.Error() + ". (STD_EXCEPTION)"}
	}
	h := w.Header()
	h.Del("Content-Encoding")
	h.Set("Content-Type", "text/plain; charset=UTF-8")
	h.Set("X-ClickHouse-Exception-Code", strconv.Itoa(ce.Code))
	h.Set("X-ClickHouse-Server-Display-Name", "xfwatch")
	w.WriteHeader(http.StatusInternalServerError)
	msg := ce.Message
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	_, _ = w.Write([]byte(msg))
}
