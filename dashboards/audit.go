package dashboards

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"xfwatch/warehouse"
)

// auditEntry is one row of audit_log.
type auditEntry struct {
	At                             time.Time
	User, Role, Action, Object     string
	Outcome, Detail, RemoteAddress string
}

// auditLog writes audit rows with group commit: a request waits until its
// row is in the warehouse (an audit row that could be lost is no audit),
// while concurrent requests share one insert. The table is append-only:
// nothing in xfwatch updates or deletes it.
type auditLog struct {
	db      *warehouse.DB
	log     *slog.Logger
	mu      sync.Mutex
	pending []auditEntry
	waiters []chan error
	kick    chan struct{}
	running atomic.Bool
	spool   *auditSpool // when set, rows go through it (no wait for the warehouse)
}

func newAuditLog(db *warehouse.DB, log *slog.Logger) *auditLog {
	return &auditLog{db: db, log: log, kick: make(chan struct{}, 1)}
}

// run flushes until ctx ends.
func (a *auditLog) run(ctx context.Context) {
	if a.spool != nil {
		a.spool.run(ctx)
		return
	}
	a.running.Store(true)
	defer a.running.Store(false)
	for {
		select {
		case <-ctx.Done():
			a.flush(context.Background())
			return
		case <-a.kick:
			time.Sleep(2 * time.Millisecond) // let concurrent requests join the insert
			a.flush(ctx)
		}
	}
}

// write records e and waits until it is stored (in the spool, when there
// is one; else in the warehouse).
func (a *auditLog) write(ctx context.Context, e auditEntry) error {
	if a.spool != nil {
		return a.spool.append(e)
	}
	done := make(chan error, 1)
	a.mu.Lock()
	a.pending = append(a.pending, e)
	a.waiters = append(a.waiters, done)
	a.mu.Unlock()
	if !a.running.Load() {
		a.flush(ctx) // no writer running (a one-off export): store it now
	}
	select {
	case a.kick <- struct{}{}:
	default:
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *auditLog) flush(ctx context.Context) {
	a.mu.Lock()
	rows, waiters := a.pending, a.waiters
	a.pending, a.waiters = nil, nil
	a.mu.Unlock()
	if len(rows) == 0 {
		return
	}
	err := func() error {
		// A token of its own: audit_log deduplicates inserts (for the
		// spool's retries), and two batches of equal rows are two events.
		var tok [12]byte
		if _, err := rand.Read(tok[:]); err != nil {
			return err
		}
		b, err := prepareAuditInsert(context.WithoutCancel(ctx), a.db, "audit-direct-"+hex.EncodeToString(tok[:]))
		if err != nil {
			return err
		}
		defer b.Abort()
		for _, e := range rows {
			if err := b.Append(e.At, e.User, e.Role, e.Action, e.Object, e.Outcome, e.Detail, e.RemoteAddress); err != nil {
				return err
			}
		}
		return b.Send()
	}()
	if err != nil {
		a.log.Error("cannot write the audit log", "rows", len(rows), "err", err)
	}
	for _, w := range waiters {
		w <- err
	}
}

// prepareAuditInsert prepares an insert of audit_log rows (at, user, role,
// action, object, outcome, detail, remote_addr) under a deduplication
// token: the direct path's and the spool's.
func prepareAuditInsert(ctx context.Context, db *warehouse.DB, token string) (driver.Batch, error) {
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"insert_deduplication_token": token}))
	return db.PrepareInsert(ctx, "audit_log", "at", "user", "role", "action", "object", "outcome", "detail", "remote_addr")
}
