package synth

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Writer stores generated objects. Put must read r to the end before it
// returns (the generator reuses the buffer behind r), and must be safe for
// concurrent use: workers write different keys at the same time. Keys use
// "/" separators, as S3 keys do.
type Writer interface {
	Put(ctx context.Context, key string, r io.Reader, size int64) error
}

// DirWriter writes objects as files under a local directory, creating
// folders as needed. Each file appears atomically: it is written under a
// temporary name and renamed.
type DirWriter struct {
	// Root is the directory that keys are relative to.
	Root string
}

// Put implements Writer.
func (d DirWriter) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "..") {
		return fmt.Errorf("synth: bad object key %q", key)
	}
	path := filepath.Join(d.Root, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("synth: write %s: %w", key, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("synth: write %s: %w", key, err)
	}
	tmp := f.Name()
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("wrote %d bytes, expected %d", n, size)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("synth: write %s: %w", key, err)
	}
	return nil
}
