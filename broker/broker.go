// Package broker runs franz-go's kfake, a Kafka-protocol broker in process,
// on loopback with xfwatch's topics created: for the demo, tests and local
// use. Production uses a Kafka cluster; nothing else in xfwatch depends on
// this package.
package broker

import (
	"fmt"
	"net"
	"strconv"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Config of the embedded broker.
type Config struct {
	Listen     string   // host:port; port 0 picks a free one
	Partitions int      // partitions of each topic (default 6)
	Topics     []string // topics created at start
	// DataDir, if set, persists the log there, so a restarted broker keeps
	// its records and committed offsets.
	DataDir string
	// MaxMessageBytes is the broker's message.max.bytes (default 8 MiB):
	// above the consumer's 1 MiB record limit, so that an oversized record
	// reaches the consumer and is sent to the DLQ with a reason.
	MaxMessageBytes int
}

// Broker is a running embedded broker.
type Broker struct {
	cluster *kfake.Cluster
	addr    string
}

// Start starts the broker.
func Start(cfg Config) (*Broker, error) {
	if cfg.Partitions <= 0 {
		cfg.Partitions = 6
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = 8 << 20
	}
	var bound string
	opts := []kfake.Opt{
		kfake.BrokerConfigs(map[string]string{"message.max.bytes": strconv.Itoa(cfg.MaxMessageBytes)}),
		kfake.NumBrokers(1),
		kfake.DefaultNumPartitions(cfg.Partitions),
		kfake.SeedTopics(int32(cfg.Partitions), cfg.Topics...),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			ln, err := net.Listen(network, cfg.Listen)
			if err == nil {
				bound = ln.Addr().String()
			}
			return ln, err
		}),
	}
	if cfg.DataDir != "" {
		opts = append(opts, kfake.DataDir(cfg.DataDir))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("cannot start the embedded broker on %s: %w", cfg.Listen, err)
	}
	if bound == "" {
		bound = c.ListenAddrs()[0]
	}
	return &Broker{cluster: c, addr: bound}, nil
}

// Addr is the bootstrap address clients use.
func (b *Broker) Addr() string { return b.addr }

// Close stops the broker (and flushes its data directory, if any).
func (b *Broker) Close() { b.cluster.Close() }
