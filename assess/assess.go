package assess

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/warehouse"
)

// Bulletin is one line of a month's 通报.
type Bulletin struct {
	Year          int    `json:"year"`
	Month         int    `json:"month"`
	Unit          string `json:"unit"`
	Name          string `json:"name"`
	Reason        string `json:"reason"` // three_visits | bottom_score | backlog | one_event
	Detail        string `json:"detail"`
	CaseID        string `json:"case_id,omitempty"`
	WrittenReview bool   `json:"written_review"` // named this month and the month before: 书面检查
	RubricVersion string `json:"rubric_version"`
}

// ReasonLabel names a bulletin reason.
var ReasonLabel = map[string]string{"three_visits": "三访", "bottom_score": "月度得分靠后", "backlog": "积案超标", "one_event": "一事一通报"}

// Result is what `xfwatch assess` computes for a year or a month.
type Result struct {
	Year, Month int
	Months      int // months of the year covered
	Rubric      *Rubric
	Scores      []UnitScore // the year's (Month 0) or the month's, ranked
	Bulletins   []Bulletin  // the month's, or every month's of the year
	Overlap     float64     // share of adjacent ranks whose intervals overlap
}

// byRank orders scores best first, the units not assessed last.
func byRank(scores []UnitScore) {
	sort.SliceStable(scores, func(i, j int) bool {
		a, b := scores[i], scores[j]
		if (a.Rank == 0) != (b.Rank == 0) {
			return b.Rank == 0
		}
		if a.Rank != b.Rank {
			return a.Rank < b.Rank
		}
		return a.Unit < b.Unit
	})
}

// Compute scores year y (month 0) or its month m with that year's rubric.
func Compute(ctx context.Context, db *warehouse.DB, rubrics Rubrics, y, m int, now time.Time) (*Result, error) {
	r, err := rubrics.For(y)
	if err != nil {
		return nil, err
	}
	in, err := readInputs(ctx, db, y, now)
	if err != nil {
		return nil, err
	}
	if m < 0 || m > 12 {
		return nil, fmt.Errorf("--month %d: give 1 to 12", m)
	}
	if m > in.Months {
		return nil, fmt.Errorf("--month %d of %d has not begun", m, y)
	}
	res := &Result{Year: y, Month: m, Months: in.Months, Rubric: r}
	bulletins := monthlyBulletins(in, r)
	if m > 0 {
		res.Scores = scorePeriod(in, r, m, m, m)
		rank(res.Scores)
		for _, b := range bulletins {
			if b.Month == m {
				res.Bulletins = append(res.Bulletins, b)
			}
		}
		res.Overlap = Overlap(res.Scores)
		byRank(res.Scores)
		return res, nil
	}
	res.Bulletins = bulletins
	res.Scores = scorePeriod(in, r, 1, in.Months, 0)
	deduct(res.Scores, bulletins, r)
	rank(res.Scores)
	res.Overlap = Overlap(res.Scores)
	met := metTarget(res.Scores, bulletins, r)
	for i := range res.Scores {
		res.Scores[i].MetTarget = met[res.Scores[i].Unit]
	}
	// 表彰: the target met this year and the two before, each under its
	// own year's rubric.
	runs := map[string]int{}
	for u, ok := range met {
		if ok {
			runs[u] = 1
		}
	}
	for back := 1; back <= 2; back++ {
		prev, err := annualMet(ctx, db, rubrics, y-back, now)
		if err != nil {
			break // no rubric or no data: the run stops here
		}
		for u := range runs {
			if prev[u] && runs[u] == back {
				runs[u]++
			}
		}
	}
	for i := range res.Scores {
		res.Scores[i].Commendable = runs[res.Scores[i].Unit] >= 3
	}
	byRank(res.Scores)
	return res, nil
}

// annualMet says which units met the target in year y.
func annualMet(ctx context.Context, db *warehouse.DB, rubrics Rubrics, y int, now time.Time) (map[string]bool, error) {
	r, err := rubrics.For(y)
	if err != nil {
		return nil, err
	}
	in, err := readInputs(ctx, db, y, now)
	if err != nil {
		return nil, err
	}
	b := monthlyBulletins(in, r)
	s := scorePeriod(in, r, 1, in.Months, 0)
	deduct(s, b, r)
	return metTarget(s, b, r), nil
}

func metTarget(scores []UnitScore, bulletins []Bulletin, r *Rubric) map[string]bool {
	oneEvent := map[string]bool{}
	for _, b := range bulletins {
		if b.Reason == "one_event" {
			oneEvent[b.Unit] = true
		}
	}
	out := map[string]bool{}
	for _, s := range scores {
		out[s.Unit] = s.Assessed && s.Score >= r.PassScore && !oneEvent[s.Unit]
	}
	return out
}

