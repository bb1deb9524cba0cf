package gen

import (
	"math/rand/v2"
	"sort"
	"time"
)

// pickLaggards chooses, from its own random stream, one county whose
// government and townships handle petitions badly and one city department
// that does, so the assessment has a known bottom.
func (g *generator) pickLaggards() {
	g.lag = rand.New(rand.NewPCG(g.cfg.Seed, 0x1a66a2d5))
	g.laggards = map[string]bool{}
	c := g.counties[g.lag.IntN(len(g.counties))]
	g.lagCounty = c.code
	var depts []string
	seen := map[string]bool{}
	for _, d := range categoryDept {
		if d != "CITY-XFJ" && !seen[d] {
			seen[d] = true
			depts = append(depts, d)
		}
	}
	sort.Strings(depts)
	dept := depts[g.lag.IntN(len(depts))]
	g.laggards["G"+c.code] = true
	g.laggards[dept] = true
	g.truth.Laggards = []string{"G" + c.code, dept}
}

// laggard says whether a responsible unit is one of the laggards: the
// county's government, its townships' governments, or the department.
func (g *generator) laggard(unit string) bool {
	if g.laggards[unit] {
		return true
	}
	return len(unit) == 10 && unit[0] == 'G' && unit[1:7] == g.lagCounty
}

// lagChance is a draw from the laggards' stream.
func (g *generator) lagChance(p float64) bool { return g.lag.Float64() < p }

// plantLaggardThreeVisits adds 三访 in the laggard county: two 来市集体上访
// and a 进京非正常上访 by a group.
func (g *generator) plantLaggardThreeVisits() {
	var c *county
	for i := range g.counties {
		if g.counties[i].code == g.lagCounty {
			c = &g.counties[i]
		}
	}
	for i, level := range []string{"city", "city", "national"} {
		day := g.cfg.Start.AddDate(0, 0, (i+1)*g.cfg.Days/4)
		headcount := 6 + g.lag.IntN(20)
		id := g.petition(petitionSpec{at: g.officeTime(day, 9, 16), person: g.newPerson(c.code), county: c,
			category: petitionCategories[g.lag.IntN(len(petitionCategories))], level: level, headcount: headcount, abnormal: level == "national"})
		g.truth.Collective = append(g.truth.Collective, Collective{CaseID: id, Headcount: headcount, Level: level,
			County: c.code, Day: day.Format(time.DateOnly)})
		if level == "national" {
			g.truth.BeijingAbnormal = append(g.truth.BeijingAbnormal, id)
		}
	}
}
