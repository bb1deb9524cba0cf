package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// TestKeyerMatchesHMAC: the keyer's hand-rolled HMAC-SHA256 gives what
// crypto/hmac gives, for keys shorter than, equal to and longer than the
// hash's block, identities of every kind and length, and rotation chains.
func TestKeyerMatchesHMAC(t *testing.T) {
	reference := func(keys []string, domain, value string) string {
		m := hmac.New(sha256.New, []byte(keys[0]))
		m.Write([]byte(domain + "\x00" + value))
		s := hex.EncodeToString(m.Sum(nil))
		for _, k := range keys[1:] {
			s = HMACHex([]byte(k), s)
		}
		return s
	}
	keys := []string{strings.Repeat("k", 32), strings.Repeat("0123456789abcdef", 4), strings.Repeat("z", 65), strings.Repeat("long-key-", 30)}
	values := []string{"", "110101199003077777", "13912345678", strings.Repeat("张", 64) + "|620102", strings.Repeat("x", 500)}
	for n := 1; n <= len(keys); n++ {
		chain := keys[:n]
		kr, err := NewKeyer([]byte(strings.Join(chain, "\n")))
		if err != nil {
			t.Fatal(err)
		}
		for _, domain := range []string{"id", "phone", "name"} {
			for _, v := range values {
				if got, want := kr.sum(domain, v), reference(chain, domain, v); got != want {
					t.Fatalf("%d keys, %s %.20q: %s, crypto/hmac gives %s", n, domain, v, got, want)
				}
			}
		}
	}
	// The first key alone, rotated keys in reverse: a different pseudonym.
	a, _ := NewKeyer([]byte(keys[0] + "\n" + keys[1]))
	b, _ := NewKeyer([]byte(keys[1] + "\n" + keys[0]))
	if a.sum("id", values[1]) == b.sum("id", values[1]) {
		t.Fatal("the chain's order does not change the pseudonym")
	}
}

func BenchmarkKeyerSum(b *testing.B) {
	kr, err := NewKeyer([]byte(strings.Repeat("0123456789abcdef", 4)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		kr.sum("id", "110101199003077777")
	}
}
