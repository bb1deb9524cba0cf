package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"xfwatch/alerts"
	"xfwatch/dashboards"
	"xfwatch/warehouse"
)

func init() {
	register("serve", "the web views (领导驾驶舱, 预警中心, 趋势分析) and the trends API", runServe)
}

func runServe(ctx context.Context, args []string) error {
	fs := newFlags("serve", "serve --clickhouse DSN [--listen ADDR] [--users FILE]")
	dsn := fs.String("clickhouse", "", "warehouse DSN, e.g. http://127.0.0.1:8123/xfwatch")
	listen := fs.String("listen", "127.0.0.1:8080", "address to serve on")
	users := fs.String("users", "", "users file (YAML: name, password_bcrypt, role, region)")
	assets := fs.String("assets", "", "directory of the chart scripts fetched by `make assets` (default: the cache)")
	rulesFile := fs.String("alert-rules", "", "alert rules YAML, for the alert centre's rule list (default: the shipped rules)")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate (PEM), with --tls-key")
	tlsKey := fs.String("tls-key", "", "the certificate's key (PEM)")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure (set when a TLS proxy sits in front)")
	spool := fs.String("audit-spool", "", "directory for the audit log's write-ahead file: each request's audit row is appended there and shipped to audit_log in batches (empty: each request waits for its row to be inserted)")
	hash := fs.Bool("hash-password", false, "read a password on stdin, print its bcrypt hash for the users file, and exit")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *hash {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return usagef("--hash-password: give the password on stdin")
		}
		h, err := dashboards.HashPassword(strings.TrimRight(line, "\r\n"))
		if err != nil {
			return err
		}
		fmt.Println(h)
		return nil
	}
	if err := need(fs, "clickhouse", *dsn, "http://127.0.0.1:8123/xfwatch"); err != nil {
		return err
	}
	if err := need(fs, "users", *users, "users.yaml"); err != nil {
		return err
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	accounts, err := dashboards.LoadUsers(*users)
	if err != nil {
		return usagef("--users: %v", err)
	}
	rules, err := alerts.LoadConfig(*rulesFile)
	if err != nil {
		return usageError{err}
	}
	log := newLogger()
	db, err := openWarehouse(ctx, *dsn, "")
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := dashboards.New(dashboards.Config{DB: db, Users: accounts, Alerts: &alerts.Engine{DB: db, Config: rules, Log: log},
		Assets: *assets, Log: log, SecureCookies: *secure, AuditSpool: *spool})
	if err != nil {
		return usagef("%v", err)
	}
	return serveViews(ctx, srv, *listen, *tlsCert, *tlsKey, log)
}

// serveViews serves until ctx ends, then shuts down gracefully.
func serveViews(ctx context.Context, srv *dashboards.Server, listen, cert, key string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return usagef("--listen %s: %v", listen, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	auditDone := make(chan struct{})
	go func() { srv.Run(runCtx); close(auditDone) }()
	scheme := "http"
	if cert != "" {
		scheme = "https"
	}
	log.Info("web views serving", "url", scheme+"://"+ln.Addr().String()+"/")
	errc := make(chan error, 1)
	go func() {
		if cert != "" {
			errc <- hs.ServeTLS(ln, cert, key)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = hs.Shutdown(shutCtx)
	stop()
	<-auditDone
	return err
}

// demoViews prepares the demo's web views: the users file with one account
// per role (passwords printed once) and the server.
func demoViews(db *warehouse.DB, data string, engine *alerts.Engine, log *slog.Logger, spool string) (*dashboards.Server, error) {
	path := data + "/users.yaml"
	var accounts *dashboards.Users
	if _, err := os.Stat(path); err == nil {
		if accounts, err = dashboards.LoadUsers(path); err != nil {
			return nil, err
		}
		fmt.Printf("\naccounts: %s (passwords were printed when it was created; delete it to make new ones)\n", path)
	} else {
		pw, err := dashboards.DemoUsers(path)
		if err != nil {
			return nil, err
		}
		if accounts, err = dashboards.LoadUsers(path); err != nil {
			return nil, err
		}
		fmt.Printf("\naccounts created in %s — passwords shown once:\n", path)
		for _, name := range accounts.Names() {
			u := accounts.Get(name)
			scope := "全市"
			if u.Region != "" {
				scope = u.Region
			}
			fmt.Printf("  %-18s %-10s %-8s %s\n", name, u.Role, scope, pw[name])
		}
	}
	return dashboards.New(dashboards.Config{DB: db, Users: accounts, Alerts: engine, Log: log, AuditSpool: spool})
}
