package gen

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"xfwatch/ingest"
	"xfwatch/refdata"
)

// Config of a generated city.
type Config struct {
	Start    time.Time // first day (local); records run to Start+Days
	Days     int
	Seed     uint64
	Scale    float64 // 1: about 40 petitions and 400 hotline orders on a weekday
	BadRatio float64 // share of records replaced by malformed ones (opt-in)
	City     *refdata.Set
	// Now bounds handling events: none is later than it (default: the end
	// of the last day).
	Now time.Time
}

// Record is one Kafka message to produce.
type Record struct {
	Kind  ingest.Kind
	Key   string
	Value []byte
	at    time.Time // when it reaches Kafka; events may come late
}

var loc = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

type township struct {
	code     string
	pop      float64
	villages []string
}

type county struct {
	code, name string
	pop        float64
	townships  []township
}

type person struct {
	id, phone, name string
	county          string
	// planted people always give their ID number, so the cases planted
	// on them can be linked (others sometimes give only a phone).
	planted bool
}

type generator struct {
	cfg      Config
	rng      *rand.Rand
	counties []county
	end, now time.Time
	seq      map[string]int
	people   []*person
	visits   []visit // the background's petitions, in day order
	records  []Record
	truth    *Truth
	periods  []refdata.Period
	// lag draws the laggards' extra failures from its own stream;
	// laggards are the units handling badly (a county's units, a department).
	lag       *rand.Rand
	laggards  map[string]bool
	lagCounty string
}

// Generate makes the records (in the order they reach Kafka) and the truth.
func Generate(cfg Config) ([]Record, *Truth, error) {
	if cfg.Days < 1 {
		return nil, nil, fmt.Errorf("days must be at least 1")
	}
	if cfg.Scale <= 0 {
		cfg.Scale = 1
	}
	if cfg.City == nil {
		return nil, nil, fmt.Errorf("no reference data")
	}
	start := time.Date(cfg.Start.Year(), cfg.Start.Month(), cfg.Start.Day(), 0, 0, 0, 0, loc)
	cfg.Start = start
	g := &generator{
		cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		end: start.AddDate(0, 0, cfg.Days), seq: map[string]int{}, periods: cfg.City.Periods,
		truth: &Truth{Start: start.Format(time.DateOnly), Days: cfg.Days, Seed: cfg.Seed, Counts: map[string]int{}},
	}
	g.now = cfg.Now
	if g.now.IsZero() {
		g.now = g.end
	}
	g.index()
	g.pickLaggards()
	for d := 0; d < cfg.Days; d++ {
		day := start.AddDate(0, 0, d)
		g.background(day)
	}
	g.plant()
	g.unitReports()
	if cfg.BadRatio > 0 {
		g.spoil()
	}
	sort.SliceStable(g.records, func(i, j int) bool { return g.records[i].at.Before(g.records[j].at) })
	for _, r := range g.records {
		g.truth.Counts[r.Kind.Table()]++
	}
	return g.records, g.truth, nil
}

func (g *generator) index() {
	byCode := map[string]*county{}
	for _, r := range g.cfg.City.Regions {
		if r.Level == "county" {
			g.counties = append(g.counties, county{code: r.Code, name: r.Name, pop: float64(r.Population)})
		}
	}
	for i := range g.counties {
		byCode[g.counties[i].code] = &g.counties[i]
	}
	villages := map[string][]string{}
	for _, v := range g.cfg.City.Villages {
		villages[v.Township] = append(villages[v.Township], v.Code)
	}
	for _, r := range g.cfg.City.Regions {
		if c := byCode[r.Parent]; r.Level == "township" && c != nil {
			c.townships = append(c.townships, township{code: r.Code, pop: float64(r.Population), villages: villages[r.Code]})
		}
	}
}

// --- randomness helpers ---

func (g *generator) pick(weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := g.rng.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func (g *generator) poisson(lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 50 {
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*g.rng.NormFloat64())))
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= g.rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

