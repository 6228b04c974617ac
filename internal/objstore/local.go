package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/trailhound/trailhound"
)

// Local stores follow these rules, chosen so that a folder of logs lists
// the same way every time and never shows a file being written:
//
//   - Names starting with "." are skipped, files and directories alike,
//     below the location given (the location itself may be hidden). This
//     leaves out .git, .DS_Store and editors' swap files, and the hidden
//     temporary files of Put, so a listing never sees a partial object.
//   - Symbolic links are followed, to files and to directories. A link to
//     a directory that is already being walked (a loop) is skipped, as are
//     dangling links: neither holds data of its own.
//   - Only regular files are objects; sockets, devices and pipes are
//     skipped. Nothing is skipped by extension.
//   - Files that disappear between reading a directory and examining them
//     are skipped; any other error (such as a permission error) stops the
//     listing, so that no file is missed silently.

func newLocalStore(location string) (Store, error) {
	abs, err := filepath.Abs(location)
	if err != nil {
		return nil, fmt.Errorf("objstore: %s: %w", location, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return nil, pathError(location, err)
	}
	switch {
	case info.IsDir():
		return &dirStore{root: abs}, nil
	case info.Mode().IsRegular():
		return &fileStore{path: abs, key: filepath.Base(abs)}, nil
	}
	return nil, trailhound.Errorf(trailhound.EINVALID, "not a regular file or directory: %s", location)
}

// pathError turns an error about a local path into a message naming that
// path, with a code for the failures a user can fix.
func pathError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return userErrorf(err, trailhound.ENOTFOUND, "no such file or directory: %s", path)
	case errors.Is(err, fs.ErrPermission):
		return userErrorf(err, trailhound.EUNAUTHORIZED, "permission denied: %s", path)
	case errors.Is(err, syscall.ENOTDIR):
		return userErrorf(err, trailhound.EINVALID, "not a directory: %s", path)
	}
	return fmt.Errorf("objstore: %w", err)
}

// dirStore is a local directory walked recursively.
type dirStore struct {
	root string // absolute and clean
}

func (s *dirStore) List(ctx context.Context, after string, fn func(Object) error) error {
	info, err := os.Stat(s.root)
	if err != nil {
		return pathError(s.root, err)
	}
	if !info.IsDir() {
		return trailhound.Errorf(trailhound.EINVALID, "not a directory: %s", s.root)
	}
	w := walker{ctx: ctx, after: after, fn: fn}
	return w.dir(s.root, "", []fs.FileInfo{info})
}

func (s *dirStore) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	path := o.URI
	if path == "" {
		if !filepath.IsLocal(filepath.FromSlash(o.Key)) {
			return nil, trailhound.Errorf(trailhound.EINVALID, "invalid object key %q for %s", o.Key, s.root)
		}
		path = filepath.Join(s.root, filepath.FromSlash(o.Key))
	}
	return openFile(ctx, path)
}

// fileStore is a single local file.
type fileStore struct {
	path string // absolute and clean
	key  string // base name
}

func (s *fileStore) List(ctx context.Context, after string, fn func(Object) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	info, err := os.Stat(s.path)
	if err != nil {
		return pathError(s.path, err)
	}
	if !info.Mode().IsRegular() {
		return trailhound.Errorf(trailhound.EINVALID, "not a regular file: %s", s.path)
	}
	if s.key <= after {
		return nil
	}
	return fn(localObject(s.path, s.key, info))
}

func (s *fileStore) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	path := o.URI
	if path == "" {
		if o.Key != s.key {
			return nil, trailhound.Errorf(trailhound.ENOTFOUND, "no object %q in %s", o.Key, s.path)
		}
		path = s.path
	}
	return openFile(ctx, path)
}

