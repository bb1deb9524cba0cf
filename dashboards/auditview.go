package dashboards

import (
	"net/http"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

type auditView struct {
	pageBase
	FilterUser, FilterAction, FilterDay string
	Rows                                []auditEntry
	Limit                               int
}

// auditPage is the auditor's view of audit_log, newest first.
func (s *Server) auditPage(rp *reply, r *http.Request, ss *session) error {
	q := r.URL.Query()
	v := &auditView{pageBase: s.base(ss, "审计日志"), FilterUser: q.Get("user"), FilterAction: q.Get("action"), FilterDay: q.Get("day"), Limit: 1000}
	where := []string{"1"}
	var args []any
	if v.FilterUser != "" {
		where = append(where, "user = {user:String}")
		args = append(args, clickhouse.Named("user", v.FilterUser))
	}
	if v.FilterAction != "" {
		where = append(where, "startsWith(action, {action:String})")
		args = append(args, clickhouse.Named("action", v.FilterAction))
	}
	if v.FilterDay != "" {
		if _, err := time.Parse(time.DateOnly, v.FilterDay); err != nil {
			return badf("day=%q: give YYYY-MM-DD", v.FilterDay)
		}
		where = append(where, "toDate(at, 'Asia/Shanghai') = {day:Date}")
		args = append(args, clickhouse.Named("day", v.FilterDay))
	}
	rows, err := s.db.Query(r.Context(), `SELECT at, user, role, action, object, outcome, detail, remote_addr FROM `+s.db.Table("audit_log")+`
		WHERE `+strings.Join(where, " AND ")+` ORDER BY at DESC LIMIT 1000`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e auditEntry
		if err := rows.Scan(&e.At, &e.User, &e.Role, &e.Action, &e.Object, &e.Outcome, &e.Detail, &e.RemoteAddress); err != nil {
			return err
		}
		v.Rows = append(v.Rows, e)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	s.render(rp, "audit", v)
	return nil
}
