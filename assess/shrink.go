package assess

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// prior is a beta prior fitted across units (empirical Bayes).
type prior struct {
	Alpha, Beta float64
	Fitted      bool // false: fewer than three units with data, no shrinkage
}

// fitPrior fits Beta(α, β) to the units' k of n by the method of moments
// of the beta-binomial: the mean μ = Σk / Σn, the between-unit variance
// τ² = s² − μ(1−μ)·m/Σn where s² is the n-weighted variance of the units'
// rates and m their number; the prior's strength M = μ(1−μ)/τ² − 1, capped
// at maxStrength (and maxStrength when τ² ≤ 0: the units differ no more
// than chance would make them).
func fitPrior(fs []frac, maxStrength float64) prior {
	var sumK, sumN float64
	m := 0
	for _, f := range fs {
		if f.N > 0 {
			sumK += f.K
			sumN += f.N
			m++
		}
	}
	if m < 3 {
		return prior{}
	}
	mu := sumK / sumN
	var s2 float64
	for _, f := range fs {
		if f.N > 0 {
			d := f.K/f.N - mu
			s2 += f.N * d * d
		}
	}
	s2 /= sumN
	tau2 := s2 - mu*(1-mu)*float64(m)/sumN
	strength := maxStrength
	if tau2 > 0 && mu > 0 && mu < 1 {
		strength = math.Min(maxStrength, math.Max(0, mu*(1-mu)/tau2-1))
	}
	return prior{Alpha: mu * strength, Beta: (1 - mu) * strength, Fitted: true}
}

// estimate is a unit's rate after shrinkage, with its 90% interval.
type estimate struct {
	Raw, Value, Low, High float64
	PostAlpha, PostBeta   float64
}

// shrink combines a unit's k of n with the prior: the posterior
// Beta(α + k, β + n − k) (each parameter at least 0.5, Jeffreys' prior when
// none was fitted); the value is its mean (the raw rate when no prior was
// fitted), the interval its 5% and 95% quantiles.
func shrink(f frac, p prior) estimate {
	a, b := p.Alpha+f.K, p.Beta+f.N-f.K
	if !p.Fitted {
		a, b = f.K+0.5, f.N-f.K+0.5
	}
	a, b = math.Max(a, 0.5), math.Max(b, 0.5)
	e := estimate{Raw: f.K / f.N, PostAlpha: a, PostBeta: b}
	e.Value = a / (a + b)
	if !p.Fitted {
		e.Value = e.Raw
	}
	d := distuv.Beta{Alpha: a, Beta: b}
	e.Low, e.High = d.Quantile(0.05), d.Quantile(0.95)
	return e
}
