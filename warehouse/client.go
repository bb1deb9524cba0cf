package warehouse

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// DB is an open warehouse: a clickhouse-go connection and where the schema
// lives.
type DB struct {
	driver.Conn
	Target
}

// Open connects with clickhouse-go. DSN forms:
//
//	http://[user:pass@]host:8123/db     HTTP protocol (the embedded engine)
//	https://host:8443/db                HTTP over TLS
//	clickhouse://[user:pass@]host:9000/db   native protocol (server or cluster)
//
// TLS options in the query string: secure=true, skip_verify=true,
// tls_server_name=NAME (clickhouse-go's own), and tls_ca=FILE,
// tls_cert=FILE, tls_key=FILE (xfwatch's: a private CA and a client
// certificate). cluster=NAME says the schema lives on that cluster. Other
// parameters are ClickHouse settings sent with every query.
func Open(ctx context.Context, dsn string) (*DB, error) {
	opts, target, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("cannot open warehouse %s: %w", Redact(dsn), err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := conn.Ping(pingCtx); err != nil {
		conn.Close()
		var ex *clickhouse.Exception
		if errors.As(err, &ex) && ex.Code == 81 {
			return nil, fmt.Errorf("warehouse %s has no database %s: run `xfwatch migrate --clickhouse %s` first", Redact(dsn), target.Database, Redact(dsn))
		}
		return nil, fmt.Errorf("warehouse %s does not answer: %w (is the warehouse running? `xfwatch warehouse --listen ADDR --data DIR` starts the embedded one)", Redact(dsn), err)
	}
	return &DB{Conn: conn, Target: target}, nil
}

// EnsureDatabase creates the DSN's database if it is missing, connecting to
// the server's default database to do so.
func EnsureDatabase(ctx context.Context, dsn, cluster string) error {
	opts, target, err := ParseDSN(dsn)
	if err != nil {
		return err
	}
	if cluster != "" {
		target.Cluster = cluster
	}
	opts.Auth.Database = "default"
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return fmt.Errorf("cannot open warehouse %s: %w", Redact(dsn), err)
	}
	defer conn.Close()
	if err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE IF NOT EXISTS %s%s", quoteIdent(target.Database), target.onCluster())); err != nil {
		return fmt.Errorf("cannot create database %s on %s: %w (is the warehouse running? `xfwatch warehouse --listen ADDR --data DIR` starts the embedded one)", target.Database, Redact(dsn), err)
	}
	return nil
}

// ParseDSN turns a DSN into clickhouse-go options and the schema target.
func ParseDSN(dsn string) (*clickhouse.Options, Target, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, Target{}, fmt.Errorf("--clickhouse %q is not a URL: %w (example: http://127.0.0.1:8123/default)", Redact(dsn), err)
	}
	switch u.Scheme {
	case "http", "https", "clickhouse":
	default:
		return nil, Target{}, fmt.Errorf("--clickhouse %q: scheme %q is not supported; use http:// (embedded engine), https:// or clickhouse:// (native)", Redact(dsn), u.Scheme)
	}
	q := u.Query()
	var target Target
	target.Cluster = q.Get("cluster")
	tlsCA, tlsCert, tlsKey := q.Get("tls_ca"), q.Get("tls_cert"), q.Get("tls_key")
	for _, k := range []string{"cluster", "tls_ca", "tls_cert", "tls_key"} {
		q.Del(k)
	}
	if u.Scheme == "https" && q.Get("secure") == "" {
		q.Set("secure", "true")
	}
	u.RawQuery = q.Encode()
	opts, err := clickhouse.ParseDSN(u.String())
	if err != nil {
		return nil, Target{}, fmt.Errorf("--clickhouse %q: %w", Redact(dsn), err)
	}
	if opts.Auth.Database == "" {
		opts.Auth.Database = "default"
	}
	target.Database = opts.Auth.Database
	if tlsCA != "" || tlsCert != "" {
		if opts.TLS == nil {
			opts.TLS = &tls.Config{}
		}
		if tlsCA != "" {
			pem, err := os.ReadFile(tlsCA)
			if err != nil {
				return nil, Target{}, fmt.Errorf("--clickhouse tls_ca: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, Target{}, fmt.Errorf("--clickhouse tls_ca=%s holds no PEM certificate", tlsCA)
			}
			opts.TLS.RootCAs = pool
		}
		if tlsCert != "" {
			cert, err := tls.LoadX509KeyPair(tlsCert, tlsKey)
			if err != nil {
				return nil, Target{}, fmt.Errorf("--clickhouse tls_cert/tls_key: %w", err)
			}
			opts.TLS.Certificates = []tls.Certificate{cert}
		}
	}
	if opts.DialTimeout == 0 {
		opts.DialTimeout = 10 * time.Second
	}
	if opts.MaxOpenConns == 0 {
		opts.MaxOpenConns = 16
	}
	// clickhouse-go waits 5 minutes for an answer by default; a backfill
	// over years of records may run longer. read_timeout in the DSN wins.
	if !strings.Contains(dsn, "read_timeout=") {
		opts.ReadTimeout = time.Hour
	}
	return opts, target, nil
}

// Redact hides a DSN's password for messages and logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable DSN)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Exists reports whether table exists in the target database.
func (db *DB) Exists(ctx context.Context, table string) (bool, error) {
	var n uint64
	err := db.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = {db:String} AND name = {t:String}",
		clickhouse.Named("db", db.Database), clickhouse.Named("t", table)).Scan(&n)
	return n > 0, err
}

// Table returns the qualified name of table in the target database.
func (db *DB) Table(table string) string {
	return quoteIdent(db.Database) + "." + quoteIdent(table)
}

// ArrayParam is an Array(String) query parameter ({name:Array(String)}) in
// ClickHouse's text form, quotes and backslashes escaped.
func ArrayParam(xs []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(x) + "'")
	}
	b.WriteByte(']')
	return b.String()
}
