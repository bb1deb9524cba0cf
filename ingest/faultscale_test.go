package ingest_test

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// full is the long fault run (`make faults`: XFWATCH_FAULTS=full): SPEC
// section 10's sizes. `make test` runs the same scenarios small.
func full() bool { return os.Getenv("XFWATCH_FAULTS") == "full" }

// scale picks the quick or the full size.
func scale[T any](quick, long T) T {
	if full() {
		return long
	}
	return quick
}

// report prints one scenario's outcome in the form `make faults` lists.
func faultReport(t *testing.T, scenario string, sent, stored, unique uint64, faults int, elapsed time.Duration) {
	t.Helper()
	line := fmt.Sprintf("FAULTS %-22s sent %7d  stored %7d  duplicates %d  faults injected %3d  (%v)",
		scenario, sent, stored, stored-unique, faults, elapsed.Round(time.Second))
	t.Log(line)
	if full() {
		fmt.Println(line)
	}
}
