package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"

	"xfwatch/rekey"
)

func init() {
	register("rekey", "rotate the pseudonymisation key: chain a new key onto the key file and rewrite every stored pseudonym", runRekey)
}

func runRekey(ctx context.Context, args []string) error {
	fs := newFlags("rekey", "rekey --clickhouse DSN --key-file F --ingest-stopped")
	dsn := fs.String("clickhouse", "", "warehouse DSN, e.g. http://127.0.0.1:8123/xfwatch")
	keyFile := fs.String("key-file", "", "the pseudonymisation key file ingest uses; the new key is chained onto it")
	stopped := fs.Bool("ingest-stopped", false, "confirm that every `xfwatch ingest` and `xfwatch transform` is stopped")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := need(fs, "clickhouse", *dsn, "http://127.0.0.1:8123/xfwatch"); err != nil {
		return err
	}
	if err := need(fs, "key-file", *keyFile, "/etc/xfwatch/pseudonym.key"); err != nil {
		return err
	}
	if !*stopped {
		return usagef("stop every xfwatch ingest and transform first, then confirm with --ingest-stopped (records keyed during the rotation would keep the old pseudonyms)")
	}
	old, err := os.ReadFile(*keyFile)
	if err != nil {
		return usagef("--key-file: %v", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	newKey := []byte(hex.EncodeToString(raw))
	// The chained file is written beside the old one first: if the rotation
	// stops half-way, it holds the key some tables were rewritten with.
	next := *keyFile + ".next"
	content := append(append(bytes.TrimRight(append([]byte(nil), old...), "\r\n"), '\n'), newKey...)
	if err := os.WriteFile(next, append(content, '\n'), 0o600); err != nil {
		return err
	}
	db, err := openWarehouse(ctx, *dsn, "")
	if err != nil {
		return err
	}
	defer db.Close()
	chained, rep, err := rekey.Rotate(ctx, db, old, newKey)
	if err != nil {
		return fmt.Errorf("rotation stopped: %w\nthe warehouse may be half rewritten; restore it from the backup taken before, or finish by hand with the key in %s", err, next)
	}
	if err := os.WriteFile(next, chained, 0o600); err != nil {
		return err
	}
	if err := os.Rename(next, *keyFile); err != nil {
		return err
	}
	fmt.Printf("rotated: %v rows rewritten, %d alerts re-pointed; %v emptied (the next `xfwatch transform` tick rebuilds them)\n",
		rep.Rows, rep.Alerts, rep.Emptied)
	fmt.Printf("%s now chains %s; start ingest and transform again with it\n", *keyFile, "the old key and the new one")
	return nil
}