func (g *generator) between(a, b time.Duration) time.Duration {
	if b <= a {
		return a
	}
	return a + time.Duration(g.rng.Int64N(int64(b-a)))
}

func days(n float64) time.Duration { return time.Duration(n * 24 * float64(time.Hour)) }

func (g *generator) county() *county {
	w := make([]float64, len(g.counties))
	for i, c := range g.counties {
		w[i] = c.pop
	}
	return &g.counties[g.pick(w)]
}

func (g *generator) countyByCode(code string) *county {
	for i := range g.counties {
		if g.counties[i].code == code {
			return &g.counties[i]
		}
	}
	return &g.counties[0]
}

// origin picks a region code in c: township (most), village or the county.
func (g *generator) origin(c *county) (code, town string) {
	if len(c.townships) == 0 || g.chance(0.1) {
		return c.code, ""
	}
	w := make([]float64, len(c.townships))
	for i, t := range c.townships {
		w[i] = t.pop
	}
	t := c.townships[g.pick(w)]
	if len(t.villages) > 0 && g.chance(0.3) {
		return t.villages[g.rng.IntN(len(t.villages))], t.code
	}
	return t.code, t.code
}

func (g *generator) id(prefix string, day time.Time) string {
	key := prefix + day.Format("20060102")
	g.seq[key]++
	return fmt.Sprintf("%s%s%05d", prefix, day.Format("20060102"), g.seq[key])
}

// --- people ---

var (
	surnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"}
	given    = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "建国", "桂兰", "志强"}
)

// plantedPerson is a new person whose records are linked by ID number.
func (g *generator) plantedPerson(countyCode string) *person {
	p := g.newPerson(countyCode)
	p.planted = true
	return p
}

func (g *generator) newPerson(countyCode string) *person {
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rng.IntN(65*365))
	first := countyCode + birth.Format("20060102") + fmt.Sprintf("%03d", g.rng.IntN(1000))
	p := &person{
		id:     first + string(ingest.IDCheckChar(first)),
		phone:  fmt.Sprintf("1%d%d%08d", 3+g.rng.IntN(7), g.rng.IntN(10), g.rng.IntN(100000000)),
		name:   surnames[g.rng.IntN(len(surnames))] + given[g.rng.IntN(len(given))],
		county: countyCode,
	}
	g.people = append(g.people, p)
	return p
}

// identity is what a record carries about the person: not always all three.
func (g *generator) identity(p *person) map[string]string {
	if p.planted {
		return map[string]string{"id_number": p.id, "phone": p.phone, "name": p.name}
	}
	switch x := g.rng.Float64(); {
	case x < 0.7:
		return map[string]string{"id_number": p.id, "phone": p.phone, "name": p.name}
	case x < 0.9:
		return map[string]string{"id_number": p.id, "name": p.name}
	default:
		return map[string]string{"phone": p.phone, "name": p.name}
	}
}

// --- volumes ---

var petitionCategories = []string{"land_acquisition", "demolition", "restructuring", "cadre_conduct", "social_security",
	"law_litigation", "environment", "work_safety", "traffic_accident", "medical_dispute",
	"wage_arrears", "housing", "urban_management", "rural_affairs", "education", "other"}

var petitionShares = []float64{8, 10, 3, 5, 10, 12, 7, 2, 3, 4, 9, 10, 7, 5, 3, 2}
var hotlineShares = []float64{2, 3, 1, 3, 10, 3, 10, 2, 4, 4, 10, 15, 20, 5, 7, 1}

// dayFactor is the weekly and seasonal rhythm and holidays.
func (g *generator) dayFactor(day time.Time, hotline bool) float64 {
	f := [13]float64{0, 1.2, 0.85, 1.1, 1.0, 1.0, 0.95, 0.9, 0.95, 1.0, 1.0, 1.05, 1.15}[day.Month()]
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		if hotline {
			f *= 0.7
		} else {
			f *= 0.35
		}
	}
	if g.holiday(day) {
		f *= 0.5
	}
	return f
}

