package ingest

import (
	"strings"
	"unicode/utf8"
)

// Personal numbers in free text, as regular expressions (the reference the
// tests hold the matchers below to; digits before a match are excluded, so a
// long case number is not taken for a phone):
//
//	ID number  (^|[^0-9])([1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[0-9Xx])
//	mobile     (^|[^0-9])((\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4})
//	landline   (^|[^0-9])(0\d{2,3}-\d{7,8})
//
// The matchers are hand-written: Go's regexp engine spent about half of a
// petition's decode time on these three.

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
		if n = strings.TrimSpace(n); utf8.RuneCountInString(n) >= 2 {
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
			r := replaceNumbers(span, matchIDNumber, RedactedID)
			r = replaceNumbers(r, matchMobile, RedactedPhone)
			r = replaceNumbers(r, matchLandline, RedactedPhone)
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

// replaceNumbers replaces what match finds in s, leftmost first and without
// overlaps, as regexp's ReplaceAllString does for "(^|[^0-9])(pattern)" with
// "${1}"+repl: a number starts at the beginning of s or after a non-digit
// that an earlier match has not taken.
func replaceNumbers(s string, match func(s string, q int) int, repl string) string {
	var b strings.Builder
	last, free := 0, 0 // free: the first byte a boundary may be
	for q := 0; q < len(s); q++ {
		if q > 0 && (q-1 < free || isDigit(s[q-1])) {
			continue
		}
		e := match(s, q)
		if e < 0 {
			continue
		}
		b.WriteString(s[last:q])
		b.WriteString(repl)
		last, free = e, e
		q = e - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digitsAt(s string, q, n int) bool {
	if q+n > len(s) {
		return false
	}
	for i := q; i < q+n; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// matchIDNumber: [1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[0-9Xx] at q.
func matchIDNumber(s string, q int) int {
	if !digitsAt(s, q, 17) || q+18 > len(s) || s[q] == '0' {
		return -1
	}
	if c := s[q+17]; !isDigit(c) && c != 'X' && c != 'x' {
		return -1
	}
	if c := s[q+6 : q+8]; c != "18" && c != "19" && c != "20" {
		return -1
	}
	if m := s[q+10 : q+12]; m < "01" || m > "12" {
		return -1
	}
	if d := s[q+12 : q+14]; d < "01" || d > "31" {
		return -1
	}
	return q + 18
}

// matchMobile: (\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4} at q, the prefix
// taken when it leads to a number (the only choice that can: a separator or
// plus sign cannot stand where a digit must).
func matchMobile(s string, q int) int {
	p := q
	if p < len(s) && s[p] == '+' {
		p++
	}
	if strings.HasPrefix(s[p:], "86") {
		r := p + 2
		if r < len(s) && (s[r] == '-' || s[r] == ' ') {
			r++
		}
		if e := mobileCore(s, r); e >= 0 {
			return e
		}
	}
	return mobileCore(s, q)
}

func mobileCore(s string, q int) int {
	if q+3 > len(s) || s[q] != '1' || s[q+1] < '3' || s[q+1] > '9' || !isDigit(s[q+2]) {
		return -1
	}
	i := q + 3
	for range 2 {
		if i < len(s) && (s[i] == '-' || s[i] == ' ') {
			i++
		}
		if !digitsAt(s, i, 4) {
			return -1
		}
		i += 4
	}
	return i
}

// matchLandline: 0\d{2,3}-\d{7,8} at q.
func matchLandline(s string, q int) int {
	if q >= len(s) || s[q] != '0' {
		return -1
	}
	var i int
	switch {
	case digitsAt(s, q+1, 3) && q+4 < len(s) && s[q+4] == '-':
		i = q + 5
	case digitsAt(s, q+1, 2) && q+3 < len(s) && s[q+3] == '-':
		i = q + 4
	default:
		return -1
	}
	if !digitsAt(s, i, 7) {
		return -1
	}
	if i+7 < len(s) && isDigit(s[i+7]) {
		return i + 8
	}
	return i + 7
}
