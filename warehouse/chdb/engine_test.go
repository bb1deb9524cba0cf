package chdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

func TestMain(m *testing.M) {
	if !Available() {
		if os.Getenv("XFWATCH_REQUIRE_CHDB") != "" {
			fmt.Fprintf(os.Stderr, "libchdb.so missing at %s and XFWATCH_REQUIRE_CHDB is set: run `make chdb`\n", LibraryPath())
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "SKIP chdb tests: libchdb.so missing at %s (run `make chdb`)\n", LibraryPath())
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestEngineSessions(t *testing.T) {
	e, err := Open(t.TempDir(), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()

	if _, err := Open(t.TempDir(), 1); err == nil || !strings.Contains(err.Error(), "already open") {
		t.Fatalf("second Open: got %v, want an 'already open' error", err)
	}

	out, err := e.Query(ctx, "SELECT version()", "TabSeparated")
	if err != nil || !strings.HasPrefix(string(out), "26.") {
		t.Fatalf("version: %q %v", out, err)
	}

	// Session state is per session: a SET on one is not seen by another.
	a, _ := e.Acquire(ctx)
	b, _ := e.Acquire(ctx)
	mustQuery(t, a, "SET max_threads = 3")
	if got := query(t, a, "SELECT getSetting('max_threads')"); got != "3\n" {
		t.Fatalf("session a max_threads = %q", got)
	}
	if got := query(t, b, "SELECT getSetting('max_threads')"); got == "3\n" {
		t.Fatalf("session b saw session a's SET")
	}
	e.Release(a)
	e.Release(b)

	// Errors carry the engine's code and text.
	s, _ := e.Acquire(ctx)
	_, err = s.Query([]byte("SELECT no_such_column"), "TSV", nil)
	var ce *Error
	if !errors.As(err, &ce) || ce.Code != 47 || !strings.Contains(ce.Message, "DB::Exception") {
		t.Fatalf("bad query: got %#v", err)
	}
	// Parameters are bound by the engine.
	res, err := s.Query([]byte("SELECT {s:String} || '!'"), "TSVRaw", []Param{{"s", "it's"}})
	if err != nil {
		t.Fatal(err)
	}
	got := string(res.Data())
	res.Close()
	e.Release(s)
	if got != "it's!\n" {
		t.Fatalf("param: %q", got)
	}

	// Concurrent queries on distinct sessions all get right answers.
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				out, err := e.Query(ctx, fmt.Sprintf("SELECT sum(number) FROM numbers(%d)", g*100+i), "TSV")
				n := g*100 + i
				want := fmt.Sprintf("%d\n", n*(n-1)/2)
				if err != nil || string(out) != want {
					errs <- fmt.Errorf("g%d i%d: %q %v, want %q", g, i, out, err, want)
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func mustQuery(t *testing.T, s *Session, q string) {
	t.Helper()
	query(t, s, q)
}

func query(t *testing.T, s *Session, q string) string {
	t.Helper()
	res, err := s.Query([]byte(q), "TSV", nil)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer res.Close()
	return string(res.Data())
}