func (g *generator) holiday(day time.Time) bool {
	for _, p := range g.periods {
		if p.Contains(day) && (containsRune(p.Name, "春节") || containsRune(p.Name, "国庆")) {
			return true
		}
	}
	return false
}

func (g *generator) sensitive(day time.Time) bool {
	for _, p := range g.periods {
		if p.ZeroReportRequired && p.Contains(day) {
			return true
		}
	}
	return false
}

func containsRune(s, sub string) bool {
	return len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func (g *generator) officeTime(day time.Time, from, to float64) time.Time {
	h := from + g.rng.Float64()*(to-from)
	return day.Add(time.Duration(h * float64(time.Hour)))
}

// visit is a background petition: whom, in which category, on which day.
type visit struct {
	person   *person
	category string
	day      time.Time
}

// background is a day's ordinary petitions and orders. About one petition
// in eight is by someone who petitioned in the last 180 days, mostly in
// the same matter again: the steady share of repeat petitions (重复访) a
// city sees. (Drawn from everyone the generator had made, hotline callers
// ten to one, nearly none were: the repeats were only the planted ones,
// and none in a run's last weeks.)
func (g *generator) background(day time.Time) {
	n := g.poisson(40 * g.cfg.Scale * g.dayFactor(day, false))
	lo := sort.Search(len(g.visits), func(i int) bool { return !g.visits[i].day.Before(day.AddDate(0, 0, -180)) })
	prior := g.visits[lo:] // the days before this one
	for i := 0; i < n; i++ {
		c := g.county()
		cat := petitionCategories[g.pick(petitionShares)]
		var p *person
		switch {
		case len(prior) > 0 && g.chance(0.12):
			v := prior[g.rng.IntN(len(prior))]
			p, c = v.person, g.countyByCode(v.person.county)
			if g.chance(0.7) {
				cat = v.category
			}
		case len(g.people) > 20 && g.chance(0.03):
			p = g.people[g.rng.IntN(len(g.people))]
			c = g.countyByCode(p.county)
		default:
			p = g.newPerson(c.code)
		}
		g.petition(petitionSpec{at: g.officeTime(day, 8.5, 17.5), person: p, county: c, category: cat, level: g.level()})
		g.visits = append(g.visits, visit{person: p, category: cat, day: day})
	}
	m := g.poisson(400 * g.cfg.Scale * g.dayFactor(day, true))
	for i := 0; i < m; i++ {
		c := g.county()
		g.order(orderSpec{at: g.officeTime(day, 7, 23), person: g.caller(c), county: c,
			category: petitionCategories[g.pick(hotlineShares)], kind: g.orderKind()})
	}
}

func (g *generator) caller(c *county) *person {
	if g.chance(0.1) && len(g.people) > 20 {
		return g.people[g.rng.IntN(len(g.people))]
	}
	return g.newPerson(c.code)
}

var levels = []string{"village", "township", "county", "city", "province", "national"}

func (g *generator) level() string { return levels[g.pick([]float64{5, 25, 45, 18, 5, 2})] }

var orderKinds = []string{"consult", "help", "complaint", "report", "suggestion", "praise"}

func (g *generator) orderKind() string { return orderKinds[g.pick([]float64{35, 20, 30, 5, 7, 3})] }

// --- records ---

type petitionSpec struct {
	at        time.Time
	person    *person
	county    *county
	category  string
	level     string
	headcount int
	abnormal  bool
}

var categoryDept = map[string]string{
	"land_acquisition": "CITY-ZRZY", "demolition": "CITY-ZJJ", "restructuring": "CITY-GZW", "cadre_conduct": "CITY-JW",
	"social_security": "CITY-RSJ", "law_litigation": "CITY-ZFW", "environment": "CITY-STHJ", "work_safety": "CITY-YJJ",
	"traffic_accident": "CITY-GAJ", "medical_dispute": "CITY-WJW", "wage_arrears": "CITY-RSJ", "housing": "CITY-ZJJ",
	"urban_management": "CITY-CGW", "rural_affairs": "CITY-NYJ", "education": "CITY-JYJ", "other": "CITY-XFJ",
}

var subjects = map[string]string{
	"land_acquisition": "反映征地补偿标准问题", "demolition": "反映拆迁安置问题", "restructuring": "反映企业改制职工安置问题",
	"cadre_conduct": "反映基层干部作风问题", "social_security": "反映养老保险待遇问题", "law_litigation": "反映案件执行问题",
	"environment": "反映企业排污扰民问题", "work_safety": "反映安全生产隐患问题", "traffic_accident": "反映交通事故赔偿问题",
	"medical_dispute": "反映医疗纠纷处理问题", "wage_arrears": "反映拖欠农民工工资问题", "housing": "反映物业服务和房屋质量问题",
	"urban_management": "反映占道经营和噪声问题", "rural_affairs": "反映土地承包经营问题", "education": "反映入学和教育收费问题",
	"other": "其他诉求",
}

var petitionChannels = []string{"letter", "visit", "phone", "online", "mailbox", "video", "email", "fax"}

func (g *generator) petition(s petitionSpec) string {
	caseID := g.id("XF", s.at)
	origin, town := g.origin(s.county)
	if s.headcount == 0 {
		s.headcount = 1
		if g.chance(0.03) {
			s.headcount = 2 + g.rng.IntN(3)
		}
	}
	unit := "G" + s.county.code
	switch {
	case (s.level == "village" || s.level == "township") && town != "":
		unit = "G" + town
	case g.chance(0.4):
		unit = categoryDept[s.category]
	}
	channel := petitionChannels[g.pick([]float64{20, 35, 10, 25, 4, 2, 3, 1})]
	if s.headcount >= 5 || s.abnormal {
		channel = "visit"
	}
	v := map[string]any{
		"case_id": caseID, "received_at": s.at.Format(time.RFC3339), "channel": channel,
		"receiving_level": s.level, "origin_region": origin, "category": s.category,
		"headcount": s.headcount, "abnormal": s.abnormal, "petitioner": g.identity(s.person),
		"responsible_unit": unit, "subject": subjects[s.category],
		"content": fmt.Sprintf("%s反映：%s，请求依法处理。联系电话%s。", s.person.name, subjects[s.category], s.person.phone),
	}
	g.emit(ingest.KindPetition, caseID, v, s.at)
	g.handlePetition(caseID, s, unit)
	return caseID
}

type orderSpec struct {
	at       time.Time
	person   *person
	county   *county
	category string
	kind     string
	caseID   string
	// unresolved forces the order to end unresolved or unsatisfied.
	unresolved bool
}

var hotlineChannels = []string{"phone", "web", "app", "wechat", "email"}

func (g *generator) order(s orderSpec) string {
	orderID := g.id("RX", s.at)
	origin, _ := g.origin(s.county)
	unit := categoryDept[s.category]
	if g.chance(0.5) {
		unit = "G" + s.county.code
	}
	v := map[string]any{
		"order_id": orderID, "received_at": s.at.Format(time.RFC3339),
		"channel": hotlineChannels[g.pick([]float64{70, 10, 8, 10, 2})], "kind": s.kind,
		"region": origin, "category": s.category, "caller": g.identity(s.person),
		"subject": subjects[s.category], "content": fmt.Sprintf("市民来电%s。", subjects[s.category]),
		"urgent": g.chance(0.03), "assigned_unit": unit,
	}
	if s.caseID != "" {
		v["case_id"] = s.caseID
	}
	g.emit(ingest.KindHotline, orderID, v, s.at)
	g.handleOrder(orderID, s, unit)
	return orderID
}

func (g *generator) emit(kind ingest.Kind, key string, v any, at time.Time) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	g.records = append(g.records, Record{Kind: kind, Key: key, Value: b, at: at})
}
