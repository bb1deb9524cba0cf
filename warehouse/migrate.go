package warehouse

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Plan returns every statement that brings an empty target to the newest
// schema: the database, the migrations table and each migration's DDL.
func Plan(t Target) []string {
	out := []string{fmt.Sprintf("CREATE DATABASE IF NOT EXISTS %s%s", quoteIdent(t.Database), t.onCluster())}
	out = append(out, migrationsTable.CreateSQL(t)...)
	for _, m := range Migrations {
		out = append(out, m.Up(t)...)
	}
	return out
}

// Migrate applies the migrations the target lacks, in order, and records
// each in schema_migrations. Running it again changes nothing.
func Migrate(ctx context.Context, db *DB, log *slog.Logger) (applied []int, err error) {
	t := db.Target
	if err := db.Exec(ctx, fmt.Sprintf("CREATE DATABASE IF NOT EXISTS %s%s", quoteIdent(t.Database), t.onCluster())); err != nil {
		return nil, fmt.Errorf("cannot create database %s: %w", t.Database, err)
	}
	for _, stmt := range migrationsTable.CreateSQL(t) {
		if err := db.Exec(ctx, stmt); err != nil {
			return nil, fmt.Errorf("cannot create schema_migrations: %w", err)
		}
	}
	done, err := db.AppliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range Migrations {
		if done[m.Version] {
			continue
		}
		for _, stmt := range m.Up(t) {
			if err := db.Exec(ctx, stmt); err != nil {
				return applied, fmt.Errorf("migration %d (%s) failed; fix the cause and run migrate again, "+
					"its statements are idempotent: %w\nstatement:\n%s", m.Version, m.Name, err, stmt)
			}
		}
		if err := db.Exec(ctx, "INSERT INTO "+db.Table("schema_migrations")+" (version, name, applied_at) VALUES ({v:UInt32}, {n:String}, now64(3))",
			clickhouse.Named("v", fmt.Sprint(m.Version)), clickhouse.Named("n", m.Name)); err != nil {
			return applied, fmt.Errorf("migration %d applied but not recorded: %w", m.Version, err)
		}
		log.Info("migration applied", "version", m.Version, "name", m.Name, "database", t.Database)
		applied = append(applied, m.Version)
	}
	return applied, nil
}

// AppliedMigrations returns the versions recorded in schema_migrations.
func (db *DB) AppliedMigrations(ctx context.Context) (map[int]bool, error) {
	rows, err := db.Query(ctx, "SELECT DISTINCT version FROM "+db.Table("schema_migrations"))
	if err != nil {
		return nil, fmt.Errorf("cannot read schema_migrations: %w", err)
	}
	defer rows.Close()
	done := map[int]bool{}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		done[int(v)] = true
	}
	return done, rows.Err()
}

// SchemaVersion is the newest migration this build knows.
func SchemaVersion() int { return Migrations[len(Migrations)-1].Version }
