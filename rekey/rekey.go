// Package rekey owns pseudonym key rotation: a new key is chained onto the
// key file and every stored pseudonym p becomes HMAC(new, p), computed in
// the warehouse, so no raw identity is ever needed again and a leaked old
// key no longer links the warehouse's pseudonyms to ID numbers.
package rekey

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2"

	"xfwatch/alerts"
	"xfwatch/ingest"
	"xfwatch/warehouse"
)

// columns hold pseudonyms in place (not in a sorting key).
var columns = []struct{ table, column string }{
	{"petitions", "petitioner_key"},
	{"hotline_orders", "caller_key"},
}

// rebuilt are whole-table state keyed by pseudonym: emptied, the next
// transform tick rebuilds them.
var rebuilt = []string{"key_history", "key_history_staging", "hotline_at_risk", "hotline_at_risk_staging"}

// pads returns HMAC-SHA256's inner and outer padded keys, so the warehouse
// can compute HMAC(key, m) = SHA256(opad ‖ SHA256(ipad ‖ m)).
func pads(key []byte) (ipad, opad string) {
	if len(key) > 64 {
		s := sha256.Sum256(key)
		key = s[:]
	}
	var i, o [64]byte
	copy(i[:], key)
	copy(o[:], key)
	for n := range i {
		i[n] ^= 0x36
		o[n] ^= 0x5c
	}
	return hex.EncodeToString(i[:]), hex.EncodeToString(o[:])
}

// hmacSQL is HMAC-SHA256({ipad}/{opad} key, col) as lower-case hex.
func hmacSQL(col string) string {
	return "lower(hex(SHA256(concat(unhex({opad:String}), SHA256(concat(unhex({ipad:String}), " + col + "))))))"
}

// Report says what a rotation rewrote.
type Report struct {
	Rows    map[string]uint64 // rows per table rewritten
	Alerts  int               // alerts about a person re-pointed
	Emptied []string          // tables the next tick rebuilds
}

// Rotate rewrites every stored pseudonym with newKey and returns the key
// file content with newKey chained on. Ingest and transforms must be
// stopped while it runs (each statement waits for its mutation).
func Rotate(ctx context.Context, db *warehouse.DB, keyFile, newKey []byte) ([]byte, *Report, error) {
	if _, err := ingest.Keys(keyFile); err != nil {
		return nil, nil, err
	}
	if len(newKey) < ingest.MinKeyBytes {
		return nil, nil, fmt.Errorf("the new key has %d bytes, need at least %d", len(newKey), ingest.MinKeyBytes)
	}
	ipad, opad := pads(newKey)
	sync := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"mutations_sync": 2}),
		clickhouse.WithParameters(clickhouse.Parameters{"ipad": ipad, "opad": opad}))
	rep := &Report{Rows: map[string]uint64{}}

	// Alerts about a person keep pointing at them: member and dedup key are
	// hashes of the pseudonym, so map the old hashes before the rewrite.
	rows, err := db.Query(ctx, `SELECT DISTINCT k FROM (
			SELECT petitioner_key AS k FROM `+db.Table("petitions")+` UNION ALL SELECT caller_key FROM `+db.Table("hotline_orders")+`)
		WHERE k != '' AND substring(lower(hex(SHA256(concat('alert|', k)))), 1, 16) IN
			(SELECT member FROM `+db.Table("alerts")+` WHERE member != '')`)
	if err != nil {
		return nil, nil, err
	}
	var olds []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, nil, err
		}
		olds = append(olds, k)
	}
	rows.Close()
	for _, old := range olds {
		oh, nh := alerts.MemberHash(old), alerts.MemberHash(ingest.HMACHex(newKey, old))
		if err := db.Exec(clickhouse.Context(sync, clickhouse.WithParameters(clickhouse.Parameters{"o": oh, "n": nh})),
			"ALTER TABLE "+db.Table("alerts")+" UPDATE member = {n:String}, dedup_key = replaceAll(dedup_key, {o:String}, {n:String}) WHERE member = {o:String}"); err != nil {
			return nil, nil, fmt.Errorf("re-pointing alerts: %w", err)
		}
		rep.Alerts++
	}
	for _, c := range columns {
		var n uint64
		if err := db.QueryRow(ctx, "SELECT count() FROM "+db.Table(c.table)+" WHERE "+c.column+" != ''").Scan(&n); err != nil {
			return nil, nil, err
		}
		if err := db.Exec(sync, "ALTER TABLE "+db.Table(c.table)+" UPDATE "+c.column+" = "+hmacSQL(c.column)+" WHERE "+c.column+" != ''"); err != nil {
			return nil, nil, fmt.Errorf("rewriting %s.%s: %w", c.table, c.column, err)
		}
		rep.Rows[c.table] = n
	}
	for _, t := range rebuilt {
		if err := db.Exec(ctx, "TRUNCATE TABLE IF EXISTS "+db.Table(t)); err != nil {
			return nil, nil, err
		}
		rep.Emptied = append(rep.Emptied, t)
	}
	content := append(append(bytes.TrimRight(append([]byte(nil), keyFile...), "\r\n"), '\n'), newKey...)
	return append(content, '\n'), rep, nil
}
