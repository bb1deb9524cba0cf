package chdb

import (
	"errors"
	"strings"
	"testing"
)

func TestMissingLibrarySaysHowToFetchIt(t *testing.T) {
	_, err := dlopen("/nonexistent/libchdb.so")
	if !errors.Is(err, ErrLibraryMissing) {
		t.Fatalf("got %v, want ErrLibraryMissing", err)
	}
	for _, want := range []string{"/nonexistent/libchdb.so", "make chdb", LibEnv, Version} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}
