// Package gen makes a realistic synthetic city of petition and 12345 records
// for the demo, tests and benchmarks: weekly and seasonal rhythms, holidays,
// districts weighted by population, category shares, hotline volume about
// ten times the petitions, handling events that follow the statutory clocks
// (some late, some reviewed and re-reviewed), daily unit reports. It plants
// surges, repeat and skip-level petitioners, collective petitions,
// 进京非正常上访 and hotline callers who escalate, and writes them down as
// ground truth. The same seed and start give the same records.
package gen
