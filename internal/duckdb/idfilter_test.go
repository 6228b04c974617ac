package duckdb

import (
	"fmt"
	"testing"
)

func TestIDFilter(t *testing.T) {
	f := newIDFilter()
	const n = 100_000
	for i := 0; i < n; i++ {
		f.add(fmt.Sprintf("event-%d", i))
	}
	for i := 0; i < n; i++ {
		if !f.mayHave(fmt.Sprintf("event-%d", i)) {
			t.Fatalf("event-%d was added but is missing", i)
		}
	}
	fp := 0
	for i := 0; i < n; i++ {
		if f.mayHave(fmt.Sprintf("other-%d", i)) {
			fp++
		}
	}
	if fp > n/1000 {
		t.Errorf("%d false positives in %d", fp, n)
	}
}
