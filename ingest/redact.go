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
		text = redactNumbers(text)
	}
	for _, n := range names {
		if n = strings.TrimSpace(n); len([]rune(n)) >= 2 {
			text = strings.ReplaceAll(text, n, RedactedName)
		}
	}
	return text
}

// redactNumbers applies the number patterns to each maximal run of
// digits, spaces, dashes, plus signs and X (the only characters the
// patterns match after their leading boundary), not to the whole text: the
// same result, without running the patterns at every position of a long
// Chinese text (the patterns start with a boundary group, so the regexp
// engine cannot skip ahead to a literal).
func redactNumbers(text string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(text); {
		if !numberish(text[i]) {
			i++
			continue
		}
		j, digits := i, 0
		for ; j < len(text) && numberish(text[j]); j++ {
			if text[j] >= '0' && text[j] <= '9' {
				digits++
			}
		}
		if digits >= 7 {
			span := text[i:j]
			r := idNumberRE.ReplaceAllString(span, "${1}"+RedactedID)
			r = mobileRE.ReplaceAllString(r, "${1}"+RedactedPhone)
			r = landlineRE.ReplaceAllString(r, "${1}"+RedactedPhone)
			if r != span {
				b.WriteString(text[last:i])
				b.WriteString(r)
				last = j
			}
		}
		i = j
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

func numberish(c byte) bool {
	return c >= '0' && c <= '9' || c == ' ' || c == '-' || c == '+' || c == 'X' || c == 'x'
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
