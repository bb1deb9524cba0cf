package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCPUOfCountsThisProcess: the CPU time read from /proc grows by what a
// busy loop burns, and a process that does not exist reads as zero.
func TestCPUOfCountsThisProcess(t *testing.T) {
	// A fresh test binary may have used less than one clock tick (10 ms)
	// yet, so before may be zero: only the growth is asserted.
	before := cpuOf(os.Getpid())
	x := 0
	deadline := time.Now().Add(10 * time.Second)
	for cpuOf(os.Getpid())-before < 100*time.Millisecond {
		if time.Now().After(deadline) {
			t.Fatalf("cpuOf(self) went %v → %v in 10 s of a busy loop", before, cpuOf(os.Getpid()))
		}
		for i := range 1_000_000 {
			x += i
		}
	}
	_ = x
	if got := cpuOf(1 << 30); got != 0 {
		t.Errorf("cpuOf(no such process) = %v", got)
	}
}

// TestExitedShowsTheLog: a child that stops early is reported with its exit
// status and the end of its log, since the log goes with the scratch
// directory when the bench returns.
func TestExitedShowsTheLog(t *testing.T) {
	logf, err := os.Create(t.TempDir() + "/children.log")
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	c, err := start(t.Context(), "/bin/sh", logf, "-c", "for i in $(seq 1 30); do echo line $i; done; echo cannot create profile >&2; exit 3")
	if err != nil {
		t.Fatal(err)
	}
	msg := c.exited("the ingest process", <-c.done).Error()
	for _, want := range []string{"the ingest process stopped: exit status 3", "line 30", "cannot create profile"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "line 10\n") {
		t.Errorf("%q: more than the last 20 lines", msg)
	}
}

// --profile-dir: the bench process's own profile is a pprof file (gzip);
// without a directory nothing is written.
func TestProfileSelf(t *testing.T) {
	dir := t.TempDir()
	stop, err := profileSelf(dir, "broker.cpu")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1e6; i++ {
		_ = fmt.Sprint(i)
	}
	stop()
	b, err := os.ReadFile(filepath.Join(dir, "broker.cpu"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("broker.cpu is not a pprof profile: %d bytes", len(b))
	}
	stop, err = profileSelf("", "broker.cpu")
	if err != nil {
		t.Fatal(err)
	}
	stop()
}
