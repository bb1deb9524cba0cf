package ingest

import (
	"context"
	"fmt"

	"xfwatch/refdata"
	"xfwatch/warehouse"
)

// Reference holds the codes records are checked against.
type Reference struct {
	regions map[string]bool // counties, townships and villages
	units   map[string]bool
}

// NewReference indexes a reference data set.
func NewReference(s *refdata.Set) *Reference {
	r := &Reference{regions: map[string]bool{}, units: map[string]bool{}}
	for _, x := range s.Regions {
		r.regions[x.Code] = true
	}
	for _, v := range s.Villages {
		r.regions[v.Code] = true
	}
	for _, u := range s.Units {
		r.units[u.Code] = true
	}
	return r
}

// LoadReference reads the codes from the warehouse's reference tables.
func LoadReference(ctx context.Context, db *warehouse.DB) (*Reference, error) {
	r := &Reference{regions: map[string]bool{}, units: map[string]bool{}}
	for _, q := range []struct {
		sql  string
		into map[string]bool
	}{
		{"SELECT code FROM " + db.Table("regions") + " UNION ALL SELECT code FROM " + db.Table("region_villages"), r.regions},
		{"SELECT code FROM " + db.Table("units"), r.units},
	} {
		rows, err := db.Query(ctx, q.sql)
		if err != nil {
			return nil, fmt.Errorf("cannot read reference codes: %w", err)
		}
		for rows.Next() {
			var code string
			if err := rows.Scan(&code); err != nil {
				rows.Close()
				return nil, err
			}
			q.into[code] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if len(r.regions) == 0 || len(r.units) == 0 {
		return nil, fmt.Errorf("the warehouse has no reference data (%d regions, %d units): run `xfwatch refdata load --clickhouse DSN` first", len(r.regions), len(r.units))
	}
	return r, nil
}

// Region checks a 6-, 9- or 12-digit code and returns its county and
// township (empty for a county code).
func (r *Reference) Region(code string) (county, township string, rule string) {
	switch len(code) {
	case 6, 9, 12:
	default:
		return "", "", "must be a 6-digit county, 9-digit township or 12-digit village code"
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return "", "", "must be digits only"
		}
	}
	if !r.regions[code] {
		return "", "", "code " + code + " is not in the region table: check the code, or load the current division list with `xfwatch refdata load`"
	}
	if len(code) >= 9 {
		township = code[:9]
	}
	return code[:6], township, ""
}

// Unit checks a unit code.
func (r *Reference) Unit(code string) string {
	if code == "" {
		return "is required"
	}
	if !r.units[code] {
		return "unit " + code + " is not in the unit table: check the code, or add the unit with `xfwatch refdata load --units FILE`"
	}
	return ""
}
