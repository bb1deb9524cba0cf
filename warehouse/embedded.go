package warehouse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"xfwatch/warehouse/chdb"
	"xfwatch/warehouse/chhttp"
)

// EmbeddedConfig configures the embedded engine.
type EmbeddedConfig struct {
	DataDir string // engine data directory (created if missing)
	Listen  string // host:port; port 0 picks a free one
	// Sessions is the number of engine sessions serving requests
	// concurrently (default 8); more requests wait for a free one.
	Sessions int
	Password string // optional password for the user "default"
	Logger   *slog.Logger
}

// Embedded is the chDB engine served as ClickHouse's HTTP interface.
type Embedded struct {
	Engine *chdb.Engine
	Addr   string // the address it listens on
	srv    *http.Server
	done   chan error
}

// StartEmbedded opens the engine on cfg.DataDir and serves it on cfg.Listen.
func StartEmbedded(cfg EmbeddedConfig) (*Embedded, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Sessions == 0 {
		cfg.Sessions = 8
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w (is another warehouse running there? pick another address)", cfg.Listen, err)
	}
	engine, err := chdb.Open(cfg.DataDir, cfg.Sessions)
	if err != nil {
		ln.Close()
		return nil, err
	}
	front, err := chhttp.New(engine, chhttp.Config{Password: cfg.Password, Logger: cfg.Logger})
	if err != nil {
		ln.Close()
		engine.Close()
		return nil, err
	}
	e := &Embedded{
		Engine: engine,
		Addr:   ln.Addr().String(),
		srv:    &http.Server{Handler: front, ReadHeaderTimeout: 30 * time.Second},
		done:   make(chan error, 1),
	}
	go func() {
		err := e.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		e.done <- err
	}()
	cfg.Logger.Info("embedded warehouse serving", "addr", e.Addr, "data", engine.Path(), "clickhouse", front.Version())
	return e, nil
}

// DSN is the clickhouse-go DSN of database on this engine.
func (e *Embedded) DSN(database string) string {
	return "http://" + e.Addr + "/" + database
}

// Wait blocks until the server stops and returns why.
func (e *Embedded) Wait() error { return <-e.done }

// Close stops accepting requests, lets running ones finish (until ctx ends),
// then closes the engine, which persists its data.
func (e *Embedded) Close(ctx context.Context) error {
	err := e.srv.Shutdown(ctx)
	return errors.Join(err, e.Engine.CloseContext(ctx))
}
