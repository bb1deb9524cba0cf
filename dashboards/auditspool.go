package dashboards

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/warehouse"
)

// auditSpool is the audit log's write-ahead file: a request's row is
// appended to it (and so survives a crash of the process) before the answer
// is sent; a shipper moves the rows to audit_log in batches, fsyncs the
// file every batch, and remembers how far it got, so nothing is lost and a
// restart ships what was left. Each batch carries an insert deduplication
// token made of its byte range, so a batch shipped twice (a crash between
// the insert and the cursor) is stored once.
type auditSpool struct {
	db   *warehouse.DB
	log  *slog.Logger
	dir  string
	mu   sync.Mutex
	f    *os.File
	size int64
	kick chan struct{}
}

const spoolFile, cursorFile = "audit.spool", "audit.shipped"

func openAuditSpool(db *warehouse.DB, log *slog.Logger, dir string) (*auditSpool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit spool %s: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, spoolFile), os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit spool: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &auditSpool{db: db, log: log, dir: dir, f: f, size: st.Size(), kick: make(chan struct{}, 1)}, nil
}

type spoolLine struct {
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	Role   string    `json:"role"`
	Action string    `json:"action"`
	Object string    `json:"object"`
	Out    string    `json:"outcome"`
	Detail string    `json:"detail"`
	Addr   string    `json:"remote_addr"`
}

// append writes one row; an error means the request must fail.
func (s *auditSpool) append(e auditEntry) error {
	b, err := json.Marshal(spoolLine{e.At, e.User, e.Role, e.Action, e.Object, e.Outcome, e.Detail, e.RemoteAddress})
	if err != nil {
		return err
	}
	b = append(b, '\n')
	s.mu.Lock()
	n, err := s.f.Write(b)
	s.size += int64(n)
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("audit spool: %w", err)
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return nil
}

func (s *auditSpool) shipped() int64 {
	b, err := os.ReadFile(filepath.Join(s.dir, cursorFile))
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
	return n
}

func (s *auditSpool) setShipped(n int64) error {
	tmp := filepath.Join(s.dir, cursorFile+".tmp")
	if err := os.WriteFile(tmp, []byte(strconv.FormatInt(n, 10)+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(s.dir, cursorFile))
}

// ship moves what is in the file past the cursor to the warehouse.
func (s *auditSpool) ship(ctx context.Context) error {
	from := s.shipped()
	s.mu.Lock()
	size := s.size
	s.mu.Unlock()
	if from > size { // the file was truncated after a shipped cursor was written
		from = 0
	}
	if size == from {
		return nil
	}
	buf := make([]byte, size-from)
	if _, err := s.f.ReadAt(buf, from); err != nil {
		return err
	}
	end := bytes.LastIndexByte(buf, '\n') + 1
	if end == 0 {
		return nil
	}
	if err := s.f.Sync(); err != nil {
		return err
	}
	token := fmt.Sprintf("audit-%d-%d", from, from+int64(end))
	bctx := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"insert_deduplication_token": token}))
	batch, err := s.db.PrepareBatch(bctx, "INSERT INTO "+s.db.Table("audit_log")+
		" (at, user, role, action, object, outcome, detail, remote_addr)")
	if err != nil {
		return err
	}
	defer batch.Abort()
	for _, line := range bytes.Split(buf[:end-1], []byte{'\n'}) {
		var l spoolLine
		if err := json.Unmarshal(line, &l); err != nil {
			s.log.Error("audit spool: a line cannot be read; kept in the file", "err", err)
			continue
		}
		if err := batch.Append(l.At, l.User, l.Role, l.Action, l.Object, l.Out, l.Detail, l.Addr); err != nil {
			return err
		}
	}
	if err := batch.Send(); err != nil {
		return err
	}
	shipped := from + int64(end)
	// Everything shipped and the file grown big: start it again.
	s.mu.Lock()
	if shipped == s.size && s.size > 64<<20 {
		if err := s.f.Truncate(0); err == nil {
			s.size, shipped = 0, 0
		}
	}
	s.mu.Unlock()
	return s.setShipped(shipped)
}

// run ships every 200 ms (sooner when rows arrive) until ctx ends, then
// once more.
func (s *auditSpool) run(ctx context.Context) {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			if err := s.ship(context.Background()); err != nil {
				s.log.Error("audit rows left in the spool for the next start", "dir", s.dir, "err", err)
			}
			return
		case <-tick.C:
		case <-s.kick:
			time.Sleep(20 * time.Millisecond) // gather a batch
		}
		if err := s.ship(ctx); err != nil {
			if !failing {
				s.log.Error("cannot ship audit rows to the warehouse; they wait in the spool", "dir", s.dir, "err", err)
			}
			failing = true
		} else {
			failing = false
		}
	}
}