// deduct takes points off the annual scores: per month named in 通报 and
// per 一事一通报 item, at most the cap.
func deduct(scores []UnitScore, bulletins []Bulletin, r *Rubric) {
	months := map[string]map[int]bool{}
	events := map[string]int{}
	for _, b := range bulletins {
		if months[b.Unit] == nil {
			months[b.Unit] = map[int]bool{}
		}
		months[b.Unit][b.Month] = true
		if b.Reason == "one_event" {
			events[b.Unit]++
		}
	}
	for i := range scores {
		s := &scores[i]
		nm, ne := len(months[s.Unit]), events[s.Unit]
		d := math.Min(r.Deductions.Cap, float64(nm)*r.Deductions.PerBulletin+float64(ne)*r.Deductions.PerOneEvent)
		if d == 0 {
			continue
		}
		s.Deductions = d
		if nm > 0 {
			s.DeductionNotes = append(s.DeductionNotes, fmt.Sprintf("%d 个月被通报 × %.4g 分", nm, r.Deductions.PerBulletin))
		}
		if ne > 0 {
			s.DeductionNotes = append(s.DeductionNotes, fmt.Sprintf("一事一通报 %d 件 × %.4g 分", ne, r.Deductions.PerOneEvent))
		}
		if d == r.Deductions.Cap {
			s.DeductionNotes = append(s.DeductionNotes, fmt.Sprintf("封顶 %.4g 分", r.Deductions.Cap))
		}
		if s.Assessed {
			s.Score, s.Low, s.High = round(math.Max(0, s.Score-d), 2), round(math.Max(0, s.Low-d), 2), round(math.Max(0, s.High-d), 2)
		}
	}
}

// monthlyBulletins names units month by month: 三访, the lowest monthly
// scores, 积案 over the threshold, and the 一事一通报 items; a unit named in
// two consecutive months must write a 书面检查.
func monthlyBulletins(in *inputs, r *Rubric) []Bulletin {
	names := map[string]string{}
	for _, u := range in.Units {
		names[u.Code] = u.Name
	}
	var out []Bulletin
	named := map[int]map[string]bool{}
	for m := 1; m <= in.Months; m++ {
		named[m] = map[string]bool{}
		add := func(unit, reason, detail, caseID string) {
			out = append(out, Bulletin{Year: in.Year, Month: m, Unit: unit, Name: names[unit], Reason: reason, Detail: detail,
				CaseID: caseID, RubricVersion: r.Version})
			named[m][unit] = true
		}
		for _, u := range in.Units {
			if t := in.three[u.Code]; t != nil && t[m] > 0 {
				add(u.Code, "three_visits", fmt.Sprintf("本月三访 %.0f 件", t[m]), "")
			}
		}
		scores := scorePeriod(in, r, m, m, m)
		rank(scores)
		sort.Slice(scores, func(i, j int) bool { return scores[i].Rank > scores[j].Rank })
		ranked := 0
		for _, s := range scores {
			if s.Rank > 0 {
				ranked++
			}
		}
		bottom := 0
		for _, s := range scores {
			if s.Rank == 0 || bottom >= r.Bulletin.Bottom || ranked <= r.Bulletin.Bottom {
				continue
			}
			add(s.Unit, "bottom_score", fmt.Sprintf("月度得分 %.1f，排名 %d/%d", s.Score, s.Rank, ranked), "")
			bottom++
		}
		for _, u := range in.Units {
			if b := in.backlog[u.Code]; b != nil && b[m] > r.Bulletin.BacklogThreshold {
				add(u.Code, "backlog", fmt.Sprintf("月末积案 %.0f 件（超过 %.0f 件）", b[m], r.Bulletin.BacklogThreshold), "")
			}
		}
		for _, e := range in.events {
			if e.Month == m {
				add(e.Unit, "one_event", e.Detail, e.CaseID)
			}
		}
	}
	for i := range out {
		b := &out[i]
		b.WrittenReview = b.Month > 1 && named[b.Month-1][b.Unit]
	}
	return out
}

