package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"xfwatch/ingest"
)

func init() {
	register("dlq", "rejected records: `dlq export` opens the DLQ into a file to fix, `dlq replay` produces the fixed records again", runDLQ)
}

func runDLQ(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "replay") {
		return usagef("say `xfwatch dlq export --kafka ADDRS --key-file F --out FILE` or `xfwatch dlq replay --kafka ADDRS --in FILE`")
	}
	if args[0] == "export" {
		return dlqExport(ctx, args[1:])
	}
	return dlqReplay(ctx, args[1:])
}

func dlqExport(ctx context.Context, args []string) error {
	fs := newFlags("dlq export", "dlq export --kafka ADDRS --key-file F --out FILE [--topic-dlq T]")
	var kf kafkaFlags
	kf.register(fs)
	keyFile := fs.String("key-file", "", "the pseudonymisation key file of the time the records were refused (or XFWATCH_PSEUDONYM_KEY)")
	out := fs.String("out", "", "file to write, one JSON object per line; it holds petitioners' personal data")
	topic := fs.String("topic-dlq", ingest.DefaultTopics.DLQ, "dead-letter topic")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := need(fs, "out", *out, "rejected.jsonl"); err != nil {
		return err
	}
	brokers, dialer, err := kf.dialer()
	if err != nil {
		return err
	}
	key, err := ingest.LoadKey(*keyFile)
	if err != nil {
		return usageError{err}
	}
	sealer, err := ingest.NewSealer(key)
	if err != nil {
		return err
	}
	records, err := ingest.ReadDLQ(ctx, dialer, brokers[0], *topic, sealer)
	if err != nil {
		return err
	}
	// The file holds what the DLQ keeps sealed: readable by its owner only,
	// and never written over.
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return usagef("--out: %v (give a new file)", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	byField := map[string]int{}
	for _, r := range records {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return err
		}
		byField[r.Stage+" "+r.Field]++
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	var parts []string
	for k, n := range byField {
		parts = append(parts, fmt.Sprintf("%s: %d", strings.TrimSpace(k), n))
	}
	sort.Strings(parts)
	fmt.Printf("%d rejected records written to %s (%s).\n", len(records), *out, strings.Join(parts, ", "))
	fmt.Printf("The file holds petitioners' personal data: keep it as safe as the key, fix the records in it, "+
		"replay them with `xfwatch dlq replay --in %s`, then delete it.\n", *out)
	return nil
}

func dlqReplay(ctx context.Context, args []string) error {
	fs := newFlags("dlq replay", "dlq replay --kafka ADDRS --in FILE")
	var kf kafkaFlags
	kf.register(fs)
	in := fs.String("in", "", "file written by `xfwatch dlq export`, records fixed")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := need(fs, "in", *in, "rejected.jsonl"); err != nil {
		return err
	}
	brokers, dialer, err := kf.dialer()
	if err != nil {
		return err
	}
	f, err := os.Open(*in)
	if err != nil {
		return usagef("--in: %v", err)
	}
	defer f.Close()
	var records []ingest.Rejected
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), ingest.MaxSealed*8)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r ingest.Rejected
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return usagef("%s line %d: %v (each line is one JSON object as `dlq export` wrote it)", *in, line, err)
		}
		records = append(records, r)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	w := &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 5 * time.Millisecond,
		Transport:    &kafka.Transport{Dial: dialer.DialFunc, TLS: dialer.TLS, SASL: dialer.SASLMechanism},
	}
	defer w.Close()
	if err := ingest.Replay(ctx, w, records); err != nil {
		return err
	}
	fmt.Printf("%d records produced again to their source topics; the consumer takes them like new ones (a record still wrong goes back to the DLQ).\n", len(records))
	return nil
}
