package gen

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/refdata"
	"xfwatch/warehouse"
)

// Bulk fills the record tables straight in the warehouse with INSERT …
// SELECT FROM numbers(): millions of petitions and hotline orders, each with
// its handling events, in seconds, for benchmarks at scale. The rows follow the
// data contract (pseudonymised keys, codes from the region and unit tables)
// but carry no planted truth; use Generate for that. Rows are keyed by the
// seed, so two calls with different seeds add different records.
type Bulk struct {
	DB                *warehouse.DB
	Start             time.Time // first day
	Days              int
	Seed              uint64
	Petitions, Orders uint64
	// Until is when the handling events stop (zero: now); FollowUps adds
	// those dated after it, as time goes on.
	Until time.Time
}

// bulkID is the SQL of a bulk record's ID: the prefix and the local day it
// was received, as registries number their cases (and Generate does:
// XF20261128…), then the seed and the row number, which keep the seeds'
// records apart (handling selects a seed's by the part after the first
// dash). IDs ordered by day put a span of recent cases, which a tick
// looks up, in a few granules of the tables ordered by them, as they
// would be in production; IDs of random order made every such lookup read
// its whole column.
func bulkID(prefix string) string {
	return "concat('" + prefix + "', toString(toYYYYMMDD(received)), '-', toString({seed:UInt64}), '-', toString(number))"
}

// handling is the SQL of the handling events of the bulk records of b's
// seed, the petitions' or the orders', dated as cond says (a condition on
// at).
func (b Bulk) handling(orders bool, cond string) string {
	t := b.DB.Table
	if !orders {
		// Handling: accepted in 1-20 days, concluded 10-80 days after, and
		// evaluated; the last weeks' cases are still open.
		return `INSERT INTO ` + t("events") + ` (event_id, ref_kind, ref, at, type, unit, result, satisfaction, leader, has_note, topic, partition, offset)
		SELECT concat(case_id, '-', step), 'petition', case_id, at, type, responsible_unit, result, satisfaction, '', false, 'bulk', 0, offset * 3 + idx
		FROM (
			SELECT case_id, responsible_unit, offset, received_at, cityHash64(case_id) AS h,
				received_at + toIntervalDay(1 + h % 20) AS accepted_at,
				accepted_at + toIntervalDay(10 + bitShiftRight(h, 8) % 70) AS concluded_at
			FROM ` + t("petitions") + ` WHERE topic = 'bulk' AND splitByChar('-', case_id)[2] = toString({seed:UInt64})
		)
		ARRAY JOIN [1, 2, 3] AS idx, ['a', 'c', 'e'] AS step,
			['accepted', 'concluded', 'evaluated'] AS type,
			[accepted_at, concluded_at, concluded_at + toIntervalDay(3)] AS at,
			['', ['upheld', 'partial', 'rejected'][1 + bitShiftRight(h, 16) % 3], ''] AS result,
			['', '', ['satisfied', 'satisfied', 'basic', 'unsatisfied'][1 + bitShiftRight(h, 24) % 4]] AS satisfaction
		WHERE ` + cond
	}
	// Handling, as Generate's: contacted within 20 hours (5 % within one
	// to three days), concluded within ten days, a fifth unresolved, four
	// in five evaluated. (Partition 1 of the bulk topic, so their offsets
	// are not the petitions' events'.)
	return `INSERT INTO ` + t("events") + ` (event_id, ref_kind, ref, at, type, unit, result, satisfaction, leader, has_note, topic, partition, offset)
		SELECT concat(order_id, '-', step), 'hotline', order_id, at, type, assigned_unit, result, satisfaction, '', false, 'bulk', 1, offset * 3 + idx
		FROM (
			SELECT order_id, assigned_unit, offset, cityHash64(order_id) AS h,
				received_at + toIntervalMinute(if(h % 100 < 5, 1500 + bitShiftRight(h, 8) % 2820, 10 + bitShiftRight(h, 8) % 1190)) AS contacted_at,
				contacted_at + toIntervalMinute(60 + bitShiftRight(h, 20) % 14340) AS concluded_at
			FROM ` + t("hotline_orders") + ` WHERE topic = 'bulk' AND splitByChar('-', order_id)[2] = toString({seed:UInt64})
		)
		ARRAY JOIN [1, 2, 3] AS idx, ['c', 'd', 'e'] AS step,
			['contacted', 'concluded', 'evaluated'] AS type,
			[contacted_at, concluded_at, concluded_at + toIntervalMinute(60 + bitShiftRight(h, 34) % 4260)] AS at,
			['', if(bitShiftRight(h, 48) % 100 < 20, 'unresolved', 'resolved'), ''] AS result,
			['', '', ['satisfied', 'basic', 'unsatisfied'][1 + (bitShiftRight(h, 56) % 10 >= 7) + (bitShiftRight(h, 56) % 10 >= 9)]] AS satisfaction
		WHERE (idx < 3 OR bitShiftRight(h, 40) % 100 < 80) AND ` + cond
}

