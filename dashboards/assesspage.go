package dashboards

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"xfwatch/assess"
)

type assessView struct {
	pageBase
	Year, Month   int
	Years, Months []choice
	Res           *assess.Result
	Scores        []assess.UnitScore
	Bulletins     []assess.Bulletin
	Chart         *Chart
	Exports       []choice
	CanCompute    bool
}

// shippedRubrics are the rubrics built into xfwatch, read once.
var shippedRubrics = sync.OnceValues(func() (assess.Rubrics, error) { return assess.LoadRubrics("") })

// rubricSet is the rubrics the pages score with: Config.Rubrics, or the
// shipped ones.
func (s *Server) rubricSet() (assess.Rubrics, error) {
	if s.cfg.Rubrics != nil {
		return s.cfg.Rubrics, nil
	}
	return shippedRubrics()
}

// assessYM reads year and month (0: the annual scores) from the query; the
// year is by default the one the rubrics make current (Rubrics.CurrentYear:
// in January, before the new year's rubric, the year just ended).
func (s *Server) assessYM(r *http.Request) (int, int, error) {
	rubrics, err := s.rubricSet()
	if err != nil {
		return 0, 0, err
	}
	y, m := rubrics.CurrentYear(time.Now()), 0
	if q := r.URL.Query().Get("year"); q != "" {
		v, err := strconv.Atoi(q)
		if err != nil || v < 2000 || v > 2100 {
			return 0, 0, badf("year=%q: give a year such as %d", q, time.Now().Year())
		}
		y = v
	}
	if q := r.URL.Query().Get("month"); q != "" {
		v, err := strconv.Atoi(q)
		if err != nil || v < 0 || v > 12 {
			return 0, 0, badf("month=%q: give 1 to 12, or leave it out for the year", q)
		}
		m = v
	}
	return y, m, nil
}

// scoped keeps the units in the viewer's region.
func (s *Server) scopedScores(u *User, res *assess.Result) ([]assess.UnitScore, []assess.Bulletin) {
	if u.Region == "" {
		return res.Scores, res.Bulletins
	}
	var sc []assess.UnitScore
	for _, x := range res.Scores {
		if strings.HasPrefix(s.ref.unitRegion(x.Unit), u.Region) {
			sc = append(sc, x)
		}
	}
	var bl []assess.Bulletin
	for _, b := range res.Bulletins {
		if strings.HasPrefix(s.ref.unitRegion(b.Unit), u.Region) {
			bl = append(bl, b)
		}
	}
	return sc, bl
}

// assessPage is 考核: the ranking with intervals, the 通报, exports.
func (s *Server) assessPage(rp *reply, r *http.Request, ss *session) error {
	y, m, err := s.assessYM(r)
	if err != nil {
		return err
	}
	v := &assessView{pageBase: s.base(ss, "考核"), Year: y, Month: m, CanCompute: ss.user.Region == ""}
	for yy := time.Now().Year(); yy >= time.Now().Year()-4; yy-- {
		v.Years = append(v.Years, choice{strconv.Itoa(yy), fmt.Sprintf("%d 年", yy), yy == y})
	}
	v.Months = append(v.Months, choice{"0", "全年", m == 0})
	for mm := 1; mm <= 12; mm++ {
		v.Months = append(v.Months, choice{strconv.Itoa(mm), fmt.Sprintf("%d 月", mm), mm == m})
	}
	res, err := assess.StoredResult(r.Context(), s.db, y, m)
	if err != nil {
		return err
	}
	if res != nil {
		v.Res = res
		v.Scores, v.Bulletins = s.scopedScores(ss.user, res)
		var ranked []RankedScore
		for _, x := range v.Scores {
			if x.Rank > 0 {
				ranked = append(ranked, RankedScore{Name: x.Name, Score: x.Score, Low: x.Low, High: x.High, Rank: x.Rank, Best: x.RankBest, Worst: x.RankWorst})
			}
		}
		c := RankingChart(fmt.Sprintf("%d 年%s考核得分与 90%% 区间", y, monthLabel(m)), ranked)
		v.Chart = &c
		for _, f := range []string{"xlsx", "csv", "json"} {
			v.Exports = append(v.Exports, choice{fmt.Sprintf("/assess/export?year=%d&month=%d&format=%s", y, m, f), formatLabels[f], false})
		}
	}
	s.render(rp, "assess", v)
	return nil
}

func monthLabel(m int) string {
	if m == 0 {
		return "全年"
	}
	return fmt.Sprintf(" %d 月", m)
}

type unitExplainView struct {
	pageBase
	Year, Month int
	Score       assess.UnitScore
	Bulletins   []assess.Bulletin
}

// assessUnit is "explain my score": each criterion's inputs and points.
func (s *Server) assessUnit(rp *reply, r *http.Request, ss *session) error {
	y, m, err := s.assessYM(r)
	if err != nil {
		return err
	}
	code := r.PathValue("unit")
	rp.object = fmt.Sprintf("assess:%d-%d:%s", y, m, code)
	res, err := assess.StoredResult(r.Context(), s.db, y, m)
	if err != nil {
		return err
	}
	if res == nil {
		return errNotFound
	}
	scores, bulletins := s.scopedScores(ss.user, res)
	v := &unitExplainView{pageBase: s.base(ss, "得分说明"), Year: y, Month: m}
	found := false
	for _, x := range scores {
		if x.Unit == code {
			v.Score, found = x, true
		}
	}
	if !found {
		return errNotFound
	}
	for _, b := range bulletins {
		if b.Unit == code {
			v.Bulletins = append(v.Bulletins, b)
		}
	}
	s.render(rp, "assessunit", v)
	return nil
}

// assessExport downloads the stored scores as xlsx, csv or json.
func (s *Server) assessExport(rp *reply, r *http.Request, ss *session) error {
	y, m, err := s.assessYM(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	rp.action = "export:assess." + format
	ctype := map[string]string{"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}[format]
	if ctype == "" {
		rp.action = "export:assess"
		return badf("format=%q: use xlsx, csv or json", format)
	}
	res, err := assess.StoredResult(r.Context(), s.db, y, m)
	if err != nil {
		return err
	}
	if res == nil {
		return errNotFound
	}
	res.Scores, res.Bulletins = s.scopedScores(ss.user, res)
	var buf bytes.Buffer
	if err := res.Write(&buf, format); err != nil {
		return err
	}
	rp.header.Set("Content-Type", ctype)
	rp.header.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="assessment-%d-%02d.%s"`, y, m, format))
	rp.body.Write(buf.Bytes())
	return nil
}

// assessCompute recomputes and stores a year's or month's scores.
func (s *Server) assessCompute(rp *reply, r *http.Request, ss *session) error {
	y, err := strconv.Atoi(r.PostFormValue("year"))
	if err != nil {
		return badf("year: give a year")
	}
	m, _ := strconv.Atoi(r.PostFormValue("month"))
	rp.object = fmt.Sprintf("assess:%d-%d", y, m)
	if ss.user.Region != "" {
		return errForbidden // scores rank every unit: a city-wide task
	}
	rubrics, err := s.rubricSet()
	if err != nil {
		return err
	}
	res, err := assess.Compute(r.Context(), s.db, rubrics, y, m, time.Now())
	if err != nil {
		return badf("%v", err)
	}
	if err := assess.Save(r.Context(), s.db, res); err != nil {
		return err
	}
	rp.detail = res.Summary()
	rp.status = http.StatusSeeOther
	rp.header.Set("Location", fmt.Sprintf("/assess?year=%d&month=%d", y, m))
	return nil
}