func openFile(ctx context.Context, path string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if strings.Contains(path, "://") {
		return nil, trailhound.Errorf(trailhound.EINVALID, "not a local object: %s", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = trailhound.Errorf(trailhound.EINVALID, "not a regular file: %s", path)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func localObject(path, key string, info fs.FileInfo) Object {
	return Object{URI: path, Key: key, Size: info.Size(), ModTime: info.ModTime().UTC()}
}

// walker lists a directory tree in lexical order of keys without sorting
// the whole tree: within each directory, entries are ordered by their name
// with "/" appended to directories, which is the order of the keys they
// lead to, so a depth-first walk yields keys in order. The same property
// lets it skip whole subtrees that sort before the checkpoint.
type walker struct {
	ctx   context.Context
	after string
	fn    func(Object) error
}

type dirItem struct {
	name string
	sort string // name, with "/" appended for directories
	dir  bool
	info fs.FileInfo // set for symbolic links, resolved
	ent  fs.DirEntry
}

func (w *walker) dir(path, prefix string, ancestors []fs.FileInfo) error {
	entries, err := os.ReadDir(path)
	if err != nil {
		return pathError(path, err)
	}
	items := make([]dirItem, 0, len(entries))
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		it := dirItem{name: name, sort: name, ent: e}
		switch t := e.Type(); {
		case t&fs.ModeSymlink != 0:
			info, err := os.Stat(filepath.Join(path, name))
			if errors.Is(err, fs.ErrNotExist) {
				continue // dangling link, or removed meanwhile
			}
			if err != nil {
				return pathError(filepath.Join(path, name), err)
			}
			if !info.IsDir() && !info.Mode().IsRegular() {
				continue
			}
			it.info, it.dir = info, info.IsDir()
		case t.IsDir():
			it.dir = true
		case !t.IsRegular():
			continue
		}
		if it.dir {
			it.sort += "/"
		}
		items = append(items, it)
	}
	slices.SortFunc(items, func(a, b dirItem) int { return strings.Compare(a.sort, b.sort) })

	for _, it := range items {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		key := prefix + it.sort
		full := filepath.Join(path, it.name)
		if !it.dir {
			if key <= w.after {
				continue
			}
			info, err := it.stat()
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return pathError(full, err)
			}
			if err := w.fn(localObject(full, key, info)); err != nil {
				return err
			}
			continue
		}
		// Every key below this directory starts with key (which ends in
		// "/"). If the checkpoint is past key without being inside it,
		// the whole subtree was listed before.
		if key < w.after && !strings.HasPrefix(w.after, key) {
			continue
		}
		info, err := it.stat()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return pathError(full, err)
		}
		if slices.ContainsFunc(ancestors, func(a fs.FileInfo) bool { return os.SameFile(a, info) }) {
			continue // a link back up the tree
		}
		if err := w.dir(full, key, append(ancestors, info)); err != nil {
			return err
		}
	}
	return nil
}

func (it *dirItem) stat() (fs.FileInfo, error) {
	if it.info != nil {
		return it.info, nil
	}
	return it.ent.Info()
}

// dirWriter puts objects as files under a local directory.
type dirWriter struct {
	root string // absolute and clean
}

func newDirWriter(location string) (Writer, error) {
	abs, err := filepath.Abs(location)
	if err != nil {
		return nil, fmt.Errorf("objstore: %s: %w", location, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, pathError(location, err)
	}
	return &dirWriter{root: abs}, nil
}

func (w *dirWriter) Put(ctx context.Context, key string, r io.Reader, size int64) (err error) {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dst := filepath.Join(w.root, filepath.FromSlash(key))
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return pathError(dir, err)
	}
	// The temporary name starts with "." so that listings skip it.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return pathError(dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	n, err := io.Copy(tmp, ctxReader{ctx: ctx, r: r})
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("objstore: put %s: %w", dst, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if size >= 0 && n != size {
		return fmt.Errorf("objstore: put %s: %w: got %d bytes, want %d", dst, errSizeMismatch, n, size)
	}
	// CreateTemp makes the file private; objects get the usual mode.
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("objstore: put %s: %w", dst, err)
	}
	// Sync before the rename, so that a crash cannot leave an empty file
	// under the final name.
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("objstore: put %s: %w", dst, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("objstore: put %s: %w", dst, err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("objstore: put %s: %w", dst, err)
	}
	return nil
}
