// Package s3test runs a real S3-compatible server for tests: versitygw
// (github.com/versity/versitygw) with its posix backend in a temporary
// directory, listening on 127.0.0.1. Tests of anything that reads or
// writes S3 (objstore, ingestion, the generator) use it instead of mocks,
// so that signing, pagination, key encoding and error responses are the
// server's, not a guess.
//
// The versitygw binary is found through $TRAILHOUND_VERSITYGW, $PATH,
// $GOBIN, $(go env GOPATH)/bin and the "gobin" folder of the temporary
// directory. Install it with:
//
//	go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
//
// When the binary is missing, tests are skipped, except under CI=true,
// where they fail: a test script must install it.
package s3test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/trailhound/trailhound/internal/objstore"
)

// InstallCommand installs the server binary that Start runs.
const InstallCommand = "go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// BinaryEnv names the environment variable that may hold the path of the
// versitygw binary, which then takes precedence over any other.
const BinaryEnv = "TRAILHOUND_VERSITYGW"

// Server is a running S3-compatible server.
type Server struct {
	// Endpoint is the server's base URL, "http://127.0.0.1:PORT".
	Endpoint string
	// AccessKey and SecretKey are the credentials the server accepts.
	AccessKey string
	SecretKey string
	// Region is the region requests are signed for.
	Region string
	// Dir is the server's storage: one directory per bucket.
	Dir string

	client *s3.Client
	mu     sync.Mutex
	made   map[string]bool
}

// Start runs a server for the test and stops it when the test ends. It
// skips the test, or fails it under CI=true, if versitygw is not installed.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := findBinary()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("s3test: versitygw not found; the test script must install it: %s (or set %s)", InstallCommand, BinaryEnv)
		}
		t.Skipf("s3test: versitygw not found; install it with: %s (or set %s)", InstallCommand, BinaryEnv)
	}
	s := &Server{
		AccessKey: "trailhound-test",
		SecretKey: "trailhound-test-secret",
		Region:    "us-east-1",
		Dir:       t.TempDir(),
		made:      map[string]bool{},
	}
	logDir := t.TempDir()

	// The port is chosen by the kernel, then released for the server to
	// take; another process may grab it in between, so try again if the
	// server cannot start.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		addr, err := freeAddr()
		if err != nil {
			t.Fatalf("s3test: %v", err)
		}
		logPath := filepath.Join(logDir, fmt.Sprintf("versitygw-%d.log", attempt))
		stop, err := s.run(bin, addr, logPath)
		if err == nil {
			t.Cleanup(stop)
			s.Endpoint = "http://" + addr
			s.client = s3.New(s3.Options{
				BaseEndpoint: aws.String(s.Endpoint),
				Region:       s.Region,
				UsePathStyle: true,
				Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
			})
			return s
		}
		lastErr = err
	}
	t.Fatalf("s3test: %v", lastErr)
	return nil
}

// run starts the server on addr and waits until it answers HTTP. It
// returns a function that stops it.
func (s *Server) run(bin, addr, logPath string) (stop func(), err error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	cmd := exec.Command(bin,
		"--access", s.AccessKey,
		"--secret", s.SecretKey,
		"--region", s.Region,
		"--port", addr,
		"--quiet",
		"posix", s.Dir)
	cmd.Env = serverEnv()
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop = func() {
		if runtime.GOOS == "windows" {
			cmd.Process.Kill()
		} else {
			cmd.Process.Signal(os.Interrupt)
		}
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-exited:
			out, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("versitygw exited before answering (%v): %s", err, bytes.TrimSpace(out))
		default:
		}
		// Any HTTP answer, even "access denied", means it is serving.
		resp, err := client.Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
			return stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			out, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("versitygw did not answer on %s within 20s: %v: %s", addr, err, bytes.TrimSpace(out))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// serverEnv is the test's environment without the variables versitygw
// reads its settings from, so that a developer's setup cannot change how
// the server runs.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "VGW_") || strings.HasPrefix(name, "ROOT_") || name == "LOGFILE" || name == "WEBHOOK" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// findBinary returns the path of versitygw, or "" if it is not installed.
func findBinary() string {
	if p := os.Getenv(BinaryEnv); p != "" {
		return p // a wrong path fails loudly when run
	}
	name := "versitygw"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	var dirs []string
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	if out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) == 2 {
			if gobin := strings.TrimSpace(lines[0]); gobin != "" {
				dirs = append(dirs, gobin)
			}
			for _, p := range filepath.SplitList(strings.TrimSpace(lines[1])) {
				dirs = append(dirs, filepath.Join(p, "bin"))
			}
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	dirs = append(dirs, filepath.Join(os.TempDir(), "gobin"))
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// Bucket creates the bucket name if this server does not have it yet, and
// returns name.
func (s *Server) Bucket(t testing.TB, name string) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.made[name] {
		return name
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := s.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
	var owned *types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		t.Fatalf("s3test: create bucket %s: %v", name, err)
	}
	s.made[name] = true
	return name
}

// Client returns an S3 client with the server's credentials, for setting
// up and checking objects without the code under test.
func (s *Server) Client() *s3.Client { return s.client }

// Options returns objstore options that reach this server.
func (s *Server) Options() objstore.Options {
	return objstore.Options{
		Endpoint:        s.Endpoint,
		Region:          s.Region,
		PathStyle:       true,
		AccessKeyID:     s.AccessKey,
		SecretAccessKey: s.SecretKey,
	}
}
