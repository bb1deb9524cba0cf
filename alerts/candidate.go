package alerts

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"time"
)

// Candidate is a condition a rule found true: a new alert, or the next
// sighting of a firing one (same DedupKey).
type Candidate struct {
	Rule      Rule
	DedupKey  string
	Severity  string
	Region    string // county or township code
	County    string // for the sensitive-period factor and inhibition
	Category  string
	Unit      string
	Summary   string
	Value     float64
	Threshold float64
	Evidence  map[string]any
	At        time.Time // when the condition was met (the record's or the day's time)
	// Member is what inhibition matches on (a hashed petitioner key); it
	// is not stored and never notified.
	Member string
	// Event rules (one alert per record) are not resolved by the condition
	// going away: a duty officer closes them.
	Event bool
}

// PersonKey is how alerts refer to a petitioner or caller: a hash of the
// pseudonym, so an alert's reader cannot link it to the person's records.
func PersonKey(petitionerKey string) string { return hashKey(petitionerKey) }

// hashKey hides a pseudonym inside dedup keys: the key links a person's
// records, and an alert's reader has no need of it.
// MemberHash is how an alert refers to the person it is about (the
// member column): a short hash of the pseudonym, never shown.
func MemberHash(k string) string { return hashKey(k) }

func hashKey(k string) string {
	h := sha256.Sum256([]byte("alert|" + k))
	return hex.EncodeToString(h[:8])
}

// jsonFloat makes NaN and ±Inf JSON-safe (null).
func jsonFloat(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return x
}

// scaled applies the sensitive-period factor to a threshold, rounding up, at
// least 1 when the threshold was.
func scaled(threshold, factor float64) float64 {
	if threshold == 0 {
		return 0
	}
	return math.Max(1, math.Ceil(threshold*factor-1e-9))
}
