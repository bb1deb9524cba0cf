package chdb

import (
	"regexp"
	"runtime"
	"strconv"
	"unsafe"
)

// Session is one chDB connection: it has its own current database and
// settings, and runs one statement at a time. Get one from Engine.Acquire.
type Session struct {
	lib    *library
	handle unsafe.Pointer // chdb_connection*, as returned by chdb_connect
	conn   unsafe.Pointer // chdb_connection

	// Database is the session's current database, as last set by USE through
	// this session (callers keep it in step).
	Database string
}

// Param is one server-side query parameter for a {name:Type} placeholder.
// Value is in ClickHouse's escaped text form, as in an HTTP param_name.
type Param struct {
	Name, Value string
}

// Result is the output of one statement. Data points into memory owned by
// chDB until Close.
type Result struct {
	lib *library
	res uintptr

	RowsRead, BytesRead       uint64
	RowsWritten, BytesWritten uint64
	Elapsed                   float64 // seconds
}

// Data is the formatted output, valid until Close.
func (r *Result) Data() []byte {
	n := r.lib.resultLength(r.res)
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(r.lib.resultBuffer(r.res)), n)
}

// Close frees the result.
func (r *Result) Close() {
	if r.res != 0 {
		r.lib.destroyResult(r.res)
		r.res = 0
	}
}

// Error is an exception raised by the engine.
type Error struct {
	Code    int    // ClickHouse error code, e.g. 47 for UNKNOWN_IDENTIFIER
	Message string // the full text, "Code: 47. DB::Exception: …"
}

func (e *Error) Error() string { return e.Message }

var codeRE = regexp.MustCompile(`^Code: (\d+)\.`)

// stdExceptionCode is ClickHouse's STD_EXCEPTION, used when the engine's
// text carries no code.
const stdExceptionCode = 1001

func newError(msg string) *Error {
	code := stdExceptionCode
	if m := codeRE.FindStringSubmatch(msg); m != nil {
		code, _ = strconv.Atoi(m[1])
	}
	return &Error{Code: code, Message: msg}
}

// Query runs statement (binary-safe: an INSERT may carry its data after a
// FORMAT clause) with format as the default output format and params bound
// by the engine, never spliced into the text. On failure it returns *Error.
func (s *Session) Query(statement []byte, format string, params []Param) (*Result, error) {
	if len(statement) == 0 {
		return nil, &Error{Code: 62, Message: "Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)"}
	}
	f := []byte(format)
	if len(f) == 0 {
		f = []byte("TabSeparated")
	}
	var res uintptr
	if len(params) == 0 {
		res = s.lib.queryN(s.conn, &statement[0], uintptr(len(statement)), &f[0], uintptr(len(f)))
	} else {
		names := make([]*byte, len(params))
		nameLens := make([]uintptr, len(params))
		values := make([]*byte, len(params))
		valueLens := make([]uintptr, len(params))
		for i, p := range params {
			names[i] = cString(p.Name)
			nameLens[i] = uintptr(len(p.Name))
			values[i] = cString(p.Value)
			valueLens[i] = uintptr(len(p.Value))
		}
		res = s.lib.queryParamsN(s.conn, &statement[0], uintptr(len(statement)), &f[0], uintptr(len(f)),
			&names[0], &nameLens[0], &values[0], &valueLens[0], uintptr(len(params)))
		runtime.KeepAlive(names)
		runtime.KeepAlive(values)
	}
	if res == 0 {
		return nil, &Error{Code: stdExceptionCode, Message: "Code: 1001. DB::Exception: chDB returned no result. (STD_EXCEPTION)"}
	}
	if e := s.lib.resultError(res); e != nil {
		msg := goString(e)
		s.lib.destroyResult(res)
		return nil, newError(msg)
	}
	return &Result{
		lib: s.lib, res: res,
		RowsRead: s.lib.resultRowsRead(res), BytesRead: s.lib.resultBytesRead(res),
		RowsWritten: s.lib.resultRowsWritten(res), BytesWritten: s.lib.resultBytesWritten(res),
		Elapsed: s.lib.resultElapsed(res),
	}, nil
}

func goString(p unsafe.Pointer) string {
	n := 0
	for *(*byte)(unsafe.Add(p, n)) != 0 {
		n++
	}
	return string(unsafe.Slice((*byte)(p), n))
}
