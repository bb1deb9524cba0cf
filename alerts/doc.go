// Package alerts owns early warning (预警): rules read from YAML, evaluated
// against the indicator tables on the transform schedule and, for the
// instant rules (进京非正常上访, large collective petitions), on each ingest
// batch; the alert lifecycle (firing → acknowledged → resolved, with who and
// when) in the warehouse; grouping and inhibition; and delivery through an
// outbox to generic webhooks, DingTalk and WeCom robots, retried with
// backoff so that an outage loses nothing.
//
// Alerts carry region, category, unit, case ids and numbers, never a
// petitioner's identity (not even the pseudonym in a notification).
package alerts
