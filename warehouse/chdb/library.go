package chdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// Version is the chDB release xfwatch is built and tested against; the
// Makefile fetches the same one.
const Version = "26.5.3"

// LibEnv names the environment variable that points at libchdb.so.
const LibEnv = "XFWATCH_CHDB_LIB"

// ErrLibraryMissing is returned (wrapped) when libchdb.so cannot be found.
var ErrLibraryMissing = errors.New("libchdb.so not found")

// library holds the C entry points of libchdb.so used by xfwatch.
type library struct {
	setSignalHandlers func(enabled int32)
	connect           func(argc int32, argv **byte) unsafe.Pointer
	closeConn         func(handle unsafe.Pointer)
	queryN            func(conn unsafe.Pointer, query *byte, queryLen uintptr, format *byte, formatLen uintptr) uintptr
	queryParamsN      func(conn unsafe.Pointer, query *byte, queryLen uintptr, format *byte, formatLen uintptr,
		names **byte, nameLens *uintptr, values **byte, valueLens *uintptr, count uintptr) uintptr
	resultBuffer       func(res uintptr) unsafe.Pointer
	resultLength       func(res uintptr) uintptr
	resultError        func(res uintptr) unsafe.Pointer
	resultElapsed      func(res uintptr) float64
	resultRowsRead     func(res uintptr) uint64
	resultBytesRead    func(res uintptr) uint64
	resultRowsWritten  func(res uintptr) uint64
	resultBytesWritten func(res uintptr) uint64
	destroyResult      func(res uintptr)
}

var (
	libOnce sync.Once
	libVal  *library
	libErr  error
)

// CacheDir is where the Makefile caches downloads:
// ${XDG_CACHE_HOME:-$HOME/.cache}/xfwatch.
func CacheDir() string {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "xfwatch")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".cache", "xfwatch")
	}
	return filepath.Join(os.TempDir(), "xfwatch-cache")
}

// LibraryPath returns where libchdb.so is expected: $XFWATCH_CHDB_LIB if
// set, else the Makefile's cache location.
func LibraryPath() string {
	if p := os.Getenv(LibEnv); p != "" {
		return p
	}
	return filepath.Join(CacheDir(), "chdb", Version, "libchdb.so")
}

// Available reports whether libchdb.so exists where LibraryPath says.
func Available() bool {
	_, err := os.Stat(LibraryPath())
	return err == nil
}

func load() (*library, error) {
	libOnce.Do(func() { libVal, libErr = dlopen(LibraryPath()) })
	return libVal, libErr
}

func dlopen(path string) (*library, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w at %s: run `make chdb` to fetch @chdb/lib-linux-x64-gnu@%s into the cache, "+
			"or set %s to an existing libchdb.so", ErrLibraryMissing, path, Version, LibEnv)
	}
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, fmt.Errorf("cannot load %s: %w (is it a complete libchdb.so %s? `make chdb` fetches it again)", path, err, Version)
	}
	l := &library{}
	bind := func(fptr any, name string) {
		if err != nil {
			return
		}
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("libchdb.so at %s lacks %s: %v (xfwatch needs chDB %s)", path, name, r, Version)
			}
		}()
		purego.RegisterLibFunc(fptr, h, name)
	}
	bind(&l.setSignalHandlers, "chdb_set_signal_handlers_enabled")
	bind(&l.connect, "chdb_connect")
	bind(&l.closeConn, "chdb_close_conn")
	bind(&l.queryN, "chdb_query_n")
	bind(&l.queryParamsN, "chdb_query_with_params_n")
	bind(&l.resultBuffer, "chdb_result_buffer")
	bind(&l.resultLength, "chdb_result_length")
	bind(&l.resultError, "chdb_result_error")
	bind(&l.resultElapsed, "chdb_result_elapsed")
	bind(&l.resultRowsRead, "chdb_result_rows_read")
	bind(&l.resultBytesRead, "chdb_result_bytes_read")
	bind(&l.resultRowsWritten, "chdb_result_rows_written")
	bind(&l.resultBytesWritten, "chdb_result_bytes_written")
	bind(&l.destroyResult, "chdb_destroy_query_result")
	if err != nil {
		return nil, err
	}
	// Go's runtime owns the process's signals (preemption, nil checks); chDB
	// must not install handlers of its own.
	l.setSignalHandlers(0)
	return l, nil
}
