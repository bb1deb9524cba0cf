package ingest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"strings"
	"sync"
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
type Keyer struct {
	pool sync.Pool
}

// NewKeyer uses key (at least MinKeyBytes bytes).
func NewKeyer(key []byte) (*Keyer, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("pseudonymisation key has %d bytes, need at least %d: generate one with `head -c 32 /dev/urandom | base64`", len(key), MinKeyBytes)
	}
	k := append([]byte(nil), key...)
	return &Keyer{pool: sync.Pool{New: func() any { return hmac.New(sha256.New, k) }}}, nil
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
	h := k.pool.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(domain))
	h.Write([]byte{0})
	h.Write([]byte(value))
	var out [sha256.Size]byte
	s := hex.EncodeToString(h.Sum(out[:0]))
	k.pool.Put(h)
	return s
}

// Key pseudonymises p, found at field (for messages). county scopes a
// name-only key. It rejects an invalid ID number or phone and a person with
// nothing to identify them.
func (k *Keyer) Key(p *Person, field, county string) (key, kind string, rej *Reject) {
	if p == nil {
		return "", "", reject(field, "is required: give id_number, phone or name")
	}
	if strings.TrimSpace(p.IDNumber) != "" {
		id, rule := NormaliseIDNumber(p.IDNumber)
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
