package bench

import (
	"os"
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
