package ingest

import (
	"regexp"
	"strings"
)

// Patterns of personal numbers in free text. Digits next to the match are
// excluded, so a long case number is not taken for a phone.
var (
	idNumberRE = regexp.MustCompile(`(^|[^0-9])([1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[0-9Xx])`)
	mobileRE   = regexp.MustCompile(`(^|[^0-9])((\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4})`)
	landlineRE = regexp.MustCompile(`(^|[^0-9])(0\d{2,3}-\d{7,8})`)
)

// Redaction placeholders.
const (
	RedactedID    = "[身份证号已隐去]"
	RedactedPhone = "[电话已隐去]"
	RedactedName  = "[姓名已隐去]"
)

// Redact removes ID numbers, phone numbers and the given names from text.
func Redact(text string, names ...string) string {
	if text == "" {
		return text
	}
	if mayHoldNumber(text) {
		text = idNumberRE.ReplaceAllString(text, "${1}"+RedactedID)
		text = mobileRE.ReplaceAllString(text, "${1}"+RedactedPhone)
		text = landlineRE.ReplaceAllString(text, "${1}"+RedactedPhone)
	}
	for _, n := range names {
		if n = strings.TrimSpace(n); len([]rune(n)) >= 2 {
			text = strings.ReplaceAll(text, n, RedactedName)
		}
	}
	return text
}

// mayHoldNumber is a fast path: text without four digits in a row (spaces
// and dashes aside) holds no ID or phone number.
func mayHoldNumber(s string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if digits++; digits >= 4 {
				return true
			}
		case c != '-' && c != ' ':
			digits = 0
		}
	}
	return false
}
