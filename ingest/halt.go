package ingest

import (
	"fmt"
	"sync"
)

// HaltError stops the consumer: the input is broken, not one record. The
// operator fixes the producer (or raises the limits) and restarts; nothing
// past the last committed offset was committed.
type HaltError struct{ Reason string }

func (e *HaltError) Error() string {
	return "ingest halted: " + e.Reason + "; nothing after the last good batch was committed. Fix the producer, " +
		"or raise --max-bad-ratio / --max-bad-run if this much bad input is expected, then restart"
}

// badTracker watches the share of bad records across all partitions.
type badTracker struct {
	mu       sync.Mutex
	window   []bool // ring of recent outcomes, true = bad
	next     int
	filled   bool
	bad      int
	run      int
	maxRatio float64
	maxRun   int
}

func newBadTracker(window int, maxRatio float64, maxRun int) *badTracker {
	return &badTracker{window: make([]bool, window), maxRatio: maxRatio, maxRun: maxRun}
}

// observe records one outcome and returns a HaltError when the limits are
// passed: more than maxRatio bad in the last len(window) records, or maxRun
// bad in a row.
func (t *badTracker) observe(bad bool) *HaltError {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.window[t.next] {
		t.bad--
	}
	t.window[t.next] = bad
	if bad {
		t.bad++
		t.run++
	} else {
		t.run = 0
	}
	t.next++
	if t.next == len(t.window) {
		t.next, t.filled = 0, true
	}
	if t.maxRun > 0 && t.run >= t.maxRun {
		return &HaltError{Reason: fmt.Sprintf("%d bad records in a row", t.run)}
	}
	if t.filled && t.maxRatio > 0 && float64(t.bad) > t.maxRatio*float64(len(t.window)) {
		return &HaltError{Reason: fmt.Sprintf("%d of the last %d records were bad (limit %.0f%%)", t.bad, len(t.window), t.maxRatio*100)}
	}
	return nil
}
