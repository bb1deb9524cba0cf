package assess

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/xuri/excelize/v2"
)

// Write writes a result as table, csv, xlsx or json.
func (res *Result) Write(w io.Writer, format string) error {
	switch format {
	case "table", "":
		return res.table(w)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res.jsonView())
	case "csv":
		if _, err := io.WriteString(w, "\ufeff"); err != nil { // BOM: Excel reads the file as UTF-8
			return err
		}
		cw := csv.NewWriter(w)
		cw.Write(rankingHeader(res))
		for _, s := range res.Scores {
			cw.Write(toStrings(rankingRow(res, s)))
		}
		cw.Flush()
		return cw.Error()
	case "xlsx":
		b, err := res.XLSX()
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	return fmt.Errorf("--format %q: use table, csv, xlsx or json", format)
}

type jsonResult struct {
	Year          int         `json:"year"`
	Month         int         `json:"month"`
	MonthsCovered int         `json:"months_covered"`
	RubricVersion string      `json:"rubric_version"`
	Overlap       float64     `json:"rank_interval_overlap"`
	Scores        []UnitScore `json:"scores"`
	Bulletins     []Bulletin  `json:"bulletins"`
}

func (res *Result) jsonView() jsonResult {
	out := jsonResult{Year: res.Year, Month: res.Month, MonthsCovered: res.Months, RubricVersion: res.Rubric.Version,
		Overlap: round(res.Overlap, 4), Scores: res.Scores, Bulletins: res.Bulletins}
	if out.Bulletins == nil {
		out.Bulletins = []Bulletin{}
	}
	return out
}

func rankingHeader(res *Result) []string {
	h := []string{"名次", "名次区间", "单位代码", "单位", "得分", "区间下限", "区间上限", "扣分", "参评权重", "达标"}
	if res.Month == 0 {
		h = append(h, "表彰资格")
	}
	for _, c := range res.Rubric.Criteria {
		h = append(h, c.Label+"（得分）")
	}
	return append(h, "细则版本")
}

// rankingRow is a unit's row: numbers as numbers, "未评估" where a
// criterion or the unit has no data.
func rankingRow(res *Result, s UnitScore) []any {
	row := []any{}
	if s.Rank > 0 {
		row = append(row, s.Rank, fmt.Sprintf("%d-%d", s.RankBest, s.RankWorst))
	} else {
		row = append(row, "", "")
	}
	row = append(row, s.Unit, s.Name)
	if s.Assessed {
		row = append(row, s.Score, s.Low, s.High)
	} else {
		row = append(row, "未评估", "", "")
	}
	row = append(row, s.Deductions, s.AssessedWeight, yes(s.MetTarget))
	if res.Month == 0 {
		row = append(row, yes(s.Commendable))
	}
	for _, c := range s.Criteria {
		if c.Assessed {
			row = append(row, c.Points)
		} else {
			row = append(row, "未评估")
		}
	}
	return append(row, s.RubricVersion)
}

func yes(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

func toStrings(row []any) []string {
	out := make([]string, len(row))
	for i, v := range row {
		out[i] = fmt.Sprint(v)
	}
	return out
}

func (res *Result) table(w io.Writer) error {
	fmt.Fprintln(w, res.Summary())
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "名次\t区间\t单位\t得分\t90%区间\t扣分\t达标\t未评估的指标")
	for _, s := range res.Scores {
		var missing []string
		for _, c := range s.Criteria {
			if !c.Assessed {
				missing = append(missing, c.Label)
			}
		}
		if !s.Assessed {
			fmt.Fprintf(tw, "-\t-\t%s\t未评估\t\t\t\t%s\n", s.Name, strings.Join(missing, "、"))
			continue
		}
		fmt.Fprintf(tw, "%d\t%d-%d\t%s\t%.1f\t%.1f-%.1f\t%.4g\t%s\t%s\n", s.Rank, s.RankBest, s.RankWorst, s.Name, s.Score, s.Low, s.High,
			s.Deductions, yes(s.MetTarget), strings.Join(missing, "、"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(res.Bulletins) > 0 {
		fmt.Fprintln(w, "\n通报")
		for _, b := range res.Bulletins {
			flag := ""
			if b.WrittenReview {
				flag = "（连续两月被通报：须书面检查）"
			}
			fmt.Fprintf(w, "  %d月 %s【%s】%s%s\n", b.Month, b.Name, ReasonLabel[b.Reason], b.Detail, flag)
		}
	}
	return nil
}

// XLSX is the workbook: the ranking, one sheet per criterion, the bulletins;
// Chinese headers, numbers as numbers.
func (res *Result) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	put := func(sheet string, header []string, rows [][]any) error {
		if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		h := make([]any, len(header))
		for i, x := range header {
			h[i] = x
		}
		if err := sw.SetRow("A1", h); err != nil {
			return err
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, r); err != nil {
				return err
			}
		}
		return sw.Flush()
	}
	var ranking [][]any
	for _, s := range res.Scores {
		ranking = append(ranking, rankingRow(res, s))
	}
	if err := put("排名", rankingHeader(res), ranking); err != nil {
		return nil, err
	}
	for j, c := range res.Rubric.Criteria {
		var rows [][]any
		for _, s := range res.Scores {
			cs := s.Criteria[j]
			if !cs.Assessed {
				rows = append(rows, []any{s.Unit, s.Name, "未评估", cs.Note})
				continue
			}
			rows = append(rows, []any{s.Unit, s.Name, cs.K, cs.N, cs.Raw, cs.Current, cs.Previous, cs.Value, cs.Low, cs.High, cs.Points,
				cs.PointsLow, cs.PointsHigh})
		}
		header := []string{"单位代码", "单位", "分子", "分母", "原始值", "本期三访", "上年同期三访", "评分值（收缩后）", "90%下限", "90%上限", "得分", "得分下限", "得分上限"}
		name := sheetName(fmt.Sprintf("%d.%s", j+1, c.Label))
		if err := put(name, header, rows); err != nil {
			return nil, err
		}
	}
	var bl [][]any
	for _, b := range res.Bulletins {
		bl = append(bl, []any{b.Month, b.Unit, b.Name, ReasonLabel[b.Reason], b.Detail, b.CaseID, yes(b.WrittenReview)})
	}
	if err := put("通报", []string{"月份", "单位代码", "单位", "事由", "内容", "信访件", "须书面检查"}, bl); err != nil {
		return nil, err
	}
	f.DeleteSheet("Sheet1")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sheetName fits Excel's 31-character limit and forbidden characters.
func sheetName(s string) string {
	s = strings.NewReplacer("/", "／", "\\", "＼", "?", "？", "*", "＊", "[", "【", "]", "】", ":", "：").Replace(s)
	r := []rune(s)
	if len(r) > 31 {
		r = r[:31]
	}
	return string(r)
}