// Save stores the scores and bulletins; recomputing replaces them.
func Save(ctx context.Context, db *warehouse.DB, res *Result) error {
	now := time.Now()
	batch, err := db.PrepareBatch(ctx, "INSERT INTO "+db.Table("assessment_scores")+
		" (year, month, unit, unit_name, rubric_version, score, score_low, score_high, rank, rank_best, rank_worst, deductions, assessed_weight, met_target, criteria, computed_at)")
	if err != nil {
		return err
	}
	for _, s := range res.Scores {
		crit, err := json.Marshal(s.Criteria)
		if err != nil {
			batch.Abort()
			return err
		}
		score, lo, hi := s.Score, s.Low, s.High
		if !s.Assessed {
			score, lo, hi = math.NaN(), math.NaN(), math.NaN()
		}
		if err := batch.Append(uint16(s.Year), uint8(s.Month), s.Unit, s.Name, s.RubricVersion, score, lo, hi, uint16(s.Rank),
			uint16(s.RankBest), uint16(s.RankWorst), s.Deductions, s.AssessedWeight, s.MetTarget, string(crit), now); err != nil {
			batch.Abort()
			return err
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("storing the scores: %w", err)
	}
	if len(res.Bulletins) == 0 {
		return nil
	}
	batch, err = db.PrepareBatch(ctx, "INSERT INTO "+db.Table("assessment_bulletins")+
		" (year, month, unit, unit_name, reason, detail, case_id, written_review, rubric_version, computed_at)")
	if err != nil {
		return err
	}
	for _, b := range res.Bulletins {
		if err := batch.Append(uint16(b.Year), uint8(b.Month), b.Unit, b.Name, b.Reason, b.Detail, b.CaseID, b.WrittenReview, b.RubricVersion, now); err != nil {
			batch.Abort()
			return err
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("storing the bulletins: %w", err)
	}
	return nil
}

// Stored reads the stored scores of a year (month 0) or a month, ranked.
func Stored(ctx context.Context, db *warehouse.DB, y, m int) ([]UnitScore, error) {
	rows, err := db.Query(ctx, `SELECT unit, unit_name, rubric_version, score, score_low, score_high, rank, rank_best, rank_worst,
			deductions, assessed_weight, met_target, criteria
		FROM `+db.Table("assessment_scores")+` FINAL WHERE year = {y:UInt16} AND month = {m:UInt8}
		ORDER BY rank = 0, rank, unit`, named("y", fmt.Sprint(y)), named("m", fmt.Sprint(m)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UnitScore
	for rows.Next() {
		s := UnitScore{Year: y, Month: m}
		var rk, best, worst uint16
		var crit string
		if err := rows.Scan(&s.Unit, &s.Name, &s.RubricVersion, &s.Score, &s.Low, &s.High, &rk, &best, &worst, &s.Deductions,
			&s.AssessedWeight, &s.MetTarget, &crit); err != nil {
			return nil, err
		}
		s.Rank, s.RankBest, s.RankWorst = int(rk), int(best), int(worst)
		s.Assessed = !math.IsNaN(s.Score)
		if !s.Assessed {
			s.Score, s.Low, s.High = 0, 0, 0
		}
		if err := json.Unmarshal([]byte(crit), &s.Criteria); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// StoredBulletins reads a year's stored bulletins (month 0: all months).
func StoredBulletins(ctx context.Context, db *warehouse.DB, y, m int) ([]Bulletin, error) {
	rows, err := db.Query(ctx, `SELECT month, unit, unit_name, reason, detail, case_id, written_review, rubric_version
		FROM `+db.Table("assessment_bulletins")+` FINAL WHERE year = {y:UInt16} AND ({m:UInt8} = 0 OR month = {m:UInt8})
		ORDER BY month, unit, reason, case_id`, named("y", fmt.Sprint(y)), named("m", fmt.Sprint(m)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Bulletin
	for rows.Next() {
		b := Bulletin{Year: y}
		var month uint8
		if err := rows.Scan(&month, &b.Unit, &b.Name, &b.Reason, &b.Detail, &b.CaseID, &b.WrittenReview, &b.RubricVersion); err != nil {
			return nil, err
		}
		b.Month = int(month)
		out = append(out, b)
	}
	return out, rows.Err()
}

func named(k, v string) any { return clickhouse.Named(k, v) }

// Summary is a one-line description of a result.
func (res *Result) Summary() string {
	period := fmt.Sprintf("%d 年", res.Year)
	if res.Month > 0 {
		period = fmt.Sprintf("%d 年 %d 月", res.Year, res.Month)
	} else if res.Months < 12 {
		period += fmt.Sprintf("（截至 %d 月）", res.Months)
	}
	n := 0
	for _, s := range res.Scores {
		if s.Assessed {
			n++
		}
	}
	return strings.TrimSpace(fmt.Sprintf("%s考核，细则版本 %s：%d 个单位参评，%d 条通报；相邻名次区间重叠 %.0f%%",
		period, res.Rubric.Version, n, len(res.Bulletins), 100*res.Overlap))
}

// StoredResult rebuilds a result from the stored rows of a year (month 0)
// or a month: what was computed then, under the rubric of the time.
func StoredResult(ctx context.Context, db *warehouse.DB, y, m int) (*Result, error) {
	scores, err := Stored(ctx, db, y, m)
	if err != nil {
		return nil, err
	}
	if len(scores) == 0 {
		return nil, nil
	}
	bulletins, err := StoredBulletins(ctx, db, y, m)
	if err != nil {
		return nil, err
	}
	r := &Rubric{Version: scores[0].RubricVersion, Year: y}
	for _, c := range scores[0].Criteria {
		r.Criteria = append(r.Criteria, Criterion{ID: c.ID, Standard: c.Standard, Label: c.Label, Indicator: c.Indicator,
			Weight: c.Weight, Floor: c.Floor, Target: c.Target, Direction: c.Direction})
	}
	return &Result{Year: y, Month: m, Months: 12, Rubric: r, Scores: scores, Bulletins: bulletins, Overlap: Overlap(scores)}, nil
}
