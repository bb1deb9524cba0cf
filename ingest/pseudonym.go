package ingest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"
)

// KeyEnv and KeyFileEnv configure the pseudonymisation key.
const (
	KeyEnv     = "XFWATCH_PSEUDONYM_KEY"
	KeyFileEnv = "XFWATCH_PSEUDONYM_KEY_FILE"
)

// MinKeyBytes is the shortest key accepted: the ID-number space (~10^11)
// is small enough to brute-force a bare hash, so the key must be secret and
// long.
const MinKeyBytes = 32

// Keyer turns a person into petitioner_key = HMAC-SHA256(key, identity):
// the normalised ID number, else the phone, else name and county (a weak
// key). Domain prefixes keep the three kinds apart.
//
// The key file may hold several keys, one per line: the first keys the
// identity, each later one (added by `xfwatch rekey`) keys the hex of the
// one before, pseudonym = HMAC(k_n, … HMAC(k_2, HMAC(k_1, identity))). A
// rotation rewrites the stored pseudonyms with the new key alone, so the
// warehouse never needs the raw identities again.
type Keyer struct {
	keys []hmacKey
}

// hmacKey is an HMAC-SHA256 key as its two padded blocks (RFC 2104): the
// HMAC of a short message is then two SHA-256 sums over stack buffers, with
// no hash object to take from a pool, reset and restore (BenchmarkKeyerSum:
// 665–713 → 443–476 ns and 6 → 1 allocations an identity).
type hmacKey struct{ ipad, opad [sha256.BlockSize]byte }

func newHMACKey(key []byte) hmacKey {
	if len(key) > sha256.BlockSize {
		sum := sha256.Sum256(key)
		key = sum[:]
	}
	var k hmacKey
	for i := range sha256.BlockSize {
		var b byte
		if i < len(key) {
			b = key[i]
		}
		k.ipad[i], k.opad[i] = b^0x36, b^0x5c
	}
	return k
}

// hexSum writes hex(HMAC(k, parts...)) into out.
func (k *hmacKey) hexSum(out *[2 * sha256.Size]byte, parts ...string) {
	var buf [6 * sha256.BlockSize]byte
	msg := append(buf[:0], k.ipad[:]...)
	for _, p := range parts {
		msg = append(msg, p...)
	}
	inner := sha256.Sum256(msg)
	msg = append(append(buf[:0], k.opad[:]...), inner[:]...)
	outer := sha256.Sum256(msg)
	hex.Encode(out[:], outer[:])
}

// Keys splits a key file's content into its keys, oldest first.
func Keys(content []byte) ([][]byte, error) {
	var keys [][]byte
	for _, line := range strings.Split(string(content), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			keys = append(keys, []byte(line))
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("the pseudonymisation key is empty")
	}
	for i, k := range keys {
		if len(k) < MinKeyBytes {
			return nil, fmt.Errorf("pseudonymisation key %d of %d has %d bytes, need at least %d: generate one with `head -c 32 /dev/urandom | base64`",
				i+1, len(keys), len(k), MinKeyBytes)
		}
	}
	return keys, nil
}

// NewKeyer uses the key file's content: one key, or a rotation chain.
func NewKeyer(content []byte) (*Keyer, error) {
	keys, err := Keys(content)
	if err != nil {
		return nil, err
	}
	kr := &Keyer{}
	for _, key := range keys {
		kr.keys = append(kr.keys, newHMACKey(key))
	}
	return kr, nil
}

// HMACHex is hex(HMAC-SHA256(key, msg)): one link of a rotation chain.
func HMACHex(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// LoadKey reads the key from $XFWATCH_PSEUDONYM_KEY, else from the file named
// by path or $XFWATCH_PSEUDONYM_KEY_FILE. It returns an error naming both when
// neither is set: production refuses to start without a key.
func LoadKey(path string) ([]byte, error) {
	if v := os.Getenv(KeyEnv); v != "" {
		return []byte(v), nil
	}
	if path == "" {
		path = os.Getenv(KeyFileEnv)
	}
	if path == "" {
		return nil, errors.New("no pseudonymisation key: set " + KeyEnv + " or give --key-file (or " + KeyFileEnv +
			"); generate one with `head -c 32 /dev/urandom | base64 > key` and keep it secret: without it, keys change and repeat visits go unseen")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read pseudonymisation key file: %w", err)
	}
	return []byte(strings.TrimSpace(string(b))), nil
}

// EnsureKeyFile returns the key in path, creating a random one there first
// if the file does not exist (for the demo).
func EnsureKeyFile(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	key := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return nil, err
	}
	return []byte(key), nil
}

func (k *Keyer) sum(domain, value string) string {
	var out [2 * sha256.Size]byte
	k.keys[0].hexSum(&out, domain, "\x00", value)
	for i := 1; i < len(k.keys); i++ {
		k.keys[i].hexSum(&out, string(out[:]))
	}
	return string(out[:])
}

// key pseudonymises p, found at field (for messages). county scopes a
// name-only key; today (dateNumber, from the decoder's clock) bounds an ID
// number's birth date. It rejects an invalid ID number or phone and a
// person with nothing to identify them.
func (k *Keyer) key(p *Person, field, county string, today int) (key, kind string, rej *Reject) {
	if p == nil {
		return "", "", reject(field, "is required: give id_number, phone or name")
	}
	if strings.TrimSpace(p.IDNumber) != "" {
		id, rule := normaliseIDNumber(p.IDNumber, today)
		if rule != "" {
			return "", "", reject(field+".id_number", rule)
		}
		return k.sum("id", id), "id", nil
	}
	if strings.TrimSpace(p.Phone) != "" {
		ph, rule := NormalisePhone(p.Phone)
		if rule != "" {
			return "", "", reject(field+".phone", rule)
		}
		return k.sum("phone", ph), "phone", nil
	}
	name := strings.Join(strings.Fields(p.Name), " ")
	if name == "" {
		return "", "", reject(field, "needs at least one of id_number, phone or name")
	}
	if utf8.RuneCountInString(name) > 64 {
		return "", "", reject(field+".name", "is longer than 64 characters")
	}
	return k.sum("name", name+"|"+county), "weak", nil
}
