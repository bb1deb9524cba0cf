package warehouse

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./warehouse -run Golden -update` to create it)", err)
	}
	if string(want) != got {
		t.Fatalf("%s differs from the generated DDL; review the change and rerun with -update.\n--- got ---\n%s", path, got)
	}
}

func TestGoldenDDL(t *testing.T) {
	render := func(target Target) string {
		var b strings.Builder
		for _, stmt := range Plan(target) {
			b.WriteString(stmt)
			b.WriteString(";\n\n")
		}
		return b.String()
	}
	single := render(Target{Database: "xfwatch"})
	cluster := render(Target{Database: "xfwatch", Cluster: "xf_cluster"})
	golden(t, "ddl_single.sql", single)
	golden(t, "ddl_cluster.sql", cluster)

	// What the cluster DDL must say, whatever the golden file holds.
	for _, want := range []string{
		"CREATE DATABASE IF NOT EXISTS `xfwatch` ON CLUSTER `xf_cluster`",
		"CREATE TABLE IF NOT EXISTS `xfwatch`.`petitions_local` ON CLUSTER `xf_cluster`",
		"ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/xfwatch/petitions_local', '{replica}')",
		"CREATE TABLE IF NOT EXISTS `xfwatch`.`petitions` ON CLUSTER `xf_cluster` AS `xfwatch`.`petitions_local`\nENGINE = Distributed('xf_cluster', 'xfwatch', 'petitions_local', cityHash64(petitioner_key))",
	} {
		if !strings.Contains(cluster, want) {
			t.Errorf("cluster DDL lacks %q", want)
		}
	}
	if strings.Contains(cluster, "non_replicated_deduplication_window") {
		t.Error("replicated tables deduplicate by themselves; the non-replicated setting must not appear")
	}
	if got := strings.Count(single, "non_replicated_deduplication_window = 10000"); got < 5 {
		t.Errorf("single-server DDL sets the dedup window on %d tables, want every record table", got)
	}
	if strings.Contains(single, "ON CLUSTER") || strings.Contains(single, "Replicated") {
		t.Error("single-server DDL mentions a cluster")
	}
}

// TestMigrationsNumberedInOrder: the history runs 1, 2, 3, … in the order
// listed, so that the last is the schema version and each runs after those
// before it.
func TestMigrationsNumberedInOrder(t *testing.T) {
	for i, m := range Migrations {
		if m.Version != i+1 {
			t.Fatalf("migration %d (%s) is listed %d", m.Version, m.Name, i+1)
		}
	}
	if v := SchemaVersion(); v != len(Migrations) {
		t.Fatalf("schema version %d, want %d", v, len(Migrations))
	}
}
