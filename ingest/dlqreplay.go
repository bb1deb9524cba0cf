package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// Rejected is one record recovered from the DLQ: where it came from, why it
// was refused, and the record itself (opened from its sealed copy). It holds
// the petitioner's personal data: whoever exports it must keep it as safe
// as the key.
type Rejected struct {
	SourceTopic     string `json:"source_topic"`
	SourcePartition int    `json:"source_partition"`
	SourceOffset    int64  `json:"source_offset"`
	Key             string `json:"key"`
	Stage           string `json:"stage"`
	Field           string `json:"field,omitempty"`
	Error           string `json:"error"`
	// Record is the record as produced (JSON or not), to fix and replay;
	// Truncated says only its first MaxSealed bytes were kept.
	Record    string `json:"record"`
	Truncated bool   `json:"truncated,omitempty"`
}

// ReadDLQ reads every message the DLQ topic holds now, from every
// partition, and opens each sealed record with sealer (made from the key
// file of the time the records were refused).
func ReadDLQ(ctx context.Context, dialer *kafka.Dialer, broker, topic string, sealer *Sealer) ([]Rejected, error) {
	conn, err := dialer.DialContext(ctx, "tcp", broker)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the broker %s: %w", broker, err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		return nil, fmt.Errorf("cannot list the partitions of %s: %w", topic, err)
	}
	var out []Rejected
	for _, p := range parts {
		c, err := dialer.DialLeader(ctx, "tcp", broker, topic, p.ID)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s partition %d: %w", topic, p.ID, err)
		}
		first, last, err := c.ReadOffsets()
		if err != nil {
			c.Close()
			return nil, err
		}
		for off := first; off < last; {
			if _, err := c.Seek(off, kafka.SeekAbsolute); err != nil {
				c.Close()
				return nil, err
			}
			c.SetReadDeadline(time.Now().Add(30 * time.Second))
			b := c.ReadBatchWith(kafka.ReadBatchConfig{MinBytes: 1, MaxBytes: 16 << 20, MaxWait: time.Second})
			progressed := false
			for off < last {
				m, err := b.ReadMessage()
				if err != nil {
					break
				}
				off, progressed = m.Offset+1, true
				r, err := openRejected(m, sealer)
				if err != nil {
					b.Close()
					c.Close()
					return nil, fmt.Errorf("%s partition %d offset %d: %w", topic, p.ID, m.Offset, err)
				}
				out = append(out, r)
			}
			if err := b.Close(); !progressed {
				c.Close()
				return nil, fmt.Errorf("reading %s partition %d at offset %d (of %d): no message came back: %v", topic, p.ID, off, last, err)
			}
		}
		c.Close()
	}
	return out, nil
}

func openRejected(m kafka.Message, sealer *Sealer) (Rejected, error) {
	var d DLQRecord
	if err := json.Unmarshal(m.Value, &d); err != nil {
		return Rejected{}, fmt.Errorf("not a DLQ record: %w", err)
	}
	plain, err := sealer.Open(d.Sealed)
	if err != nil {
		return Rejected{}, fmt.Errorf("the sealed record does not open with this key (was it refused before a key rotation? use that time's key file): %w", err)
	}
	return Rejected{SourceTopic: d.SourceTopic, SourcePartition: d.SourcePartition, SourceOffset: d.SourceOffset,
		Key: string(m.Key), Stage: d.Stage, Field: d.Field, Error: d.Error, Record: string(plain), Truncated: d.SealedTruncated}, nil
}

// Replay produces each record again to its source topic under its key, for
// the consumer to take like any new record. A truncated record cannot be
// replayed: it is refused, naming it.
func Replay(ctx context.Context, w *kafka.Writer, records []Rejected) error {
	var msgs []kafka.Message
	for i, r := range records {
		if r.Truncated {
			return fmt.Errorf("record %d (%s partition %d offset %d) was kept only in part (over %d bytes): produce it whole from its source instead",
				i+1, r.SourceTopic, r.SourcePartition, r.SourceOffset, MaxSealed)
		}
		if r.SourceTopic == "" {
			return fmt.Errorf("record %d: source_topic is empty: give the topic to replay it to", i+1)
		}
		msgs = append(msgs, kafka.Message{Topic: r.SourceTopic, Key: []byte(r.Key), Value: []byte(r.Record)})
	}
	if len(msgs) == 0 {
		return nil
	}
	return w.WriteMessages(ctx, msgs...)
}
