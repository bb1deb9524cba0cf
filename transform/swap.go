package transform

import "time"

// swapMonth is the statements that put the staging twin's rows of month m
// in the place of target's: the month's partition dropped, then the twin's
// attached.
//
// Not REPLACE PARTITION, which does it in one statement: in chDB 26.5.3
// (ClickHouse issue 107605, fixed upstream by pull request 107623) it
// leaves the replaced parts on disk with no part covering them, and an
// engine restarted before their cleanup (old_parts_lifetime, 8 minutes)
// loads them as active again. With a tick every minute that was every
// restart: each monthly table's month came back holding its rows once for
// every tick of the last minutes, and a Trailing run, which copies the
// month's earlier days from the table, kept the copies for good (seen on
// the probe warehouse: risk_daily's first days of December 3,240 times
// over after a few restarts). DROP PARTITION covers the dropped parts with
// an empty part on disk, so a restart finds them outdated.
//
// The cost: between the two statements (a few ms) a reader sees the month
// empty, and an engine stopped between them leaves it empty until a run
// computes it again, which the next tick does for its months; a Trailing
// transform marks its state interrupted before it swaps (trailing.go, and
// markSwapping in Runner.run), so that run is a full one.
func swapMonth(target, staging string, m time.Time) []string {
	id := m.Format("200601")
	return []string{
		"ALTER TABLE " + target + " DROP PARTITION ID '" + id + "'",
		"ALTER TABLE " + target + " ATTACH PARTITION ID '" + id + "' FROM " + staging,
	}
}
