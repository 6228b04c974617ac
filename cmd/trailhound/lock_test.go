package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDataDirInUse starts serve in a child process, which holds the data
// directory, and checks that ingest then fails with a message that says
// what to do, without touching the store.
func TestDataDirInUse(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	data := t.TempDir()
	in := t.TempDir()
	writeTrail(t, in, 1, 10)
	if code, _, errOut := run(t, "ingest", "--json", "--data", data, in); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	ready := filepath.Join(t.TempDir(), "ready")
	args, _ := json.Marshal([]string{"serve", "--data", data, "--listen", "127.0.0.1:0", "--ready-file", ready})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "TRAILHOUND_TEST_MAIN=1", "TRAILHOUND_TEST_ARGS="+string(args))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	code, _, errOut := run(t, "ingest", "--json", "--data", data, in)
	if code != exitRuntime {
		t.Errorf("ingest while serve holds the data directory: exit %d, want %d", code, exitRuntime)
	}
	if !strings.Contains(errOut, "in use by another process") || !strings.Contains(errOut, data) {
		t.Errorf("the error does not say the directory is in use and what to do: %q", errOut)
	}
}
