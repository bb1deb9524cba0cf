package dashboards

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"xfwatch/warehouse"
	"xfwatch/warehouse/whtest"
)

// testSpool opens a spool in a new directory of a new warehouse database.
func testSpool(t *testing.T) (*auditSpool, *warehouse.DB, string) {
	t.Helper()
	db, dir := whtest.DB(t), t.TempDir()
	sp, err := openAuditSpool(db, slog.New(slog.NewTextHandler(io.Discard, nil)), dir)
	if err != nil {
		t.Fatal(err)
	}
	return sp, db, dir
}

// appendRows appends n audit rows to sp.
func appendRows(t *testing.T, sp *auditSpool, n int) {
	t.Helper()
	for i := range n {
		if err := sp.append(auditEntry{At: time.Now(), User: "u", Role: "leader", Action: "view:cockpit", Object: "/cockpit", Outcome: "ok", Detail: string(rune('a' + i%26))}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditSpoolShipsEveryRowAcrossRestarts(t *testing.T) {
	sp, db, dir := testSpool(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	appendRows(t, sp, 100)
	if err := sp.ship(ctx); err != nil {
		t.Fatal(err)
	}
	if n := whtest.Count(t, db, "audit_log"); n != 100 {
		t.Fatalf("%d rows shipped, want 100", n)
	}
	// Rows appended, then the process dies before shipping them.
	appendRows(t, sp, 50)
	sp.f.Close()
	sp, err := openAuditSpool(db, quiet, dir)
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
	appendRows(t, sp, 7)
	stop()
	<-done
	if n := whtest.Count(t, db, "audit_log"); n != 157 {
		t.Fatalf("%d rows after a restart and a stop, want 157", n)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, cursorFile)); len(b) == 0 {
		t.Fatal("no shipped cursor written")
	}
}

// TestAuditSpoolResendIsStoredOnce: a batch the warehouse stored but did
// not confirm (the answer lost, or the process gone before the cursor moved)
// is sent again as the same range with the same token, after an error and
// after a restart alike, even with more rows appended meanwhile: stored once.
func TestAuditSpoolResendIsStoredOnce(t *testing.T) {
	for _, restart := range []bool{false, true} {
		sp, db, dir := testSpool(t)
		ctx := context.Background()
		appendRows(t, sp, 20)
		sp.afterSend = func() error { return context.DeadlineExceeded }
		if err := sp.ship(ctx); err == nil {
			t.Fatal("the failing batch reported no error")
		}
		if n := whtest.Count(t, db, "audit_log"); n != 20 {
			t.Fatalf("%d rows stored by the unconfirmed batch, want 20", n)
		}
		sp.afterSend = nil
		appendRows(t, sp, 5)
		if restart {
			sp.f.Close()
			var err error
			if sp, err = openAuditSpool(db, slog.New(slog.NewTextHandler(io.Discard, nil)), dir); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 {
			if err := sp.ship(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := whtest.Count(t, db, "audit_log"); n != 25 {
			t.Errorf("restart %v: %d rows after the resend and the rest, want 25", restart, n)
		}
		if shipped, inflight := sp.cursor(); shipped != sp.size || inflight != 0 {
			t.Errorf("restart %v: cursor %d/%d, file %d bytes", restart, shipped, inflight, sp.size)
		}
	}
}

// TestAuditSpoolStopShipsInFlightAndRest: stopped with a batch in flight
// and rows after it, the last pass sends both: each row stored once.
func TestAuditSpoolStopShipsInFlightAndRest(t *testing.T) {
	sp, db, _ := testSpool(t)
	appendRows(t, sp, 20)
	sp.afterSend = func() error { return context.Canceled }
	if err := sp.ship(context.Background()); err == nil {
		t.Fatal("the failing batch reported no error")
	}
	sp.afterSend = nil
	appendRows(t, sp, 5)
	stopped, stop := context.WithCancel(context.Background())
	stop()
	sp.run(stopped)
	if n := whtest.Count(t, db, "audit_log"); n != 25 {
		t.Errorf("%d rows after the stop, want 25", n)
	}
}
