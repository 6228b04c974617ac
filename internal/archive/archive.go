// Package archive keeps a copy of every object ingested, named by the
// SHA-256 of its content, inside the data directory. The store keeps
// normalized columns and points back at an object and a record index; the
// archive holds the records exactly as AWS delivered them, compressed, so
// that every number can show the raw events behind it even after the
// original files are gone.
package archive

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/gzip"
)

// Archive is a folder of gzip-compressed objects named by content hash.
type Archive struct {
	dir string
}

// Open returns the archive in dir, creating the folder if needed.
func Open(dir string) (*Archive, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	return &Archive{dir: dir}, nil
}

// Dir returns the archive's folder.
func (a *Archive) Dir() string { return a.dir }

// path returns where the object with content hash sha lives.
func (a *Archive) path(sha string) string {
	if len(sha) < 4 {
		return filepath.Join(a.dir, "_", sha+".gz")
	}
	return filepath.Join(a.dir, sha[:2], sha+".gz")
}

// Has reports whether the object with content hash sha is archived.
func (a *Archive) Has(sha string) bool {
	_, err := os.Stat(a.path(sha))
	return err == nil
}

// Pending is an object being archived while it is read. Write the object's
// bytes as stored; Commit names it once its hash is known, Abort drops it.
type Pending struct {
	a    *Archive
	f    *os.File
	zw   *gzip.Writer // nil when the content is already gzip
	done bool
}

// Create starts archiving an object. gzipped says whether the bytes that
// will be written are already gzip; other content is compressed.
func (a *Archive) Create(gzipped bool) (*Pending, error) {
	f, err := os.CreateTemp(a.dir, ".pending-*")
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	p := &Pending{a: a, f: f}
	if !gzipped {
		p.zw, _ = gzip.NewWriterLevel(f, gzip.BestSpeed)
	}
	return p, nil
}

// Write implements io.Writer.
func (p *Pending) Write(b []byte) (int, error) {
	if p.zw != nil {
		return p.zw.Write(b)
	}
	return p.f.Write(b)
}

// Commit stores the object under its content hash. An object already
// archived is kept as it is.
func (p *Pending) Commit(sha string) error {
	if p.done {
		return errors.New("archive: object already committed or aborted")
	}
	p.done = true
	if p.zw != nil {
		if err := p.zw.Close(); err != nil {
			p.abort()
			return fmt.Errorf("archive: %w", err)
		}
	}
	if err := p.f.Close(); err != nil {
		os.Remove(p.f.Name())
		return fmt.Errorf("archive: %w", err)
	}
	dst := p.a.path(sha)
	// The folder almost always exists: create it only when the rename
	// says it does not, rather than asking for every object.
	err := os.Rename(p.f.Name(), dst)
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(filepath.Dir(dst), 0o755); err == nil {
			err = os.Rename(p.f.Name(), dst)
		}
	}
	if err != nil {
		os.Remove(p.f.Name())
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// Abort drops the partial object.
func (p *Pending) Abort() {
	if p.done {
		return
	}
	p.done = true
	p.abort()
}

func (p *Pending) abort() {
	p.f.Close()
	os.Remove(p.f.Name())
}

// Open returns the decompressed content of the archived object.
func (a *Archive) Open(sha string) (io.ReadCloser, error) {
	f, err := os.Open(a.path(sha))
	if err != nil {
		return nil, fmt.Errorf("archive: object %s: %w", sha, err)
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("archive: object %s: %w", sha, err)
	}
	return &readCloser{Reader: zr, close: func() error { zr.Close(); return f.Close() }}, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r *readCloser) Close() error { return r.close() }

// Clean removes partial objects left by an interrupted ingest.
func (a *Archive) Clean() error {
	matches, err := filepath.Glob(filepath.Join(a.dir, ".pending-*"))
	if err != nil {
		return err
	}
	for _, m := range matches {
		os.Remove(m)
	}
	return nil
}

// Remove deletes the archived object with content hash sha, if it is
// there, and reports whether it was.
func (a *Archive) Remove(sha string) (bool, error) {
	err := os.Remove(a.path(sha))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("archive: remove %s: %w", sha, err)
	}
	return true, nil
}
