package transform

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Scheduler runs every transform group on interval-aligned ticks, like a
// rule group: the tick at T evaluates the data as of T − Delay (late
// records have Delay to arrive) and recomputes the months touching the last
// RecomputeDays days. A tick that starts more than one interval late counts
// the ticks it skipped.
type Scheduler struct {
	Runner        *Runner
	Every         time.Duration // 1m
	Delay         time.Duration // 30s
	RecomputeDays int           // 2: today and yesterday
	Now           func() time.Time
	Log           *slog.Logger
	// After, if set, runs after each tick's transforms with the tick's
	// evaluation instant (the alert rules hook in here).
	After func(ctx context.Context, asOf time.Time) error
	// Lanes is how many transforms a tick runs at once (2; backfills run
	// one at a time), each as soon as the transforms whose tables it reads
	// are done, and one incremental run at a time.
	Lanes int
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Scheduler) loc() *time.Location {
	loc, err := time.LoadLocation(s.Runner.Config.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// localDay is the calendar day of t in the city, as a UTC midnight.
func (s *Scheduler) localDay(t time.Time) time.Time {
	l := t.In(s.loc())
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// Report is what one tick or backfill did.
type Report struct {
	RunID   string
	Results []Result
	Elapsed time.Duration
}

// Tick runs every group once for the tick scheduled at t.
func (s *Scheduler) Tick(ctx context.Context, t time.Time, missed int, dryRun bool) (Report, error) {
	eval := t.Add(-s.Delay)
	asOf := s.localDay(eval)
	days := max(1, s.RecomputeDays)
	from := asOf.AddDate(0, 0, -(days - 1))
	lanes := s.Lanes
	if lanes == 0 {
		lanes = 2
	}
	rep, err := s.run(ctx, All, from, asOf, asOf, t, missed, dryRun, !dryRun, nil, lanes)
	if err == nil && !dryRun && s.After != nil {
		err = s.After(ctx, eval)
	}
	return rep, err
}

// Backfill recomputes [from, to] month by month, oldest first, then the
// whole-table state as of to; progress goes to w (a terminal gets a bar).
func (s *Scheduler) Backfill(ctx context.Context, from, to time.Time, dryRun bool, w io.Writer) (Report, error) {
	return s.run(ctx, All, from, to, to, s.now(), 0, dryRun, false, w, 1)
}

func (s *Scheduler) run(ctx context.Context, transforms []Transform, from, to, asOf, scheduled time.Time, missed int, dryRun, incremental bool,
	progress io.Writer, lanes int) (Report, error) {
	rep := Report{RunID: uuid.NewString()}
	start := time.Now()
	months := monthsOf(from, to)
	// Transform by transform, in dependency order, each over the whole
	// window: a month's risk sees every month's flags and weekly CUSUM
	// before it. One lane runs the whole-table state first, since monthly
	// transforms read it; lanes start each transform after those whose
	// tables it reads, in the order of All (petition_flags early: risk_daily
	// and repeat_monthly wait for it).
	order := slices.DeleteFunc(slices.Clone(transforms), func(t Transform) bool { return t.Scope == Monthly && len(months) == 0 })
	if lanes == 1 {
		slices.SortStableFunc(order, func(a, b Transform) int { return cmp.Compare(b.Scope, a.Scope) }) // Whole first
	}
	steps := len(order)
	var mu sync.Mutex          // guards done, rep.Results and the bar
	var records sync.WaitGroup // the runs' transform_runs rows being written
	done := 0
	bar := newProgress(progress, steps)
	runOne := func(t Transform) error {
		f, tt := from, to
		if t.Scope == Monthly {
			f, tt = months[0], months[len(months)-1].AddDate(0, 1, -1)
		}
		mu.Lock()
		bar.show(done, t.Name)
		mu.Unlock()
		began := time.Now()
		run := s.Runner.Run
		if incremental {
			run = func(ctx context.Context, t Transform, f, tt, asOf time.Time, _ bool) (Result, error) {
				return s.Runner.RunIncremental(ctx, t, f, tt, asOf)
			}
		}
		res, err := run(ctx, t, f, tt, asOf, dryRun)
		if !dryRun {
			// Recorded beside the next transform, not before it: the tick
			// waits for the records at its end.
			finished := time.Now()
			records.Add(1)
			go func() {
				defer records.Done()
				s.record(ctx, rep.RunID, t, f, tt, scheduled, began, finished, res.Rows, missed, err)
			}()
		}
		mu.Lock()
		defer mu.Unlock()
		done++
		if err != nil {
			return err
		}
		rep.Results = append(rep.Results, res)
		return nil
	}
	err := runLanes(order, max(1, lanes), runOne)
	records.Wait()
	if err != nil {
		return rep, err
	}
	bar.finish(steps)
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// runLanes runs the transforms, in order, up to lanes at once: each when
// the transforms before it whose tables it reads have ended, and an
// incremental one only while no other runs (they share transform_dirty;
// the Runner enforces it too). The first error stops it starting more; it
// returns once the running ones end.
func runLanes(order []Transform, lanes int, run func(Transform) error) error {
	reads := dependencies(order)
	var mu sync.Mutex
	wake := sync.NewCond(&mu)
	ended := map[string]bool{}
	started := make([]bool, len(order))
	running, incRunning := 0, false
	var firstErr error
	mu.Lock()
	defer mu.Unlock()
	for len(ended) < len(order) && (firstErr == nil || running > 0) {
		next := -1
		if firstErr == nil && running < lanes {
		pick:
			for i, t := range order {
				if started[i] || (t.Incremental != nil && incRunning) {
					continue
				}
				for _, d := range reads[t.Name] {
					if !ended[d] {
						continue pick
					}
				}
				next = i
				break
			}
		}
		if next < 0 {
			wake.Wait()
			continue
		}
		t := order[next]
		started[next] = true
		running++
		inc := t.Incremental != nil
		incRunning = incRunning || inc
		go func() {
			err := run(t)
			mu.Lock()
			running--
			if inc {
				incRunning = false
			}
			ended[t.Name] = true
			if err != nil && firstErr == nil {
				firstErr = err
			}
			wake.Broadcast()
			mu.Unlock()
		}()
	}
	return firstErr
}

// tableRef finds the tables a transform's SQL names: {{.DB}}.name.
var tableRef = regexp.MustCompile(`\{\{\.DB\}\}\.(\w+)`)

// dependencies maps each transform to the transforms before it in order
// whose tables its SQL (or its dirty-key SQL) reads.
func dependencies(order []Transform) map[string][]string {
	deps := map[string][]string{}
	for i, t := range order {
		text := t.SQL
		if t.Incremental != nil {
			text += t.Incremental.Dirty + t.Incremental.Span
		}
		names := map[string]bool{}
		for _, m := range tableRef.FindAllStringSubmatch(text, -1) {
			names[m[1]] = true
		}
		for _, u := range order[:i] {
			if names[u.Name] {
				deps[t.Name] = append(deps[t.Name], u.Name)
			}
		}
	}
	return deps
}

// record writes a transform_runs row; failing to is logged, not fatal.
func (s *Scheduler) record(ctx context.Context, runID string, t Transform, from, to, scheduled, began, finished time.Time, rows uint64, missed int, runErr error) {
	db := s.Runner.DB
	msg := ""
	if runErr != nil {
		msg = runErr.Error()
	}
	b, err := db.PrepareInsert(context.WithoutCancel(ctx), "transform_runs", "run_id", "group", "transform", "window_from", "window_to",
		"scheduled_for", "started_at", "finished_at", "rows", "missed_runs", "error")
	if err == nil {
		defer b.Abort()
		if err = b.Append(runID, t.Group, t.Name, from, to, scheduled, began, finished, rows, uint32(missed), msg); err == nil {
			err = b.Send()
		}
	}
	if err != nil && s.Log != nil {
		s.Log.Warn("cannot record transform run", "transform", t.Name, "err", err)
	}
}

// Loop runs ticks aligned to multiples of Every until ctx ends. A run that
// overruns skips the ticks it missed and says how many.
func (s *Scheduler) Loop(ctx context.Context) error {
	if s.Every <= 0 {
		return fmt.Errorf("transform interval must be positive")
	}
	next := s.now().Truncate(s.Every).Add(s.Every)
	for {
		wait := time.Until(next)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		var missed int
		next, missed = catchUp(s.now(), next, s.Every)
		rep, err := s.Tick(ctx, next, missed, false)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.Log.Error("transform tick failed; the next tick retries", "scheduled", next, "err", err)
		} else {
			var rows uint64
			for _, r := range rep.Results {
				rows += r.Rows
			}
			s.Log.Info("transform tick", "scheduled", next.Format(time.RFC3339), "missed", missed, "rows", rows, "elapsed", rep.Elapsed.Round(time.Millisecond))
		}
		next = next.Add(s.Every)
	}
}

// catchUp returns the tick to run when the clock reads now and the tick
// due was next: next itself, or the latest aligned tick if now is one or
// more whole intervals past it, with the number of ticks skipped.
func catchUp(now, next time.Time, every time.Duration) (time.Time, int) {
	late := now.Sub(next)
	if late < every {
		return next, 0
	}
	missed := int(late / every)
	return next.Add(time.Duration(missed) * every), missed
}

// progress draws a bar on a terminal, or prints a line per step elsewhere.
type progressBar struct {
	w     io.Writer
	tty   bool
	total int
}

func newProgress(w io.Writer, total int) *progressBar {
	return &progressBar{w: w, tty: isTerminal(w), total: total}
}

func (p *progressBar) show(done int, what string) {
	if p.w == nil {
		return
	}
	if !p.tty {
		fmt.Fprintf(p.w, "[%d/%d] %s\n", done+1, p.total, what)
		return
	}
	const width = 30
	filled := width * done / max(1, p.total)
	fmt.Fprintf(p.w, "\r[%s%s] %3d%% %-40s", strings.Repeat("█", filled), strings.Repeat("░", width-filled), 100*done/max(1, p.total), what)
}

func (p *progressBar) finish(total int) {
	if p.w != nil && p.tty {
		p.show(total-1, "done")
		fmt.Fprintln(p.w)
	}
}
