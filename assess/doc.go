// Package assess owns 考核: the versioned rubric per year (YAML), annual
// and monthly scores per unit (county governments, city departments) with
// empirical-Bayes shrinkage of small rates and 90% intervals, ranks with
// rank bands, the monthly 通报 with its 一事一通报 items and flags (书面检查,
// 表彰), and their storage, so a past year's scores are reproducible and
// explainable line by line. It reads indicator tables only.
package assess
