package chdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"unsafe"
)

// Engine is the process's one chDB engine: a data directory and a pool of
// sessions (chDB connections) on it. chDB allows only one data path per
// process, so Open fails if another Engine is open.
type Engine struct {
	path     string
	lib      *library
	sessions chan *Session
	all      []*Session

	closeOnce sync.Once
}

var (
	openMu   sync.Mutex
	openPath string
)

// Open starts the engine on dataDir with poolSize sessions (at least 1).
// Each session keeps its own current database and settings, so concurrent
// requests never see each other's SET or USE.
func Open(dataDir string, poolSize int) (*Engine, error) {
	lib, err := load()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("data directory %q: %w", dataDir, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("cannot create data directory %s: %w", abs, err)
	}
	openMu.Lock()
	defer openMu.Unlock()
	if openPath != "" {
		return nil, fmt.Errorf("chDB engine already open on %s in this process (chDB allows one data path per process; "+
			"share that engine, e.g. one database per test)", openPath)
	}
	if poolSize < 1 {
		poolSize = 1
	}
	e := &Engine{path: abs, lib: lib, sessions: make(chan *Session, poolSize)}
	for i := 0; i < poolSize; i++ {
		s, err := e.connect()
		if err != nil {
			e.closeSessions()
			return nil, err
		}
		e.all = append(e.all, s)
		e.sessions <- s
	}
	openPath = abs
	return e, nil
}

func (e *Engine) connect() (*Session, error) {
	args := []string{"xfwatch", "--path=" + e.path}
	argv := make([]*byte, len(args)+1)
	for i, a := range args {
		argv[i] = cString(a)
	}
	handle := e.lib.connect(int32(len(args)), &argv[0])
	runtime.KeepAlive(argv)
	if handle == nil {
		return nil, fmt.Errorf("chDB could not open data directory %s (is another process using it? "+
			"stop it, or give --data another directory)", e.path)
	}
	return &Session{lib: e.lib, handle: handle, conn: *(*unsafe.Pointer)(handle), Database: "default"}, nil
}

// Path is the engine's data directory.
func (e *Engine) Path() string { return e.path }

// PoolSize is the number of sessions.
func (e *Engine) PoolSize() int { return len(e.all) }

// Acquire takes a session for exclusive use until Release. It waits while
// all sessions are busy, or until ctx ends.
func (e *Engine) Acquire(ctx context.Context) (*Session, error) {
	select {
	case s, ok := <-e.sessions:
		if !ok {
			return nil, fmt.Errorf("chDB engine on %s is closed", e.path)
		}
		return s, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Release returns a session to the pool.
func (e *Engine) Release(s *Session) { e.sessions <- s }

// Query runs one statement on a pooled session; a convenience for callers
// that need no session state.
func (e *Engine) Query(ctx context.Context, query, format string) ([]byte, error) {
	s, err := e.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer e.Release(s)
	res, err := s.Query([]byte(query), format, nil)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	return append([]byte(nil), res.Data()...), nil
}

// Close waits for every session to come back, then closes them all, which
// flushes and shuts the engine down. The data stays in the data directory.
func (e *Engine) Close() { _ = e.CloseContext(context.Background()) }

// CloseContext is Close that gives up waiting for busy sessions when ctx
// ends: a statement stuck inside the engine must not keep the process from
// exiting. Completed inserts are on disk either way; the sessions still busy
// are left to process exit.
func (e *Engine) CloseContext(ctx context.Context) error {
	var err error
	e.closeOnce.Do(func() {
		idle := make([]*Session, 0, len(e.all))
	wait:
		for range e.all {
			select {
			case s := <-e.sessions:
				idle = append(idle, s)
			case <-ctx.Done():
				err = fmt.Errorf("%d of %d engine sessions still busy at shutdown; not closing the engine cleanly",
					len(e.all)-len(idle), len(e.all))
				break wait
			}
		}
		if err == nil {
			e.closeSessions()
		}
		openMu.Lock()
		openPath = ""
		openMu.Unlock()
	})
	return err
}

func (e *Engine) closeSessions() {
	for _, s := range e.all {
		e.lib.closeConn(s.handle)
	}
	e.all = nil
}

func cString(s string) *byte {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return &b[0]
}

// Renew closes s, whose session state (SET, USE, a read-only mode) must not
// reach the next user, and returns a fresh session to the pool in its place.
func (e *Engine) Renew(s *Session) error {
	fresh, err := e.connect()
	if err != nil {
		// Keep the old one rather than shrink the pool; its state is the
		// lesser harm, and the error says what happened.
		e.sessions <- s
		return err
	}
	e.lib.closeConn(s.handle)
	for i, old := range e.all {
		if old == s {
			e.all[i] = fresh
		}
	}
	e.sessions <- fresh
	return nil
}
