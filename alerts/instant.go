package alerts

import (
	"context"
	"time"

	"xfwatch/ingest"
)

// IngestHook evaluates the instant rules (kinds beijing_abnormal and
// collective) on petitions just stored by ingest, so that a 进京非正常上访
// raises its alert within seconds instead of at the next transform tick.
// The scheduled evaluation finds the same alerts by their dedup key and
// adds nothing. Errors are logged: alerting never holds back ingest.
func (e *Engine) IngestHook() func(ctx context.Context, kind ingest.Kind, rows []ingest.Row) {
	return func(ctx context.Context, kind ingest.Kind, rows []ingest.Row) {
		if kind != ingest.KindPetition || len(rows) == 0 {
			return
		}
		now := time.Now()
		ec, err := e.evalContext(ctx, now)
		if err != nil {
			e.Log.Warn("instant alert rules skipped", "err", err)
			return
		}
		var cands []Candidate
		for _, r := range e.Config.Rules {
			if !isEventKind(r.Kind) {
				continue
			}
			for _, row := range rows {
				if r.Kind == "beijing_abnormal" && !(row.Level == "national" && row.Flag) {
					continue
				}
				if c, ok := petitionCandidate(r, ec.factors, ec.name, row.ID, row.At, row.County, row.Township, row.Category, row.Level, row.Headcount); ok {
					c.Member = hashKey(row.Key)
					cands = append(cands, c)
				}
			}
		}
		if len(cands) == 0 {
			return
		}
		if _, err := e.apply(ctx, now, cands, nil); err != nil {
			e.Log.Warn("instant alerts not recorded; the next transform tick raises them", "err", err)
		}
	}
}
