package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/segmentio/kafka-go"

	"xfwatch/warehouse"
)

// Config of the consumer. Zero values take the defaults in the comments.
type Config struct {
	Brokers []string // bootstrap brokers, required
	Group   string   // consumer group id (xfwatch-ingest)
	Topics  Topics   // topic names (DefaultTopics)
	Dialer  *kafka.Dialer

	// A partition's batch is inserted when it reaches BatchRecords records
	// (50000), BatchBytes bytes of input (24 MiB) or FlushInterval age
	// (250ms), whichever comes first; while the partition holds more
	// records than the worker has read, the age bound is CatchUpInterval
	// (2s) instead. While catching up, batches end at offsets that are
	// multiples of BatchRecords, so a replay cuts the same batches and
	// carries the same deduplication tokens.
	BatchRecords    int
	BatchBytes      int
	FlushInterval   time.Duration
	CatchUpInterval time.Duration

	// Halt on more than MaxBadRatio (0.10) bad records among the last
	// BadWindow (1000), or MaxBadRun (100) bad in a row. A negative value
	// disables that check.
	MaxBadRatio float64
	BadWindow   int
	MaxBadRun   int

	// RetryBackoff (200ms) doubles up to MaxBackoff (10s) while the
	// warehouse or broker is unavailable; the partition is retried in place.
	RetryBackoff, MaxBackoff time.Duration
	// DrainTimeout (30s) bounds the final flush after a stop request.
	DrainTimeout time.Duration
	// ReferenceEvery (5m) reloads region and unit codes.
	ReferenceEvery time.Duration

	Logger  *slog.Logger
	Metrics *Metrics

	// AfterInsert, if set, sees the petitions of each stored batch that an
	// instant alert rule may care about (national, or headcount >= 5), after
	// the warehouse acknowledged them. It must not block for long.
	AfterInsert func(ctx context.Context, kind Kind, rows []Row)
}

func (c *Config) setDefaults() error {
	if len(c.Brokers) == 0 {
		return errors.New("ingest: no Kafka brokers given (--kafka host:9092)")
	}
	if c.Group == "" {
		c.Group = "xfwatch-ingest"
	}
	c.Topics = c.Topics.WithDefaults()
	if c.Dialer == nil {
		c.Dialer = &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true}
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.BatchRecords, 50000)
	// 24 MiB holds 50,000 records of ~400 B, so batches end at the count
	// and the multiple. At 16 MiB the bytes cut them first, at ~40,000 and
	// then ~10,000 to the multiple: inserts of 24,000 rows on average, and
	// the engine spent 7.7–10.0 µs of CPU a record storing them against
	// 6.4–6.7 µs for batches cut by count (`xfwatch bench --ingest-only`,
	// 1M records, runs alternating, 2026-12-07; peak RSS 453–462 MB against
	// 451–455).
	def(&c.BatchBytes, 24<<20)
	def(&c.BadWindow, 1000)
	def(&c.MaxBadRun, 100)
	if c.MaxBadRatio == 0 {
		c.MaxBadRatio = 0.10
	}
	defd := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	defd(&c.FlushInterval, 250*time.Millisecond)
	defd(&c.CatchUpInterval, max(2*time.Second, c.FlushInterval))
	defd(&c.RetryBackoff, 200*time.Millisecond)
	defd(&c.MaxBackoff, 10*time.Second)
	defd(&c.DrainTimeout, 30*time.Second)
	defd(&c.ReferenceEvery, 5*time.Minute)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics(nil)
	}
	return nil
}

// Consumer consumes the record topics into the warehouse.
type Consumer struct {
	cfg     Config
	db      *warehouse.DB
	keyer   *Keyer
	sealer  *Sealer
	decoder atomic.Pointer[Decoder]
	dlq     *kafka.Writer
	bad     *badTracker
	mem     memory.Allocator

	// stopping is closed when Run's context ends: workers flush and commit
	// what they hold, then wait for the group to close.
	stopping chan struct{}
	halt     chan *HaltError
}

