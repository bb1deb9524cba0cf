package main

import (
	"context"
	"net"
	"time"

	"xfwatch/warehouse"
)

func init() {
	register("warehouse", "embedded ClickHouse engine (chDB) behind ClickHouse's HTTP interface", runWarehouse)
}

func runWarehouse(ctx context.Context, args []string) error {
	fs := newFlags("warehouse", "warehouse --listen 127.0.0.1:8123 --data DIR")
	listen := fs.String("listen", "127.0.0.1:8123", "address for ClickHouse's HTTP interface (keep it on loopback unless --password is set)")
	data := fs.String("data", "", "engine data directory (created if missing; keeps the data across restarts)")
	sessions := fs.Int("sessions", 8, "engine sessions serving requests concurrently")
	password := fs.String("password", "", "password required of the user \"default\" (empty: none, loopback only)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := need(fs, "data", *data, "/var/lib/xfwatch/warehouse"); err != nil {
		return err
	}
	if *password == "" && !isLoopback(*listen) {
		return usagef("--listen %s is not a loopback address and --password is empty: the warehouse holds petition data; "+
			"listen on 127.0.0.1 or set --password", *listen)
	}
	log := newLogger()
	wh, err := warehouse.StartEmbedded(warehouse.EmbeddedConfig{
		DataDir: *data, Listen: *listen, Sessions: *sessions, Password: *password, Logger: log,
	})
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		log.Info("stopping embedded warehouse", "reason", "signal")
	case err := <-waitErr(wh):
		if err != nil {
			wh.Engine.Close()
			return err
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = wh.Close(shutdownCtx)
	log.Info("embedded warehouse stopped", "data", *data)
	return err
}

func waitErr(wh *warehouse.Embedded) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- wh.Wait() }()
	return ch
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
