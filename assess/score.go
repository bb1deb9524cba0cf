package assess

import (
	"math"
	"sort"
)

// CriterionScore is one criterion of one unit: inputs, value, points.
type CriterionScore struct {
	ID        string  `json:"id"`
	Label     string  `json:"label"`
	Standard  string  `json:"standard"`
	Indicator string  `json:"indicator"`
	Weight    float64 `json:"weight"`
	Floor     float64 `json:"floor"`
	Target    float64 `json:"target"`
	Direction string  `json:"direction"`
	Assessed  bool    `json:"assessed"`
	Note      string  `json:"note,omitempty"` // why not assessed
	// Rates: k of n, the raw rate, the prior and the shrunk value.
	K          float64 `json:"k,omitempty"`
	N          float64 `json:"n,omitempty"`
	Raw        float64 `json:"raw,omitempty"`
	PriorAlpha float64 `json:"prior_alpha,omitempty"`
	PriorBeta  float64 `json:"prior_beta,omitempty"`
	// 三访: this period's count and the same period a year earlier.
	Current  float64 `json:"current,omitempty"`
	Previous float64 `json:"previous,omitempty"`
	// The value scored, its 90% interval, and the points.
	Value      float64 `json:"value"`
	Low        float64 `json:"low"`
	High       float64 `json:"high"`
	Points     float64 `json:"points"`
	PointsLow  float64 `json:"points_low"`
	PointsHigh float64 `json:"points_high"`
}

// UnitScore is a unit's score for a year (Month 0) or a month.
type UnitScore struct {
	Year           int              `json:"year"`
	Month          int              `json:"month"`
	Unit           string           `json:"unit"`
	Name           string           `json:"name"`
	RubricVersion  string           `json:"rubric_version"`
	Assessed       bool             `json:"assessed"`
	Score          float64          `json:"score"`
	Low            float64          `json:"score_low"`
	High           float64          `json:"score_high"`
	Rank           int              `json:"rank"`
	RankBest       int              `json:"rank_best"`
	RankWorst      int              `json:"rank_worst"`
	Deductions     float64          `json:"deductions"`
	DeductionNotes []string         `json:"deduction_notes,omitempty"`
	AssessedWeight float64          `json:"assessed_weight"`
	MetTarget      bool             `json:"met_target"`
	Commendable    bool             `json:"commendable"` // 表彰: target met three years running
	Criteria       []CriterionScore `json:"criteria"`
}

