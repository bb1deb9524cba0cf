package ingest

import (
	"fmt"
	"testing"
	"time"
)

// TestRealBirthDateMatchesTimeParse: the hand-written birth date check
// accepts exactly the eight digits time.Parse reads as a date from 1880 to
// now: every year from 1870 to two years ahead, every month 00–13 and every
// day 00–32 (Feb 29 of 1900, 2000 and 2024 among them).
func TestRealBirthDateMatchesTimeParse(t *testing.T) {
	reference := func(d string) bool {
		birth, err := time.Parse("20060102", d)
		return err == nil && birth.Year() >= 1880 && !birth.After(time.Now())
	}
	accepted := 0
	for y := 1870; y <= time.Now().Year()+2; y++ {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				s := fmt.Sprintf("%04d%02d%02d", y, m, d)
				got, want := realBirthDate(s, dateNumber(time.Now())), reference(s)
				if got != want {
					t.Fatalf("realBirthDate(%s) = %v, time.Parse says %v", s, got, want)
				}
				if got {
					accepted++
				}
			}
		}
	}
	if accepted < 50000 {
		t.Fatalf("only %d dates accepted", accepted)
	}
}
