package main

import (
	"context"
	"fmt"

	"xfwatch/transform"
	"xfwatch/warehouse"
)

func init() {
	register("migrate", "create or upgrade the warehouse schema", runMigrate)
}

func runMigrate(ctx context.Context, args []string) error {
	fs := newFlags("migrate", "migrate --clickhouse DSN [--cluster NAME] [--print]")
	dsn := fs.String("clickhouse", "", "warehouse DSN: http://host:8123/db (embedded) or clickhouse://host:9000/db")
	cluster := fs.String("cluster", "", "cluster name: ON CLUSTER DDL, ReplicatedMergeTree tables under Distributed ones")
	print := fs.Bool("print", false, "print the DDL for an empty warehouse instead of applying it (needs no server)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *print {
		target := warehouse.Target{Database: "default", Cluster: *cluster}
		if *dsn != "" {
			_, t, err := warehouse.ParseDSN(*dsn)
			if err != nil {
				return usageError{err}
			}
			target.Database = t.Database
		}
		for _, stmt := range warehouse.Plan(target) {
			fmt.Printf("%s;\n\n", stmt)
		}
		return nil
	}
	if err := need(fs, "clickhouse", *dsn, "http://127.0.0.1:8123/default"); err != nil {
		return err
	}
	_, target, err := warehouse.ParseDSN(*dsn)
	if err != nil {
		return usageError{err}
	}
	if err := transform.CheckDatabase(target.Database); err != nil {
		return usageError{err}
	}
	if err := warehouse.EnsureDatabase(ctx, *dsn, *cluster); err != nil {
		return err
	}
	db, err := openWarehouse(ctx, *dsn, *cluster)
	if err != nil {
		return err
	}
	defer db.Close()
	log := newLogger()
	applied, err := warehouse.Migrate(ctx, db, log)
	if err != nil {
		return err
	}
	fmt.Printf("schema of %s at version %d (%d migrations applied now)\n", db.Database, warehouse.SchemaVersion(), len(applied))
	return nil
}

// openWarehouse opens dsn; a --cluster flag overrides the DSN's cluster.
func openWarehouse(ctx context.Context, dsn, cluster string) (*warehouse.DB, error) {
	if _, _, err := warehouse.ParseDSN(dsn); err != nil {
		return nil, usageError{err}
	}
	db, err := warehouse.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if cluster != "" {
		db.Cluster = cluster
	}
	return db, nil
}
