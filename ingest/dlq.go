package ingest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"

	"github.com/segmentio/kafka-go"
)

// Sealer encrypts a rejected record for the DLQ (AES-256-GCM, key derived
// from the pseudonymisation key), so that an operator holding the key can
// recover and replay it while the DLQ itself holds no readable PII.
type Sealer struct{ aead cipher.AEAD }

// NewSealer derives the sealing key from the pseudonymisation key.
//
// With a rotation chain in the key file, the newest key seals; records
// sealed before a rotation open with the key file of their time.
func NewSealer(pseudonymKey []byte) (*Sealer, error) {
	if keys, err := Keys(pseudonymKey); err == nil {
		pseudonymKey = keys[len(keys)-1]
	}
	m := hmac.New(sha256.New, pseudonymKey)
	m.Write([]byte("xfwatch dlq seal v1"))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plain and returns base64(nonce || ciphertext).
func (s *Sealer) Seal(plain []byte) string {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // the system's randomness failed; nothing sensible to do
	}
	return base64.StdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, nil))
}

// Open reverses Seal.
func (s *Sealer) Open(sealed string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return nil, err
	}
	n := s.aead.NonceSize()
	if len(b) < n {
		return nil, errors.New("sealed record too short")
	}
	return s.aead.Open(nil, b[:n], b[n:], nil)
}

// DLQ message headers.
const (
	HeaderSourceTopic     = "source_topic"
	HeaderSourcePartition = "source_partition"
	HeaderSourceOffset    = "source_offset"
	HeaderStage           = "stage"
	HeaderError           = "error"
	HeaderField           = "field"
)

// DLQRecord is the value of a DLQ message.
type DLQRecord struct {
	SourceTopic     string `json:"source_topic"`
	SourcePartition int    `json:"source_partition"`
	SourceOffset    int64  `json:"source_offset"`
	Stage           string `json:"stage"`
	Field           string `json:"field,omitempty"`
	Error           string `json:"error"`
	// Preview is the record with people removed and numbers redacted, cut
	// to 2000 bytes: enough to see what went wrong.
	Preview string `json:"preview"`
	// Sealed is the original record, encrypted (Sealer); only its first
	// MaxSealed bytes when it is longer (SealedTruncated).
	Sealed          string `json:"sealed"`
	SealedTruncated bool   `json:"sealed_truncated,omitempty"`
}

// MaxSealed bounds the sealed copy of a rejected record, so an oversized
// record still fits in a DLQ message.
const MaxSealed = 256 << 10

var nameFieldRE = regexp.MustCompile(`("name"\s*:\s*)"(?:[^"\\]|\\.)*"`)

// preview strips people from a record for the DLQ.
func preview(value []byte) string {
	var m map[string]any
	var text string
	if json.Unmarshal(value, &m) == nil {
		delete(m, "petitioner")
		delete(m, "caller")
		b, _ := json.Marshal(m)
		text = string(b)
	} else {
		text = nameFieldRE.ReplaceAllString(string(value), `${1}"`+RedactedName+`"`)
	}
	text = Redact(text)
	if len(text) > 2000 {
		text = text[:2000]
	}
	return text
}

// dlqMessage builds the DLQ message for a rejected record.
func dlqMessage(src *kafka.Message, rej *Reject, sealer *Sealer) kafka.Message {
	rec := DLQRecord{
		SourceTopic: src.Topic, SourcePartition: src.Partition, SourceOffset: src.Offset,
		Stage: rej.Stage, Field: rej.Field, Error: rej.Error(),
		Preview: preview(src.Value), Sealed: sealer.Seal(src.Value[:min(len(src.Value), MaxSealed)]),
		SealedTruncated: len(src.Value) > MaxSealed,
	}
	value, _ := json.Marshal(rec)
	return kafka.Message{
		Key:   src.Key,
		Value: value,
		Headers: []kafka.Header{
			{Key: HeaderSourceTopic, Value: []byte(src.Topic)},
			{Key: HeaderSourcePartition, Value: []byte(strconv.Itoa(src.Partition))},
			{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(src.Offset, 10))},
			{Key: HeaderStage, Value: []byte(rej.Stage)},
			{Key: HeaderField, Value: []byte(rej.Field)},
			{Key: HeaderError, Value: []byte(rej.Error())},
		},
	}
}
