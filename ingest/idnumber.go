package ingest

import (
	"strings"
	"time"
)

// GB 11643-1999 citizen ID number: 17 digits and a check character.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// IDCheckChar computes the check character of the first 17 digits.
func IDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// NormaliseIDNumber validates an 18-character ID number (GB 11643: digits,
// a valid birth date, the check character) and returns it upper-cased. The
// returned rule says what is wrong.
func NormaliseIDNumber(s string) (string, string) {
	return normaliseIDNumber(s, dateNumber(time.Now()))
}

// dateNumber is t's UTC date as the number YYYYMMDD.
func dateNumber(t time.Time) int {
	y, m, d := t.UTC().Date()
	return y*10000 + int(m)*100 + d
}

// normaliseIDNumber is NormaliseIDNumber with today's date given
// (dateNumber): the birth date is checked against the decoder's clock,
// which the consumer reads once a fetch (time.Now here was 1.5 % of the
// consumer's CPU).
func normaliseIDNumber(s string, today int) (string, string) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 18 {
		return "", "must be 18 characters (GB 11643)"
	}
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", "the first 17 characters must be digits (GB 11643)"
		}
	}
	if c := s[17]; (c < '0' || c > '9') && c != 'X' {
		return "", "the last character must be a digit or X (GB 11643)"
	}
	if !realBirthDate(s[6:14], today) {
		return "", "characters 7-14 must be a real birth date (GB 11643)"
	}
	if want := IDCheckChar(s[:17]); s[17] != want {
		return "", "check character is " + s[17:] + ", the first 17 digits give " + string(want) + " (GB 11643): the number is mistyped"
	}
	return s, ""
}

// realBirthDate says whether eight digits are a date YYYYMMDD from 1880 to
// today (dateNumber), as time.Parse and a comparison with time.Now said
// (195–391 → 124–130 ns, most of it then time.Now; measured while other tests
// ran).
func realBirthDate(d string, today int) bool {
	num := func(s string) int {
		n := 0
		for i := 0; i < len(s); i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	y, m, day := num(d[:4]), num(d[4:6]), num(d[6:8])
	if y < 1880 || m < 1 || m > 12 || day < 1 || day > daysIn(y, m) {
		return false
	}
	return y*10000+m*100+day <= today
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// NormalisePhone keeps the digits of a phone number, dropping separators and
// a +86/0086 country prefix; 7 to 12 digits remain for a valid number.
func NormalisePhone(s string) (string, string) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '+':
		default:
			return "", "may hold only digits, spaces, '-', '(', ')' and '+'"
		}
	}
	d := b.String()
	if strings.HasPrefix(s, "+86") || strings.HasPrefix(strings.TrimSpace(s), "+86") {
		d = strings.TrimPrefix(d, "86")
	} else if strings.HasPrefix(d, "0086") {
		d = d[4:]
	}
	if len(d) < 7 || len(d) > 12 {
		return "", "must have 7 to 12 digits after separators and a +86 prefix are removed"
	}
	if len(d) == 11 && d[0] == '1' && (d[1] < '3' || d[1] > '9') {
		return "", "an 11-digit mobile number starts with 13 to 19"
	}
	return d, ""
}
