package dashboards

import (
	"sync"
	"time"
)

// cache keeps what pages read from the indicator tables for a short while:
// those tables change when transforms run (every minute), so twenty
// leaders opening the cockpit share one set of queries. Concurrent misses
// on one key wait for a single load. Alert lists live shorter and are
// dropped when someone acts on an alert.
type cache struct {
	mu    sync.Mutex
	items map[string]*cacheItem
	clock func() time.Time
}

type cacheItem struct {
	v     any
	err   error
	at    time.Time
	ready chan struct{}
}

func newCache() *cache { return &cache{items: map[string]*cacheItem{}, clock: time.Now} }

// get returns key's value if loaded within ttl, else loads it once.
func (c *cache) get(key string, ttl time.Duration, load func() (any, error)) (any, error) {
	if ttl <= 0 {
		return load()
	}
	c.mu.Lock()
	it := c.items[key]
	if it != nil {
		select {
		case <-it.ready:
			if it.err == nil && c.clock().Sub(it.at) < ttl {
				c.mu.Unlock()
				return it.v, nil
			}
		default: // being loaded: wait for it
			c.mu.Unlock()
			<-it.ready
			return it.v, it.err
		}
	}
	it = &cacheItem{ready: make(chan struct{})}
	c.items[key] = it
	if len(c.items) > 5000 {
		c.evict()
	}
	c.mu.Unlock()
	it.v, it.err = load()
	it.at = c.clock()
	close(it.ready)
	return it.v, it.err
}

// drop forgets every key with the prefix.
func (c *cache) drop(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.items {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
			delete(c.items, k)
		}
	}
}

// evict drops loaded items older than a minute (called with mu held).
func (c *cache) evict() {
	now := c.clock()
	for k, it := range c.items {
		select {
		case <-it.ready:
			if now.Sub(it.at) > time.Minute {
				delete(c.items, k)
			}
		default:
		}
	}
}
