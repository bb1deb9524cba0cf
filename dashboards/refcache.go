package dashboards

import (
	"context"
	"sort"
	"sync"
	"time"

	"xfwatch/refdata"
	"xfwatch/warehouse"
)

// refCache holds the names of regions and units (small dimension tables),
// refreshed every few minutes, so pages label codes without a join.
type refCache struct {
	db      *warehouse.DB
	mu      sync.RWMutex
	loaded  time.Time
	regions map[string]refRegion
	units   map[string]refUnit
	city    string
}

type refRegion struct{ Name, Level, Parent string }
type refUnit struct{ Name, Kind, Region, Level string }

func (c *refCache) refresh(ctx context.Context) error {
	c.mu.RLock()
	fresh := time.Since(c.loaded) < 5*time.Minute
	c.mu.RUnlock()
	if fresh {
		return nil
	}
	regions := map[string]refRegion{}
	units := map[string]refUnit{}
	city := ""
	rows, err := c.db.Query(ctx, "SELECT code, name, level, parent FROM "+c.db.Table("regions"))
	if err != nil {
		return err
	}
	for rows.Next() {
		var code string
		var r refRegion
		if err := rows.Scan(&code, &r.Name, &r.Level, &r.Parent); err != nil {
			rows.Close()
			return err
		}
		regions[code] = r
		if r.Level == "county" {
			city = r.Parent
		}
	}
	rows.Close()
	if city != "" {
		if _, ok := regions[city]; !ok {
			regions[city] = refRegion{Name: "全市", Level: "city"}
		}
	}
	rows, err = c.db.Query(ctx, "SELECT code, name, kind, region, level FROM "+c.db.Table("units"))
	if err != nil {
		return err
	}
	for rows.Next() {
		var code string
		var u refUnit
		if err := rows.Scan(&code, &u.Name, &u.Kind, &u.Region, &u.Level); err != nil {
			rows.Close()
			return err
		}
		units[code] = u
	}
	rows.Close()
	c.mu.Lock()
	c.regions, c.units, c.city, c.loaded = regions, units, city, time.Now()
	c.mu.Unlock()
	return nil
}

func (c *refCache) regionName(code string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if r, ok := c.regions[code]; ok {
		return r.Name
	}
	if code == "" {
		return "全市"
	}
	return code
}

func (c *refCache) unitName(code string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if u, ok := c.units[code]; ok {
		return u.Name
	}
	return code
}

func (c *refCache) unitLevel(code string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.units[code].Level
}

func (c *refCache) unitRegion(code string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.units[code].Region
}

// label names a dimension value.
func (c *refCache) label(dim, code string) string {
	switch dim {
	case "region":
		return c.regionName(code)
	case "category":
		return refdata.CategoryLabel(code)
	case "three_visit_type":
		if l := refdata.ThreeVisitLabel[code]; l != "" {
			return l
		}
	case "unit":
		return c.unitName(code)
	}
	return code
}

// children lists the regions of a level under a parent, by code.
func (c *refCache) children(level, parent string) []Region {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []Region
	for code, r := range c.regions {
		if r.Level == level && (parent == "" || r.Parent == parent) {
			out = append(out, Region{Code: code, Name: r.Name})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
