package dashboards

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestCacheLoadsOnceAndExpires(t *testing.T) {
	c := newCache()
	now := time.Unix(1000, 0)
	c.clock = func() time.Time { return now }
	var loads atomic.Int32
	load := func() (any, error) {
		loads.Add(1)
		time.Sleep(20 * time.Millisecond)
		return "v", nil
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, err := c.get("k", time.Second, load); v != "v" || err != nil {
				t.Errorf("got %v %v", v, err)
			}
		}()
	}
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Fatalf("20 concurrent misses loaded %d times", n)
	}
	now = now.Add(2 * time.Second)
	c.get("k", time.Second, load)
	if n := loads.Load(); n != 2 {
		t.Fatalf("an expired value was not reloaded (%d loads)", n)
	}
	c.drop("k")
	c.get("k", time.Minute, load)
	if n := loads.Load(); n != 3 {
		t.Fatalf("a dropped value was not reloaded (%d loads)", n)
	}
	c.get("k", -1, load)
	if n := loads.Load(); n != 4 {
		t.Fatalf("ttl < 0 must not cache (%d loads)", n)
	}
}
