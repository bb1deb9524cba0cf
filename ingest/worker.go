package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/segmentio/kafka-go"
)

// worker consumes one partition for one generation.
type worker struct {
	c         *Consumer
	gen       *kafka.Generation
	topic     string
	kind      Kind
	partition int
	next      int64 // next offset to read; <0 until known
	conn      *kafka.Conn
	ids       *idSet
	carry     []kafka.Message // read beyond the current batch's end
	fetched   []kafka.Message // the slice fetch fills, reused
	behind    bool            // the last fetch stopped short of the partition's end
	log       *slog.Logger
	partLabel string
}

func (c *Consumer) newWorker(gen *kafka.Generation, topic string, partition int, offset int64) *worker {
	kind, _ := c.cfg.Topics.Kind(topic)
	return &worker{
		c: c, gen: gen, topic: topic, kind: kind, partition: partition, next: offset,
		log:       c.cfg.Logger.With("topic", topic, "partition", partition),
		partLabel: strconv.Itoa(partition),
	}
}

// batch is what a worker holds between inserts.
type batch struct {
	b           *builder
	dlq         []kafka.Message
	added       []uint64
	seen        map[uint64]struct{}
	first, last int64 // offsets covered, first < 0 when empty
	end         int64 // the offset this batch ends at, at the latest
	bytes       int
	started     time.Time
	read, dups  int
	notable     []Row // petitions an instant alert rule may care about
}

func (w *worker) newBatch() *batch {
	return &batch{b: newBuilder(w.kind, w.c.mem), seen: map[uint64]struct{}{}, first: -1}
}

// run consumes until the generation ends or the consumer stops; flushed is
// released once the worker holds nothing unflushed.
func (w *worker) run(genCtx context.Context, flushed *sync.WaitGroup) {
	release := sync.OnceFunc(flushed.Done)
	defer release()
	defer func() {
		if w.conn != nil {
			w.conn.Close()
		}
	}()
	err := w.consume(genCtx)
	var h *HaltError
	switch {
	case errors.As(err, &h):
		w.log.Error("halting", "reason", h.Reason)
		w.c.raiseHalt(h)
		return
	case err != nil:
		w.log.Warn("partition worker stopped", "err", err)
	}
	release()
	// Returning would end the generation for every partition before the
	// others have flushed; wait for the group to close instead.
	select {
	case <-w.c.stopping:
		<-genCtx.Done()
	default:
	}
}

func (w *worker) stopped() bool {
	select {
	case <-w.c.stopping:
		return true
	default:
		return false
	}
}

func (w *worker) consume(genCtx context.Context) error {
	cfg := &w.c.cfg
	b := w.newBatch()
	defer b.b.release()
	backoff := newBackoff(cfg.RetryBackoff, cfg.MaxBackoff)
	for {
		if genCtx.Err() != nil {
			return nil // rebalance: the next owner reads what is not committed
		}
		if w.stopped() {
			return w.drain(genCtx, b)
		}
		if err := w.prepare(genCtx); err != nil {
			w.log.Warn("partition not ready, retrying", "err", err)
			backoff.wait(genCtx, w.c.stopping)
			continue
		}
		// Each fetch waits at most maxFetchWait, so that a stop request or
		// the end of the generation is seen promptly.
		wait := min(cfg.FlushInterval, maxFetchWait)
		if b.first >= 0 {
			wait = max(time.Millisecond, min(wait, cfg.FlushInterval-time.Since(b.started)))
		}
		msgs, err := w.fetch(genCtx, wait)
		if err != nil {
			w.log.Warn("cannot read partition, reconnecting", "err", err)
			w.conn.Close()
			w.conn = nil
			backoff.wait(genCtx, w.c.stopping)
			continue
		}
		backoff.reset()
		fetched := time.Now()
		for i, m := range msgs {
			if b.first >= 0 && m.Offset > b.end {
				w.carry = append(w.carry[:0], msgs[i:]...)
				break
			}
			if err := w.take(b, &m, fetched); err != nil {
				return err
			}
		}
		// The next fetch reuses the slice (growing a new one for each
		// fetch was 2 % of the consumer's CPU); cleared, it holds no
		// record's bytes while the batch is inserted.
		clear(msgs)
		// FlushInterval bounds a batch's age only once the worker has read
		// to the partition's end: while it catches up, records are waiting
		// anyway, and cutting batches by time made them small (88 inserts
		// of 11,000 rows for 1M records instead of 42 of 24,000; the
		// engine's CPU a record 12.9 → 7.3 µs, `xfwatch bench`).
		age := time.Since(b.started)
		full := b.first >= 0 && (b.last >= b.end || b.bytes >= cfg.BatchBytes ||
			age >= cfg.FlushInterval && !w.behind || age >= cfg.CatchUpInterval)
		if full {
			if err := w.flush(genCtx, b, genCtx.Done()); err != nil {
				return err
			}
			b.b.release()
			b = w.newBatch()
		}
	}
}

