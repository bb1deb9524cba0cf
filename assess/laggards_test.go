package assess_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"xfwatch/assess"
	"xfwatch/internal/pipelinetest"
	"xfwatch/warehouse/whtest"
)

// TestLaggardsRankAtTheBottom runs the pipeline on 150 generated days and
// scores them with the shipped rubric: the county and the department the
// generator made handle petitions worst (and gave extra 三访) rank last
// among their kind and in the bottom of the city, and their rank intervals
// keep them out of the top half, while closer neighbours' intervals overlap.
func TestLaggardsRankAtTheBottom(t *testing.T) {
	db := whtest.DB(t)
	// The days are fixed: which neighbours' intervals separate depends on
	// the generated days, and with the days ending on the run's date the
	// ranking's margins moved with the calendar (on 2026-10-31 and
	// 2026-11-28 every adjacent pair overlapped, on the days around them
	// all but one).
	end := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	run := pipelinetest.Run(t, db, pipelinetest.Options{Days: 150, Seed: 7, End: end})
	rs, err := assess.LoadRubrics("")
	if err != nil {
		t.Fatal(err)
	}
	now := end
	res, err := assess.Compute(context.Background(), db, rs, now.Year(), 0, now)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	res.Write(&out, "table")
	t.Logf("laggards %v\n%s", run.Truth.Laggards, out.String())
	ranked := 0
	for _, s := range res.Scores {
		if s.Rank > 0 {
			ranked++
		}
	}
	if ranked < 15 {
		t.Fatalf("only %d units ranked", ranked)
	}
	for _, lag := range run.Truth.Laggards {
		var me assess.UnitScore
		for _, s := range res.Scores {
			if s.Unit == lag {
				me = s
			}
		}
		if me.Rank == 0 {
			t.Fatalf("laggard %s not ranked", lag)
		}
		county := strings.HasPrefix(lag, "G")
		for _, s := range res.Scores {
			if s.Rank > me.Rank && strings.HasPrefix(s.Unit, "G") == county {
				t.Errorf("%s (%s, %.1f) ranks below the laggard %s (%.1f)", s.Unit, s.Name, s.Score, lag, me.Score)
			}
		}
		if me.Rank <= ranked*3/4 {
			t.Errorf("laggard %s ranks %d of %d: not in the bottom quarter", lag, me.Rank, ranked)
		}
		// Its interval is the ranks it could take within its score's
		// uncertainty: a laggard this far behind cannot be in the top half.
		if me.RankBest <= ranked/2 || me.RankWorst < me.Rank || me.RankBest > me.Rank {
			t.Errorf("laggard %s ranks %d, interval %d-%d: want an interval round its rank and below the top half", lag, me.Rank, me.RankBest, me.RankWorst)
		}
	}
	t.Logf("adjacent rank intervals overlap in %.0f%% of pairs", 100*res.Overlap)
	if res.Overlap <= 0.5 {
		t.Errorf("overlap %v: most neighbours' scores are within each other's uncertainty, so most adjacent intervals should overlap", res.Overlap)
	}
}
