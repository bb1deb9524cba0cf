package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// kafkaFlags are the connection flags every Kafka client command takes.
type kafkaFlags struct {
	brokers                       string
	tls                           bool
	ca, cert, key                 string
	insecure                      bool
	saslMechanism, user, password string
}

func (k *kafkaFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&k.brokers, "kafka", "", "Kafka bootstrap brokers, comma-separated (host:9092)")
	fs.BoolVar(&k.tls, "kafka-tls", false, "connect to Kafka over TLS")
	fs.StringVar(&k.ca, "kafka-ca", "", "PEM file of the CA that signed the brokers' certificates (implies --kafka-tls)")
	fs.StringVar(&k.cert, "kafka-cert", "", "PEM client certificate for mutual TLS (with --kafka-key)")
	fs.StringVar(&k.key, "kafka-key", "", "PEM client key for mutual TLS")
	fs.BoolVar(&k.insecure, "kafka-insecure-skip-verify", false, "do not verify the brokers' certificates (testing only)")
	fs.StringVar(&k.saslMechanism, "kafka-sasl", "", "SASL mechanism: plain, scram-sha-256 or scram-sha-512")
	fs.StringVar(&k.user, "kafka-user", "", "SASL user")
	fs.StringVar(&k.password, "kafka-password", "", "SASL password (prefer XFWATCH_KAFKA_PASSWORD)")
}

// dialer validates the flags and builds the kafka-go dialer.
func (k *kafkaFlags) dialer() ([]string, *kafka.Dialer, error) {
	if k.brokers == "" {
		return nil, nil, usagef("--kafka is required (or XFWATCH_KAFKA), e.g. --kafka 127.0.0.1:9092")
	}
	var brokers []string
	for _, b := range strings.Split(k.brokers, ",") {
		if b = strings.TrimSpace(b); b != "" {
			brokers = append(brokers, b)
		}
	}
	d := &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true}
	if k.tls || k.ca != "" || k.cert != "" {
		cfg := &tls.Config{InsecureSkipVerify: k.insecure, MinVersion: tls.VersionTLS12}
		if k.ca != "" {
			pem, err := os.ReadFile(k.ca)
			if err != nil {
				return nil, nil, usagef("--kafka-ca: %v", err)
			}
			cfg.RootCAs = x509.NewCertPool()
			if !cfg.RootCAs.AppendCertsFromPEM(pem) {
				return nil, nil, usagef("--kafka-ca %s holds no PEM certificate", k.ca)
			}
		}
		if k.cert != "" {
			cert, err := tls.LoadX509KeyPair(k.cert, k.key)
			if err != nil {
				return nil, nil, usagef("--kafka-cert/--kafka-key: %v", err)
			}
			cfg.Certificates = []tls.Certificate{cert}
		}
		d.TLS = cfg
	}
	if k.saslMechanism != "" {
		var mech sasl.Mechanism
		var err error
		switch strings.ToLower(k.saslMechanism) {
		case "plain":
			mech = plain.Mechanism{Username: k.user, Password: k.password}
		case "scram-sha-256":
			mech, err = scram.Mechanism(scram.SHA256, k.user, k.password)
		case "scram-sha-512":
			mech, err = scram.Mechanism(scram.SHA512, k.user, k.password)
		default:
			return nil, nil, usagef("--kafka-sasl %q: use plain, scram-sha-256 or scram-sha-512", k.saslMechanism)
		}
		if err != nil {
			return nil, nil, usagef("--kafka-sasl: %v", err)
		}
		if k.user == "" {
			return nil, nil, usagef("--kafka-sasl needs --kafka-user and --kafka-password")
		}
		d.SASLMechanism = mech
	}
	return brokers, d, nil
}

func describeBrokers(brokers []string) string { return fmt.Sprint(brokers) }
