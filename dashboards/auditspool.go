package dashboards

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"xfwatch/warehouse"
)

// auditSpool is the audit log's write-ahead file: a request's row is
// appended to it (and so survives a crash of the process) before the answer
// is sent; a shipper moves the rows to audit_log in batches, fsyncs the
// file every batch, and remembers how far it got, so nothing is lost and a
// restart ships what was left. Before a batch is sent its byte range is
// written to the cursor file as in flight; until it is confirmed, every
// attempt (after an error, or after a restart) sends exactly that range
// again, with the same insert deduplication token (the spool's id and the
// range), so a batch the warehouse stored but did not confirm is stored
// once (audit_log keeps a deduplication window).
type auditSpool struct {
	db   *warehouse.DB
	log  *slog.Logger
	dir  string
	mu   sync.Mutex
	f    *os.File
	size int64
	id   string // names this file's generation in the tokens; new when the file starts again
	kick chan struct{}
	// afterSend, in tests, fails a batch after the warehouse stored it.
	afterSend func() error
}

const spoolFile, cursorFile, idFile = "audit.spool", "audit.shipped", "audit.id"

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
	sp := &auditSpool{db: db, log: log, dir: dir, f: f, size: st.Size(), kick: make(chan struct{}, 1)}
	if b, err := os.ReadFile(filepath.Join(dir, idFile)); err == nil && len(bytes.TrimSpace(b)) > 0 {
		sp.id = string(bytes.TrimSpace(b))
	} else if err := sp.newID(); err != nil {
		f.Close()
		return nil, err
	}
	return sp, nil
}

// newID gives the spool file a new random id (at its creation, and when it
// starts again from empty, so no range's token repeats).
func (s *auditSpool) newID() error {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	s.id = hex.EncodeToString(b[:])
	return writeFileAtomic(filepath.Join(s.dir, idFile), s.id+"\n")
}

func writeFileAtomic(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return fmt.Errorf("audit spool: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("audit spool: %w", err)
	}
	return nil
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

// cursor reads how far the file is shipped and, if a batch is in flight,
// where it ends (0 if none).
func (s *auditSpool) cursor() (shipped, inflight int64) {
	b, err := os.ReadFile(filepath.Join(s.dir, cursorFile))
	if err != nil {
		return 0, 0
	}
	f := strings.Fields(string(b))
	if len(f) > 0 {
		shipped, _ = strconv.ParseInt(f[0], 10, 64)
	}
	if len(f) > 1 {
		inflight, _ = strconv.ParseInt(f[1], 10, 64)
	}
	return shipped, inflight
}

func (s *auditSpool) setCursor(shipped, inflight int64) error {
	return writeFileAtomic(filepath.Join(s.dir, cursorFile), fmt.Sprintf("%d %d\n", shipped, inflight))
}

// ship moves what is in the file past the cursor to the warehouse: the
// batch in flight if there is one, else everything there is.
func (s *auditSpool) ship(ctx context.Context) error {
	from, inflight := s.cursor()
	s.mu.Lock()
	size := s.size
	s.mu.Unlock()
	if from > size { // the file was truncated after a shipped cursor was written
		from, inflight = 0, 0
	}
	to := size
	if inflight > from && inflight <= size {
		to = inflight
	}
	if to == from {
		return nil
	}
	buf := make([]byte, to-from)
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
	if inflight != from+int64(end) {
		if err := s.setCursor(from, from+int64(end)); err != nil {
			return err
		}
	}
	token := fmt.Sprintf("audit-%s-%d-%d", s.id, from, from+int64(end))
	batch, err := prepareAuditInsert(ctx, s.db, token)
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
	if s.afterSend != nil {
		if err := s.afterSend(); err != nil {
			return err
		}
	}
	shipped := from + int64(end)
	// Everything shipped and the file grown big: start it again, under a
	// new id.
	// new id (first: a crash in between leaves the old ranges unrepeated).
	s.mu.Lock()
	if shipped == s.size && s.size > 64<<20 {
		if err := s.newID(); err != nil {
			s.log.Error("audit spool: cannot renew its id; the file keeps growing", "err", err)
		} else if err := s.f.Truncate(0); err == nil {
			s.size, shipped = 0, 0
		}
	}
	s.mu.Unlock()
	return s.setCursor(shipped, 0)
}

// run ships every 200 ms (sooner when rows arrive) until ctx ends, then
// what is left (a batch in flight, then the rest).
func (s *auditSpool) run(ctx context.Context) {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			// A batch in flight goes first, alone; then the rest.
			for range 2 {
				if err := s.ship(context.Background()); err != nil {
					s.log.Error("audit rows left in the spool for the next start", "dir", s.dir, "err", err)
					return
				}
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
