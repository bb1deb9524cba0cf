package ingest

import "github.com/prometheus/client_golang/prometheus"

// Metrics of the consumer. Labels are bounded: topic, partition, outcome,
// table. Never an id or a person.
type Metrics struct {
	Records       *prometheus.CounterVec   // topic, outcome: read|inserted|duplicate|dlq
	Lag           *prometheus.GaugeVec     // topic, partition
	BatchRows     *prometheus.HistogramVec // table
	InsertSeconds *prometheus.HistogramVec // table
	InsertErrors  *prometheus.CounterVec   // table
	Halted        prometheus.Gauge
}

// NewMetrics registers the consumer's metrics on reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xfwatch_ingest_records_total", Help: "Records by topic and outcome: read, inserted, duplicate (id already stored), dlq.",
		}, []string{"topic", "outcome"}),
		Lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "xfwatch_ingest_lag_records", Help: "Records in the partition not yet committed.",
		}, []string{"topic", "partition"}),
		BatchRows: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "xfwatch_ingest_batch_rows", Help: "Rows per insert.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 10),
		}, []string{"table"}),
		InsertSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "xfwatch_ingest_insert_seconds", Help: "Time for the warehouse to acknowledge an insert.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"table"}),
		InsertErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xfwatch_ingest_insert_errors_total", Help: "Failed inserts (retried in place).",
		}, []string{"table"}),
		Halted: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "xfwatch_ingest_halted", Help: "1 when the consumer halted on bad input.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.Records, m.Lag, m.BatchRows, m.InsertSeconds, m.InsertErrors, m.Halted)
	}
	return m
}