// New prepares a consumer; pseudonymKey is the secret of petitioner_key.
func New(cfg Config, db *warehouse.DB, pseudonymKey []byte) (*Consumer, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	keyer, err := NewKeyer(pseudonymKey)
	if err != nil {
		return nil, err
	}
	sealer, err := NewSealer(pseudonymKey)
	if err != nil {
		return nil, err
	}
	c := &Consumer{
		cfg: cfg, db: db, keyer: keyer, sealer: sealer,
		bad:      newBadTracker(cfg.BadWindow, cfg.MaxBadRatio, cfg.MaxBadRun),
		mem:      memory.NewGoAllocator(),
		stopping: make(chan struct{}),
		halt:     make(chan *HaltError, 1),
	}
	c.dlq = &kafka.Writer{
		Addr:         kafka.TCP(cfg.Brokers...),
		Topic:        cfg.Topics.DLQ,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 5 * time.Millisecond,
		Transport:    &kafka.Transport{Dial: cfg.Dialer.DialFunc, TLS: cfg.Dialer.TLS, SASL: cfg.Dialer.SASLMechanism},
	}
	return c, nil
}

// Run consumes until ctx ends (then it flushes and commits what it holds)
// or the input is found broken (then it returns a *HaltError).
func (c *Consumer) Run(ctx context.Context) error {
	defer c.dlq.Close()
	if err := c.loadReference(ctx); err != nil {
		return err
	}
	group, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:                c.cfg.Group,
		Brokers:           c.cfg.Brokers,
		Dialer:            c.cfg.Dialer,
		Topics:            c.cfg.Topics.Records(),
		StartOffset:       kafka.FirstOffset,
		HeartbeatInterval: time.Second,
		SessionTimeout:    10 * time.Second,
		RebalanceTimeout:  10 * time.Second,
		JoinGroupBackoff:  time.Second,
		RetentionTime:     7 * 24 * time.Hour,
		ErrorLogger:       kafka.LoggerFunc(func(f string, a ...any) { c.cfg.Logger.Warn("kafka: " + fmt.Sprintf(f, a...)) }),
	})
	if err != nil {
		return fmt.Errorf("cannot join consumer group %s at %v: %w", c.cfg.Group, c.cfg.Brokers, err)
	}
	var closeOnce sync.Once
	closeGroup := func() { closeOnce.Do(func() { _ = group.Close() }) }
	defer closeGroup()

	// The reference reloader and the generation loop share this context;
	// halting cancels it.
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	go c.reloadReference(runCtx)

	var workers sync.WaitGroup // workers of the current generation, until they have flushed
	genErr := make(chan error, 1)
	go func() {
		for {
			gen, err := group.Next(runCtx)
			if err != nil {
				if runCtx.Err() != nil || errors.Is(err, kafka.ErrGroupClosed) {
					genErr <- nil
					return
				}
				// Join and sync failures are transient (a rebalance, a
				// restarting broker): the group retries by itself.
				c.cfg.Logger.Warn("consumer group not settled yet; retrying", "group", c.cfg.Group, "err", err)
				continue
			}
			n := 0
			for topic, assigned := range gen.Assignments {
				for _, a := range assigned {
					w := c.newWorker(gen, topic, a.ID, a.Offset)
					workers.Add(1)
					n++
					gen.Start(func(genCtx context.Context) { w.run(genCtx, &workers) })
				}
			}
			c.cfg.Logger.Info("consumer group generation", "group", c.cfg.Group, "generation", gen.ID, "partitions", n)
		}
	}()

	var result error
	select {
	case <-ctx.Done():
		close(c.stopping)
		done := make(chan struct{})
		go func() { workers.Wait(); close(done) }()
		select {
		case <-done:
			c.cfg.Logger.Info("ingest stopped: last batches flushed and committed")
		case <-time.After(c.cfg.DrainTimeout + 5*time.Second):
			c.cfg.Logger.Warn("ingest stopped before every batch was flushed; uncommitted records will be read again")
		}
	case h := <-c.halt:
		c.cfg.Metrics.Halted.Set(1)
		result = h
	case <-genErr:
	}
	cancel()
	closeGroup()
	return result
}

func (c *Consumer) loadReference(ctx context.Context) error {
	ref, err := LoadReference(ctx, c.db)
	if err != nil {
		return err
	}
	c.decoder.Store(&Decoder{Ref: ref, Keyer: c.keyer})
	return nil
}

func (c *Consumer) reloadReference(ctx context.Context) {
	t := time.NewTicker(c.cfg.ReferenceEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.loadReference(ctx); err != nil && ctx.Err() == nil {
				c.cfg.Logger.Warn("cannot reload reference codes; keeping the previous ones", "err", err)
			}
		}
	}
}

// raiseHalt hands a halt to Run (the first one wins).
func (c *Consumer) raiseHalt(h *HaltError) {
	select {
	case c.halt <- h:
	default:
	}
}
