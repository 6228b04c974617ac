package ingest

import (
	"bufio"
	"strings"
	"sync"
	"testing"
)

// TestGetReaderNeverReturnsItsInput guards against one reader ending up in
// two pools, which later made a gzip reader read its own output.
func TestGetReaderNeverReturnsItsInput(t *testing.T) {
	var p sync.Pool
	in := bufio.NewReaderSize(strings.NewReader("content"), 256<<10)
	if got := getReader(&p, in, 256<<10); got == in {
		t.Fatal("getReader returned its input")
	}
	b, err := getReader(&p, in, 256<<10).ReadString('\n')
	if b != "content" {
		t.Errorf("read %q, %v", b, err)
	}
}
