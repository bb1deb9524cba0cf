package gen

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"xfwatch/ingest"
)

// Produce writes records to their topics with kafka-go, keyed by record id
// (so a case's retries land in one partition), in order.
func Produce(ctx context.Context, brokers []string, dialer *kafka.Dialer, topics ingest.Topics, records []Record) error {
	topics = topics.WithDefaults()
	transport := &kafka.Transport{}
	if dialer != nil {
		transport = &kafka.Transport{Dial: dialer.DialFunc, TLS: dialer.TLS, SASL: dialer.SASLMechanism}
	}
	w := &kafka.Writer{
		Addr: kafka.TCP(brokers...), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll,
		BatchSize: 5000, BatchBytes: 4 << 20, BatchTimeout: 10 * time.Millisecond, Transport: transport,
	}
	defer w.Close()
	const chunk = 20000
	msgs := make([]kafka.Message, 0, chunk)
	for i := 0; i < len(records); i += chunk {
		msgs = msgs[:0]
		for _, r := range records[i:min(i+chunk, len(records))] {
			msgs = append(msgs, kafka.Message{Topic: topics.Of(r.Kind), Key: []byte(r.Key), Value: r.Value})
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			return fmt.Errorf("cannot produce records %d-%d: %w", i, i+len(msgs), err)
		}
	}
	return nil
}