// until is Until as a query parameter (now when unset).
func (b Bulk) until() string {
	u := b.Until
	if u.IsZero() {
		u = time.Now()
	}
	return fmt.Sprint(u.UnixMilli())
}

// FollowUps adds the handling events of the records Fill stored for b's
// seed that are dated after from and up to to: what a running system gets
// for its earlier cases and orders as time goes on (Fill stops at Until).
// It returns how many it added.
func (b Bulk) FollowUps(ctx context.Context, from, to time.Time) (uint64, error) {
	t := b.DB.Table
	var before uint64
	if err := b.DB.QueryRow(ctx, "SELECT count() FROM "+t("events")+" WHERE topic = 'bulk'").Scan(&before); err != nil {
		return 0, err
	}
	args := []any{clickhouse.Named("seed", fmt.Sprint(b.Seed)),
		clickhouse.Named("from", fmt.Sprint(from.UnixMilli())), clickhouse.Named("to", fmt.Sprint(to.UnixMilli()))}
	const window = "at > fromUnixTimestamp64Milli({from:Int64}) AND at <= fromUnixTimestamp64Milli({to:Int64})"
	for _, orders := range []bool{false, true} {
		if err := b.DB.Exec(ctx, b.handling(orders, window), args...); err != nil {
			return 0, fmt.Errorf("bulk follow-up events: %w", err)
		}
	}
	var after uint64
	if err := b.DB.QueryRow(ctx, "SELECT count() FROM "+t("events")+" WHERE topic = 'bulk'").Scan(&after); err != nil {
		return 0, err
	}
	return after - before, nil
}

