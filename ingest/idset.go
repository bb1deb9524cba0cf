package ingest

import (
	"slices"

	"github.com/go-faster/city"
)

// idHash is ClickHouse's cityHash64 of an id, so the warehouse can compute
// the same value: SELECT cityHash64(case_id).
func idHash(id string) uint64 { return city.CH64([]byte(id)) }

// idSet holds the ids already stored for one partition, as hashes: a sorted
// slice (8 bytes each) and a map of recent additions merged into it now and
// then.
type idSet struct {
	sorted []uint64
	recent map[uint64]struct{}
}

func newIDSet(hashes []uint64) *idSet {
	slices.Sort(hashes)
	return &idSet{sorted: slices.Compact(hashes), recent: map[uint64]struct{}{}}
}

func (s *idSet) has(h uint64) bool {
	if _, ok := s.recent[h]; ok {
		return true
	}
	_, ok := slices.BinarySearch(s.sorted, h)
	return ok
}

func (s *idSet) add(h uint64) {
	s.recent[h] = struct{}{}
	if len(s.recent) >= 1<<18 {
		for k := range s.recent {
			s.sorted = append(s.sorted, k)
		}
		slices.Sort(s.sorted)
		s.recent = map[uint64]struct{}{}
	}
}
