package gen

import (
	"time"
)

// per30 scales a count per 30 days to the generated span (at least one).
func (g *generator) per30(n float64) int { return max(1, int(n*float64(g.cfg.Days)/30+0.5)) }

func (g *generator) randomDay(marginEnd int) time.Time {
	span := max(1, g.cfg.Days-marginEnd)
	return g.cfg.Start.AddDate(0, 0, g.rng.IntN(span))
}

// plant adds the cases the indicators and alerts must find.
func (g *generator) plant() {
	// Surges: one county × category gets several times its usual petitions
	// for 4 to 7 days, after at least two weeks of baseline.
	used := map[string]bool{} // one surge per county × category: a second would ride on the first's baseline
	for i := 0; i < g.per30(1); i++ {
		c := g.county()
		cat := petitionCategories[g.pick(petitionShares)]
		for used[c.code+cat] {
			c, cat = g.county(), petitionCategories[g.pick(petitionShares)]
		}
		used[c.code+cat] = true
		length := 4 + g.rng.IntN(4)
		startOff := min(g.cfg.Days-length, 14+g.rng.IntN(max(1, g.cfg.Days-14-length)))
		if startOff < 0 {
			startOff = 0
		}
		from := g.cfg.Start.AddDate(0, 0, startOff)
		s := Surge{County: c.code, Category: cat, From: from.Format(time.DateOnly),
			To: from.AddDate(0, 0, length-1).Format(time.DateOnly)}
		for d := 0; d < length; d++ {
			day := from.AddDate(0, 0, d)
			for k := 0; k < 6+g.rng.IntN(5); k++ {
				id := g.petition(petitionSpec{at: g.officeTime(day, 8.5, 17.5), person: g.newPerson(c.code),
					county: c, category: cat, level: []string{"township", "county", "county", "city"}[g.rng.IntN(4)]})
				s.CaseIDs = append(s.CaseIDs, id)
				s.Extra++
			}
		}
		g.truth.Surges = append(g.truth.Surges, s)
	}
	// Repeat petitioners: three to five petitions in one category within
	// 30 days.
	for i := 0; i < g.per30(8); i++ {
		c := g.county()
		p := g.plantedPerson(c.code)
		cat := petitionCategories[g.pick(petitionShares)]
		first := g.randomDay(30)
		if i == g.per30(8)-1 {
			first = g.end.AddDate(0, 0, -27) // one repeating right now
		}
		rp := Person{Category: cat}
		for k, n := 0, 3+g.rng.IntN(3); k < n; k++ {
			day := first.AddDate(0, 0, k*(1+g.rng.IntN(7)))
			if !day.Before(g.end) {
				break
			}
			rp.CaseIDs = append(rp.CaseIDs, g.petition(petitionSpec{at: g.officeTime(day, 8.5, 17.5), person: p,
				county: c, category: cat, level: []string{"township", "county", "county"}[g.rng.IntN(3)]}))
		}
		g.truth.Repeaters = append(g.truth.Repeaters, rp)
	}
	// Skip-level: straight to the city or province, nothing lower before.
	for i := 0; i < g.per30(4); i++ {
		c := g.county()
		day := g.randomDay(0)
		id := g.petition(petitionSpec{at: g.officeTime(day, 8.5, 17.5), person: g.newPerson(c.code), county: c,
			category: petitionCategories[g.pick(petitionShares)], level: []string{"city", "province"}[g.rng.IntN(2)]})
		g.truth.SkipLevel = append(g.truth.SkipLevel, id)
	}
	// Climbers: county, then city, then province in the same category.
	for i := 0; i < g.per30(2); i++ {
		c := g.county()
		p := g.plantedPerson(c.code)
		cat := petitionCategories[g.pick(petitionShares)]
		day := g.randomDay(40)
		cl := Person{Category: cat}
		for _, lvl := range []string{"county", "city", "province"} {
			if !day.Before(g.end) {
				break
			}
			cl.CaseIDs = append(cl.CaseIDs, g.petition(petitionSpec{at: g.officeTime(day, 8.5, 17.5), person: p,
				county: c, category: cat, level: lvl}))
			day = day.AddDate(0, 0, 5+g.rng.IntN(12))
		}
		g.truth.Climbers = append(g.truth.Climbers, cl)
	}
	// Collective petitions (集体访) at township, county, city and province.
	for i := 0; i < g.per30(5); i++ {
		g.collective(5+g.rng.IntN(26), []string{"township", "county", "city", "province"}[g.rng.IntN(4)], false)
	}
	for i := 0; i < max(1, g.cfg.Days/90); i++ {
		g.collective(50+g.rng.IntN(150), "city", false)
	}
	// 进京非正常上访.
	for i := 0; i < max(1, g.cfg.Days*2/90); i++ {
		id := g.collective(1+g.rng.IntN(2), "national", true)
		g.truth.BeijingAbnormal = append(g.truth.BeijingAbnormal, id)
	}
	g.plantLaggardThreeVisits()
	// Hotline callers who escalate: two or three complaints, then a
	// petition in the same category within 60 days.
	for i := 0; i < g.per30(5); i++ {
		c := g.county()
		p := g.plantedPerson(c.code)
		cat := petitionCategories[g.pick(hotlineShares)]
		day := g.randomDay(45)
		e := Escalation{Category: cat}
		for k, n := 0, 2+g.rng.IntN(2); k < n; k++ {
			e.OrderIDs = append(e.OrderIDs, g.order(orderSpec{at: g.officeTime(day, 8, 21), person: p, county: c,
				category: cat, kind: []string{"complaint", "report"}[g.rng.IntN(2)], unresolved: true}))
			day = day.AddDate(0, 0, 3+g.rng.IntN(10))
		}
		if day.Before(g.end) {
			e.CaseID = g.petition(petitionSpec{at: g.officeTime(day, 8.5, 17.5), person: p, county: c, category: cat, level: "county"})
			g.truth.Escalations = append(g.truth.Escalations, e)
		}
	}
	// Callers at risk: three unresolved complaints within 30 days; the
	// last of them start in the final three weeks, so they are at risk now.
	for i := 0; i < g.per30(3); i++ {
		c := g.county()
		p := g.plantedPerson(c.code)
		cat := petitionCategories[g.pick(hotlineShares)]
		day := g.randomDay(30)
		if i == g.per30(3)-1 || i == g.per30(3)-2 {
			day = g.end.AddDate(0, 0, -21+g.rng.IntN(3))
		}
		ar := Person{Category: cat}
		for k := 0; k < 3; k++ {
			ar.OrderIDs = append(ar.OrderIDs, g.order(orderSpec{at: g.officeTime(day, 8, 21), person: p, county: c,
				category: cat, kind: "complaint", unresolved: true}))
			day = day.AddDate(0, 0, 2+g.rng.IntN(8))
			if !day.Before(g.end) {
				break
			}
		}
		g.truth.AtRisk = append(g.truth.AtRisk, ar)
	}
}

func (g *generator) collective(headcount int, level string, abnormal bool) string {
	c := g.county()
	day := g.randomDay(0)
	id := g.petition(petitionSpec{at: g.officeTime(day, 8.5, 17.5), person: g.newPerson(c.code), county: c,
		category: petitionCategories[g.pick(petitionShares)], level: level, headcount: headcount, abnormal: abnormal})
	if headcount >= 5 {
		g.truth.Collective = append(g.truth.Collective, Collective{CaseID: id, Headcount: headcount, Level: level,
			County: c.code, Day: day.Format(time.DateOnly)})
	}
	return id
}
