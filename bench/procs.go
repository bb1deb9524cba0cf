package bench

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// child is a process of the xfwatch binary.
type child struct {
	cmd  *exec.Cmd
	done chan error
	peak uint64   // the last VmHWM read, bytes
	log  *os.File // where its output goes, shared with the other children
}

func start(ctx context.Context, bin string, logf *os.File, args ...string) (*child, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "XFWATCH_LOG_LEVEL=warn")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, done: make(chan error, 1), log: logf}
	go func() { c.done <- cmd.Wait() }()
	return c, nil
}

// exited is the error for a child that stopped when it should not have: its
// exit status and the last lines of the children's log, which the bench's
// scratch directory takes with it when the run ends.
func (c *child) exited(what string, err error) error {
	return fmt.Errorf("%s stopped: %v; the last of its log:\n%s", what, err, lastLines(c.log.Name(), 20))
}

// lastLines is the end of the file at path, at most n lines of it.
func lastLines(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// hwm reads the process's peak resident memory (VmHWM).
func (c *child) hwm() uint64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return c.peak
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if kb*1024 > c.peak {
				c.peak = kb * 1024
			}
		}
	}
	return c.peak
}

// cpu is the process's CPU time so far.
func (c *child) cpu() time.Duration { return cpuOf(c.cmd.Process.Pid) }

// cpuOf reads a process's user + system CPU time from /proc/PID/stat
// (fields 14 and 15, in USER_HZ ticks: 100 a second on Linux); zero if it
// cannot be read.
func cpuOf(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseUint(f[11], 10, 64)
	stime, _ := strconv.ParseUint(f[12], 10, 64)
	return time.Duration(utime+stime) * (time.Second / 100)
}

// stop sends SIGTERM and waits (then kills).
func (c *child) stop(wait time.Duration) error {
	c.hwm()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		return err
	case <-time.After(wait):
		_ = c.cmd.Process.Kill()
		return fmt.Errorf("did not stop in %v", wait)
	}
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitHTTP(url string, d time.Duration, c *child) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case err := <-c.done:
			return c.exited("it", err)
		default:
		}
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not answering after %v", url, d)
}

// profileSelf writes this process's CPU profile to dir/name until the
// returned function is called; with no dir it does nothing.
func profileSelf(dir, name string) (stop func(), err error) {
	if dir == "" {
		return func() {}, nil
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("--profile-dir: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--profile-dir: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
