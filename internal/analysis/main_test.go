package analysis_test

import (
	"os"
	"testing"
)

var tempRoot string

// tempDir gives the shared store a folder that outlives any single test;
// TestMain removes it.
func tempDir() (string, error) { return os.MkdirTemp(tempRoot, "store-") }

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "trailhound-analysis-")
	if err != nil {
		panic(err)
	}
	tempRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
