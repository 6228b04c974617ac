package analysis

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailhound/trailhound"
)

func TestHourGaps(t *testing.T) {
	const h0 = int64(1793318400) // an hour's start
	logged := func(hours ...int64) map[int64]bool {
		out := map[int64]bool{}
		for _, h := range hours {
			out[h0+h*Hour] = true
		}
		return out
	}
	sc := func(a, b int64) trailhound.Scope { return trailhound.Scope{Start: a, End: b} }
	for _, tc := range []struct {
		name   string
		window trailhound.Scope
		logged map[int64]bool
		want   []trailhound.Scope
	}{
		{"every hour logged", sc(h0, h0+3*Hour), logged(0, 1, 2), nil},
		{"nothing logged", sc(h0, h0+3*Hour), logged(), []trailhound.Scope{sc(h0, h0+3*Hour)}},
		{"gaps at both ends and inside", sc(h0, h0+6*Hour), logged(1, 2, 4), []trailhound.Scope{sc(h0, h0+Hour), sc(h0+3*Hour, h0+4*Hour), sc(h0+5*Hour, h0+6*Hour)}},
		{"logged hours outside the window do not count", sc(h0+Hour, h0+3*Hour), logged(0, 3), []trailhound.Scope{sc(h0+Hour, h0+3*Hour)}},
		// Rows are filed under their hour's start: a window starting
		// inside an hour holds none of that hour's rows.
		{"unaligned start", sc(h0+1800, h0+2*Hour), logged(), []trailhound.Scope{sc(h0+Hour, h0+2*Hour)}},
		{"unaligned end", sc(h0, h0+Hour+60), logged(0), []trailhound.Scope{sc(h0+Hour, h0+Hour+60)}},
		{"window within one hour", sc(h0+60, h0+120), logged(), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, hourGaps(tc.window, tc.logged)); diff != "" {
				t.Errorf("gaps (-want +got):\n%s", diff)
			}
		})
	}
}
