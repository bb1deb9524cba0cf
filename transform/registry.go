package transform

// All lists the transforms in an order they can run: daily counts before
// the weekly counts and hotspots that read them, flags before the risk score
// that counts them, case and order status before the unit rates built on them, the
// weekly CUSUM and risk before the daily hotspots that carry risk. A tick's
// lanes start the ready transform earliest here first: the incremental ones
// (one at a time) lead, those that others wait for first.
var All = []Transform{
	dailyCounts, weeklyCounts, petitionFlags, caseStatus, hotlineStatus, keyHistory,
	repeatMonthly, threeVisitsMonthly, hotlineAtRisk, unitMonthly, zeroReport,
	hotspotWeekly, riskDaily, hotspotDaily,
}

// Groups names the transform groups in run order.
var Groups = []string{"flags", "handling", "hotspots"}

// ByName finds a transform.
func ByName(name string) (Transform, bool) {
	for _, t := range All {
		if t.Name == name {
			return t, true
		}
	}
	return Transform{}, false
}
