package main

import (
	"context"
	"fmt"

	"xfwatch/broker"
	"xfwatch/ingest"
)

func init() {
	register("broker", "embedded Kafka-protocol broker (kfake) for local use and tests", runBroker)
}

func runBroker(ctx context.Context, args []string) error {
	fs := newFlags("broker", "broker --listen 127.0.0.1:9092 [--partitions 6] [--data DIR]")
	listen := fs.String("listen", "127.0.0.1:9092", "address to listen on (local use and tests only: no authentication)")
	partitions := fs.Int("partitions", 6, "partitions per topic")
	data := fs.String("data", "", "directory to persist the log in (empty: memory only)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *partitions < 1 || *partitions > 1000 {
		return usagef("--partitions %d: give 1 to 1000", *partitions)
	}
	if !isLoopback(*listen) {
		return usagef("--listen %s: the embedded broker has no authentication; listen on a loopback address", *listen)
	}
	topics := ingest.DefaultTopics
	b, err := broker.Start(broker.Config{Listen: *listen, Partitions: *partitions, Topics: topics.All(), DataDir: *data})
	if err != nil {
		return err
	}
	defer b.Close()
	newLogger().Info("embedded broker serving", "addr", b.Addr(), "partitions", *partitions, "topics", topics.All())
	fmt.Println(b.Addr())
	<-ctx.Done()
	return nil
}