// Fill inserts the records and returns how many rows each table got.
func (b Bulk) Fill(ctx context.Context) (map[string]uint64, error) {
	if b.Days < 1 {
		return nil, fmt.Errorf("bulk: days must be at least 1")
	}
	cats := "['" + strings.Join(refdata.Categories, "','") + "']"
	args := []any{
		clickhouse.Named("start", b.Start.Format(time.DateOnly)), clickhouse.Named("span", fmt.Sprint(uint64(b.Days)*86400)),
		clickhouse.Named("seed", fmt.Sprint(b.Seed)), clickhouse.Named("until", b.until()),
	}
	out := map[string]uint64{}
	t := b.DB.Table
	towns := `(SELECT groupArray(code) FROM ` + t("regions") + ` WHERE level = 'township') AS towns,
		(SELECT groupArray(code) FROM ` + t("units") + ` WHERE kind IN ('government', 'department')) AS units, ` + cats + ` AS cats`
	if b.Petitions > 0 {
		// Skewed: a quarter of petitions come from the first sixteenth of
		// the townships; keys repeat (about 1.6 petitions per key).
		q := `INSERT INTO ` + t("petitions") + ` (case_id, received_at, channel, receiving_level, origin_region, county_code, township_code,
			category, headcount, abnormal, petitioner_key, key_kind, responsible_unit, subject, has_content, topic, partition, offset)
		WITH ` + towns + `,
			cityHash64(number, {seed:UInt64}) AS h,
			if(h % 4 = 0, towns[1 + bitShiftRight(h, 8) % intDiv(length(towns), 16)], towns[1 + bitShiftRight(h, 8) % length(towns)]) AS town,
			toDateTime64(toDateTime({start:Date}, 'Asia/Shanghai') + bitShiftRight(h, 20) % {span:UInt64}, 3, 'Asia/Shanghai') AS received
		SELECT ` + bulkID("XF") + `, received,
			['letter', 'visit', 'phone', 'online', 'mailbox'][1 + bitShiftRight(h, 3) % 5],
			multiIf(bitShiftRight(h, 12) % 100 < 5, 'village', bitShiftRight(h, 12) % 100 < 30, 'township', bitShiftRight(h, 12) % 100 < 75, 'county',
				bitShiftRight(h, 12) % 100 < 93, 'city', bitShiftRight(h, 12) % 100 < 98, 'province', 'national'),
			town, substring(town, 1, 6), town,
			cats[1 + bitShiftRight(h, 24) % length(cats)],
			if(bitShiftRight(h, 30) % 100 < 2, 5 + bitShiftRight(h, 36) % 60, 1),
			bitShiftRight(h, 40) % 1000 < 3,
			lower(hex(SHA256(concat(toString({seed:UInt64}), '-', toString(cityHash64(number, 7) % greatest(1, intDiv({n:UInt64} * 5, 8))))))),
			'id', units[1 + bitShiftRight(h, 44) % length(units)], '', false, 'bulk', 0, number
		FROM numbers({n:UInt64})`
		if err := b.DB.Exec(ctx, q, append(args, clickhouse.Named("n", fmt.Sprint(b.Petitions)))...); err != nil {
			return nil, fmt.Errorf("bulk petitions: %w", err)
		}
		out["petitions"] = b.Petitions
		ev := b.handling(false, "at <= fromUnixTimestamp64Milli({until:Int64})")
		if err := b.DB.Exec(ctx, ev, args...); err != nil {
			return nil, fmt.Errorf("bulk events: %w", err)
		}
	}
	if b.Orders > 0 {
		q := `INSERT INTO ` + t("hotline_orders") + ` (order_id, received_at, channel, kind, region, county_code, township_code, category,
			caller_key, key_kind, urgent, assigned_unit, case_id, subject, has_content, topic, partition, offset)
		WITH ` + towns + `,
			cityHash64(number, {seed:UInt64}, 'order') AS h,
			towns[1 + bitShiftRight(h, 8) % length(towns)] AS town,
			toDateTime64(toDateTime({start:Date}, 'Asia/Shanghai') + bitShiftRight(h, 20) % {span:UInt64}, 3, 'Asia/Shanghai') AS received
		SELECT ` + bulkID("RX") + `, received,
			['phone', 'web', 'app', 'wechat', 'email'][1 + bitShiftRight(h, 3) % 5],
			['consult', 'help', 'complaint', 'report', 'suggestion', 'praise'][1 + bitShiftRight(h, 12) % 6],
			town, substring(town, 1, 6), town, cats[1 + bitShiftRight(h, 24) % length(cats)],
			lower(hex(SHA256(concat(toString({seed:UInt64}), '-', toString(cityHash64(number, 9) % greatest(1, intDiv({n:UInt64} * 3, 4))))))),
			'phone', bitShiftRight(h, 30) % 100 < 3, units[1 + bitShiftRight(h, 44) % length(units)], '', '', false, 'bulk', 0, number
		FROM numbers({n:UInt64})`
		if err := b.DB.Exec(ctx, q, append(args, clickhouse.Named("n", fmt.Sprint(b.Orders)))...); err != nil {
			return nil, fmt.Errorf("bulk orders: %w", err)
		}
		out["hotline_orders"] = b.Orders
		ev := b.handling(true, "at <= fromUnixTimestamp64Milli({until:Int64})")
		if err := b.DB.Exec(ctx, ev, args...); err != nil {
			return nil, fmt.Errorf("bulk hotline events: %w", err)
		}
	}
	if b.Petitions > 0 || b.Orders > 0 {
		var n uint64
		if err := b.DB.QueryRow(ctx, "SELECT count() FROM "+t("events")+" WHERE topic = 'bulk'").Scan(&n); err != nil {
			return nil, err
		}
		out["events"] = n
	}
	return out, nil
}