// maxFetchWait bounds one fetch's wait for new records.
const maxFetchWait = 250 * time.Millisecond

// maxFetchBytes bounds one fetch: its records are all in memory until the
// batch takes them. Fetching up to the batch's 16 MiB kept up to about
// 100 MB of record values alive across six partitions and put the ingest
// process's peak RSS at 453–509 MB (`xfwatch bench`, 1M records); 4 MiB
// gave 395–423 MB with no more CPU a record; 1–2 MiB cut batches smaller
// and cost the engine more.
const maxFetchBytes = 4 << 20

// prepare connects to the partition leader and loads the ids stored for the
// partition, once per generation.
func (w *worker) prepare(ctx context.Context) error {
	if w.ids == nil {
		ids, err := w.loadIDs(ctx)
		if err != nil {
			return err
		}
		w.ids = ids
	}
	if w.conn != nil {
		return nil
	}
	var conn *kafka.Conn
	var err error
	for _, addr := range w.c.cfg.Brokers {
		if conn, err = w.c.cfg.Dialer.DialLeader(ctx, "tcp", addr, w.topic, w.partition); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("cannot reach the leader of %s/%d: %w", w.topic, w.partition, err)
	}
	if w.next < 0 {
		first, err := conn.ReadFirstOffset()
		if err != nil {
			conn.Close()
			return err
		}
		w.next = first
	}
	if _, err := conn.Seek(w.next, kafka.SeekAbsolute); err != nil {
		conn.Close()
		if errors.Is(err, kafka.OffsetOutOfRange) {
			w.log.Warn("committed offset no longer in the log; starting from the earliest kept", "offset", w.next)
			w.next = -1
		}
		return err
	}
	w.carry = w.carry[:0]
	w.conn = conn
	return nil
}

