package chhttp

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// insertData holds an INSERT's data in an in-memory file that the engine
// reads with FROM INFILE. Inline data is not safe: the engine's statement
// splitter ends inline data at the first blank line, and binary formats
// contain "\n\n" (the UInt32 2570 is 0A 0A 00 00).
type insertData struct {
	f    *os.File
	temp bool // a temporary file on disk (no memfd on this system)
	size int64
}

func newInsertData(r io.Reader, limit int64) (*insertData, error) {
	d := &insertData{}
	fd, err := unix.MemfdCreate("xfwatch-insert", unix.MFD_CLOEXEC)
	if err == nil {
		d.f = os.NewFile(uintptr(fd), "xfwatch-insert")
	} else {
		d.f, err = os.CreateTemp("", "xfwatch-insert-*")
		if err != nil {
			return nil, fmt.Errorf("cannot buffer insert data: %w", err)
		}
		d.temp = true
	}
	n, err := io.Copy(d.f, io.LimitReader(r, limit+1))
	d.size = n
	if err != nil {
		d.Close()
		return nil, err
	}
	if n > limit {
		d.Close()
		return nil, fmt.Errorf("insert data exceeds %d bytes", limit)
	}
	return d, nil
}

// Path is a name the engine, in this process, can open.
func (d *insertData) Path() string {
	if d.temp {
		return d.f.Name()
	}
	return fmt.Sprintf("/proc/self/fd/%d", d.f.Fd())
}

// Close releases the data.
func (d *insertData) Close() {
	if d == nil || d.f == nil {
		return
	}
	d.f.Close()
	if d.temp {
		os.Remove(d.f.Name())
	}
	d.f = nil
}