// points maps a value onto a criterion's weight, linearly from floor (0)
// to target (full), clipped.
func points(c Criterion, v float64) float64 {
	f := (v - c.Floor) / (c.Target - c.Floor)
	return c.Weight * math.Max(0, math.Min(1, f))
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// scorePeriod scores every unit over the months in [first, last].
func scorePeriod(in *inputs, r *Rubric, first, last, month int) []UnitScore {
	out := make([]UnitScore, len(in.Units))
	for i, u := range in.Units {
		out[i] = UnitScore{Year: in.Year, Month: month, Unit: u.Code, Name: u.Name, RubricVersion: r.Version}
	}
	for _, c := range r.Criteria {
		ind := indicators[c.Indicator]
		base := CriterionScore{ID: c.ID, Label: c.Label, Standard: c.Standard, Indicator: c.Indicator, Weight: c.Weight,
			Floor: c.Floor, Target: c.Target, Direction: c.Direction}
		switch {
		case c.Indicator == "three_visits_change":
			for i, u := range in.Units {
				cs := base
				active := false
				for m := first; m <= last; m++ {
					if in.active[u.Code] != nil && in.active[u.Code][m] {
						active = true
					}
					if in.three[u.Code] != nil {
						cs.Current += in.three[u.Code][m]
					}
					if in.threePrev[u.Code] != nil {
						cs.Previous += in.threePrev[u.Code][m]
					}
				}
				switch {
				case u.County == "":
					cs.Note = "不适用：部门不单列三访"
				case !active:
					cs.Note = "无数据：期内无信访件"
				default:
					cs.Assessed = true
					cs.Value = -1 // no 三访 at all: the best outcome
					if cs.Current > 0 {
						cs.Value = (cs.Current - cs.Previous) / math.Max(cs.Previous, 1)
					}
					cs.Low, cs.High = cs.Value, cs.Value
				}
				out[i].Criteria = append(out[i].Criteria, cs)
			}
		default:
			fs := make([]frac, len(in.Units))
			for i, u := range in.Units {
				if ind.Counties && u.County == "" {
					continue
				}
				if series := in.rates[u.Code][c.Indicator]; series != nil {
					for m := first; m <= last; m++ {
						fs[i].add(series[m])
					}
				}
			}
			p := fitPrior(fs, r.Shrinkage.MaxPriorStrength)
			for i, u := range in.Units {
				cs := base
				switch {
				case ind.Counties && u.County == "":
					cs.Note = "不适用：按县区统计"
				case fs[i].N == 0:
					cs.Note = "无数据：期内没有应计入的件"
				default:
					e := shrink(fs[i], p)
					cs.Assessed = true
					cs.K, cs.N, cs.Raw = fs[i].K, fs[i].N, round(e.Raw, 6)
					cs.PriorAlpha, cs.PriorBeta = round(p.Alpha, 6), round(p.Beta, 6)
					cs.Value, cs.Low, cs.High = round(e.Value, 6), round(e.Low, 6), round(e.High, 6)
				}
				out[i].Criteria = append(out[i].Criteria, cs)
			}
		}
	}
	for i := range out {
		s := &out[i]
		var pts, lo, hi float64
		for j := range s.Criteria {
			cs := &s.Criteria[j]
			if !cs.Assessed {
				continue
			}
			c := r.Criteria[j]
			cs.Points = round(points(c, cs.Value), 4)
			a, b := points(c, cs.Low), points(c, cs.High)
			cs.PointsLow, cs.PointsHigh = round(math.Min(a, b), 4), round(math.Max(a, b), 4)
			s.AssessedWeight += c.Weight
			pts, lo, hi = pts+cs.Points, lo+cs.PointsLow, hi+cs.PointsHigh
		}
		if s.AssessedWeight > 0 {
			s.Assessed = true
			scale := 100 / s.AssessedWeight
			s.Score, s.Low, s.High = round(pts*scale, 2), round(lo*scale, 2), round(hi*scale, 2)
		}
	}
	return out
}

// applyDeductions takes the deductions off, then ranks.
func rank(scores []UnitScore) {
	idx := make([]int, 0, len(scores))
	for i := range scores {
		if scores[i].Assessed {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := scores[idx[a]], scores[idx[b]]
		if x.Score != y.Score {
			return x.Score > y.Score
		}
		return x.Unit < y.Unit
	})
	for r, i := range idx {
		s := &scores[i]
		s.Rank = r + 1
		s.RankBest, s.RankWorst = 1, 0
		for _, j := range idx {
			o := scores[j]
			if o.Low > s.High {
				s.RankBest++
			}
			if o.High >= s.Low {
				s.RankWorst++
			}
		}
	}
}

// Overlap is the share of neighbours in the ranking whose intervals
// overlap: how often the order of two adjacent units could be the other way.
func Overlap(scores []UnitScore) float64 {
	var ranked []UnitScore
	for _, s := range scores {
		if s.Rank > 0 {
			ranked = append(ranked, s)
		}
	}
	sort.Slice(ranked, func(i, j int) bool { return ranked[i].Rank < ranked[j].Rank })
	if len(ranked) < 2 {
		return 0
	}
	n := 0
	for i := 1; i < len(ranked); i++ {
		if ranked[i].High >= ranked[i-1].Low {
			n++
		}
	}
	return float64(n) / float64(len(ranked)-1)
}
