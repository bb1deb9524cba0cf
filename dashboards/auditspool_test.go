package dashboards

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"xfwatch/warehouse/whtest"
)

func TestAuditSpoolShipsEveryRowAcrossRestarts(t *testing.T) {
	db := whtest.DB(t)
	dir := t.TempDir()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	sp, err := openAuditSpool(db, quiet, dir)
	if err != nil {
		t.Fatal(err)
	}
	row := func(i int) auditEntry {
		return auditEntry{At: time.Now(), User: "u", Role: "leader", Action: "view:cockpit", Object: "/cockpit", Outcome: "ok", Detail: string(rune('a' + i%26))}
	}
	for i := range 100 {
		if err := sp.append(row(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.ship(ctx); err != nil {
		t.Fatal(err)
	}
	if n := whtest.Count(t, db, "audit_log"); n != 100 {
		t.Fatalf("%d rows shipped, want 100", n)
	}
	// Rows appended, then the process dies before shipping them.
	for i := range 50 {
		sp.append(row(i))
	}
	sp.f.Close()
	sp, err = openAuditSpool(db, quiet, dir)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { sp.run(runCtx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for whtest.Count(t, db, "audit_log") < 150 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	// Rows written while running are shipped by the last pass at the stop.
	for i := range 7 {
		sp.append(row(i))
	}
	stop()
	<-done
	if n := whtest.Count(t, db, "audit_log"); n != 157 {
		t.Fatalf("%d rows after a restart and a stop, want 157", n)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, cursorFile)); len(b) == 0 {
		t.Fatal("no shipped cursor written")
	}
}
