package gen

import (
	"bytes"
	"encoding/json"
	"strings"
)

// breakages spoil a decoded record in one way SPEC section 3 forbids; each
// reports whether it applied to this kind of record.
var breakages = []func(m map[string]any) bool{
	func(m map[string]any) bool {
		return setFirst(m, "2099-01-01T00:00:00+08:00", "received_at", "at", "submitted_at")
	},
	func(m map[string]any) bool {
		ok := false
		for _, k := range []string{"case_id", "order_id", "event_id", "report_id"} {
			if _, has := m[k]; has {
				delete(m, k)
				ok = true
			}
		}
		return ok
	},
	func(m map[string]any) bool {
		return setFirst(m, "999999", "origin_region", "region") || setFirst(m, "NO-SUCH-UNIT", "unit")
	},
	func(m map[string]any) bool {
		return setFirst(m, "unheard_of", "category", "type") || setFirst(m, "many", "incidents")
	},
	func(m map[string]any) bool {
		for _, k := range []string{"petitioner", "caller"} {
			if p, ok := m[k].(map[string]any); ok {
				if id, ok := p["id_number"].(string); ok && len(id) == 18 {
					wrong := byte('0')
					if id[17] == '0' {
						wrong = '1'
					}
					p["id_number"] = id[:17] + string(wrong)
					return true
				}
			}
		}
		return false
	},
	func(m map[string]any) bool {
		if _, ok := m["subject"]; ok {
			m["subject"] = strings.Repeat("超", 300)
			return true
		}
		return false
	},
}

func setFirst(m map[string]any, v any, keys ...string) bool {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			m[k] = v
			return true
		}
	}
	return false
}

// spoil replaces a share of the records with malformed ones: truncated or
// oversized bytes, or a field broken by one of the breakages.
func (g *generator) spoil() {
	for i := range g.records {
		if !g.chance(g.cfg.BadRatio) {
			continue
		}
		r := &g.records[i]
		switch x := g.rng.IntN(len(breakages) + 2); x {
		case len(breakages):
			r.Value = r.Value[:len(r.Value)/2]
		case len(breakages) + 1:
			r.Value = append(bytes.Repeat([]byte(" "), 1<<20), r.Value...)
		default:
			var m map[string]any
			if err := json.Unmarshal(r.Value, &m); err != nil {
				panic(err)
			}
			for k := 0; !breakages[(x+k)%len(breakages)](m); k++ {
			}
			r.Value, _ = json.Marshal(m)
		}
		g.truth.Bad++
	}
}