func (w *worker) loadIDs(ctx context.Context) (*idSet, error) {
	idCol := [...]string{"case_id", "order_id", "event_id", "report_id"}[w.kind]
	db := w.c.db
	rows, err := db.Query(ctx, "SELECT cityHash64("+idCol+") FROM "+db.Table(w.kind.Table())+
		" WHERE topic = {t:String} AND partition = {p:Int32}",
		clickhouse.Named("t", w.topic), clickhouse.Named("p", strconv.Itoa(w.partition)))
	if err != nil {
		return nil, fmt.Errorf("cannot load the ids stored for %s/%d: %w", w.topic, w.partition, err)
	}
	defer rows.Close()
	var hashes []uint64
	for rows.Next() {
		var h uint64
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		hashes = append(hashes, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return newIDSet(hashes), nil
}

// fetch returns the carried-over messages, or reads a batch from the
// partition, waiting at most maxWait for records to arrive.
func (w *worker) fetch(ctx context.Context, maxWait time.Duration) ([]kafka.Message, error) {
	if len(w.carry) > 0 {
		msgs := append(w.fetched[:0], w.carry...)
		w.fetched = msgs
		clear(w.carry)
		w.carry = w.carry[:0]
		w.behind = true
		return msgs, nil
	}
	batch := w.conn.ReadBatchWith(kafka.ReadBatchConfig{MinBytes: 1, MaxBytes: min(w.c.cfg.BatchBytes, maxFetchBytes), MaxWait: maxWait})
	msgs := w.fetched[:0]
	for {
		m, err := batch.ReadMessage()
		if err != nil {
			break
		}
		msgs = append(msgs, m)
	}
	w.fetched = msgs
	err := batch.Close()
	hwm := batch.HighWaterMark()
	if hwm > 0 {
		w.c.cfg.Metrics.Lag.WithLabelValues(w.topic, w.partLabel).Set(float64(hwm - w.next))
	}
	w.behind = len(msgs) > 0 && msgs[len(msgs)-1].Offset+1 < hwm
	if err != nil && !errors.Is(err, io.EOF) && !isTimeout(err) && len(msgs) == 0 {
		return nil, err
	}
	return msgs, ctx.Err()
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout() || errors.Is(err, kafka.RequestTimedOut)
}

// take adds one message to the batch: a row, a duplicate skipped, or a
// rejected record for the DLQ.
func (w *worker) take(b *batch, m *kafka.Message, fetched time.Time) error {
	if b.first < 0 {
		n := int64(w.c.cfg.BatchRecords)
		b.first, b.started = m.Offset, fetched
		b.end = (m.Offset/n+1)*n - 1
	}
	b.last = m.Offset
	b.bytes += len(m.Value)
	b.read++
	row, rej := w.c.decoder.Load().DecodeAt(w.kind, m.Value, fetched)
	if rej != nil {
		b.dlq = append(b.dlq, dlqMessage(m, rej, w.c.sealer))
		if h := w.c.bad.observe(true); h != nil {
			return h
		}
		return nil
	}
	if h := w.c.bad.observe(false); h != nil {
		return h
	}
	h := idHash(row.ID)
	if _, dup := b.seen[h]; dup || w.ids.has(h) {
		b.dups++
		return nil
	}
	b.seen[h] = struct{}{}
	b.added = append(b.added, h)
	b.b.add(&row, w.topic, int32(w.partition), m.Offset)
	if w.c.cfg.AfterInsert != nil && w.kind == KindPetition && (row.Level == "national" || row.Headcount >= 5) {
		row.Text, row.Subject = "", ""
		b.notable = append(b.notable, row)
	}
	return nil
}

// drain flushes what the worker holds after a stop request.
func (w *worker) drain(genCtx context.Context, b *batch) error {
	if b.first < 0 {
		return nil
	}
	deadline := time.After(w.c.cfg.DrainTimeout)
	giveUp := make(chan struct{})
	go func() {
		select {
		case <-deadline:
		case <-genCtx.Done():
		}
		close(giveUp)
	}()
	return w.flush(genCtx, b, giveUp)
}

// flush stores the batch, sends its rejects to the DLQ and commits the
// offsets after the last record, in that order, retrying each step in place
// until it succeeds or giveUp closes. Nothing is committed before the
// warehouse acknowledged the rows.
func (w *worker) flush(genCtx context.Context, b *batch, giveUp <-chan struct{}) error {
	cfg := &w.c.cfg
	main, texts := b.b.records()
	defer main.Release()
	defer texts.Release()
	token := fmt.Sprintf("%s-%d-%d-%d", w.topic, w.partition, b.first, b.last)
	table := w.kind.Table()
	steps := []struct {
		name string
		do   func(ctx context.Context) error
	}{
		{"insert " + table, func(ctx context.Context) error {
			start := time.Now()
			if err := insertRecord(ctx, w.c.db, table, main, token); err != nil {
				cfg.Metrics.InsertErrors.WithLabelValues(table).Inc()
				return err
			}
			if main.NumRows() > 0 {
				cfg.Metrics.InsertSeconds.WithLabelValues(table).Observe(time.Since(start).Seconds())
				cfg.Metrics.BatchRows.WithLabelValues(table).Observe(float64(main.NumRows()))
			}
			return nil
		}},
		{"insert restricted_texts", func(ctx context.Context) error {
			return insertRecord(ctx, w.c.db, "restricted_texts", texts, token+"-texts")
		}},
		{"send rejects to the DLQ", func(ctx context.Context) error {
			if len(b.dlq) == 0 {
				return nil
			}
			return w.c.dlq.WriteMessages(ctx, b.dlq...)
		}},
		{"commit", func(ctx context.Context) error {
			return w.gen.CommitOffsets(map[string]map[int]int64{w.topic: {w.partition: b.last + 1}})
		}},
	}
	backoff := newBackoff(cfg.RetryBackoff, cfg.MaxBackoff)
	for _, step := range steps {
		for attempt := 1; ; attempt++ {
			// An insert in flight is not cancelled by a rebalance: the
			// worker returns only once it knows whether the rows landed.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(genCtx), 2*time.Minute)
			err := step.do(ctx)
			cancel()
			if err == nil {
				break
			}
			w.log.Warn("batch step failed; retrying in place", "step", step.name, "token", token, "attempt", attempt, "err", err)
			if !backoff.wait(nil, giveUp) {
				return fmt.Errorf("gave up on %s of batch %s: %w", step.name, token, err)
			}
		}
		backoff.reset()
	}
	for _, h := range b.added {
		w.ids.add(h)
	}
	w.next = b.last + 1
	inserted := main.NumRows()
	cfg.Metrics.Records.WithLabelValues(w.topic, "read").Add(float64(b.read))
	cfg.Metrics.Records.WithLabelValues(w.topic, "inserted").Add(float64(inserted))
	cfg.Metrics.Records.WithLabelValues(w.topic, "duplicate").Add(float64(b.dups))
	cfg.Metrics.Records.WithLabelValues(w.topic, "dlq").Add(float64(len(b.dlq)))
	w.recordBatch(table, b, inserted, token)
	if len(b.notable) > 0 {
		cfg.AfterInsert(context.WithoutCancel(genCtx), w.kind, b.notable)
	}
	return nil
}

// recordBatch notes the batch in ingest_batches, for operators; it is not
// part of the delivery guarantee, so a failure is only logged.
func (w *worker) recordBatch(table string, b *batch, inserted int64, token string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db := w.c.db
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"insert_deduplication_token": token}))
	bt, err := db.PrepareInsert(ctx, "ingest_batches",
		"table", "topic", "partition", "first_offset", "last_offset", "rows", "duplicates", "token", "inserted_at")
	if err == nil {
		defer bt.Abort()
		if err = bt.Append(table, w.topic, int32(w.partition), b.first, b.last, uint32(inserted), uint32(b.dups), token, time.Now()); err == nil {
			err = bt.Send()
		}
	}
	if err != nil {
		w.log.Debug("cannot record batch in ingest_batches", "token", token, "err", err)
	}
}

// backoff waits doubling intervals.
type backoff struct{ cur, min, max time.Duration }

func newBackoff(min, max time.Duration) *backoff { return &backoff{cur: min, min: min, max: max} }

func (b *backoff) reset() { b.cur = b.min }

// wait sleeps; it returns false if ctx ends or stop closes first.
func (b *backoff) wait(ctx context.Context, stop <-chan struct{}) bool {
	t := time.NewTimer(b.cur)
	defer t.Stop()
	b.cur = min(b.cur*2, b.max)
	var done <-chan struct{}
	if ctx != nil {
		done = ctx.Done()
	}
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	case <-stop:
		return false
	}
}
