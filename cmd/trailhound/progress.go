package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/trailhound/trailhound/internal/ingest"
)

// progressBar draws one line, rewritten in place, on a terminal.
type progressBar struct {
	w    io.Writer
	last int
}

func (b *progressBar) update(p ingest.Progress) {
	if p.Optimizing {
		fmt.Fprintln(b.w, "Optimizing the store for queries...")
		return
	}
	const width = 28
	frac := 0.0
	if p.BytesTotal > 0 {
		frac = float64(p.BytesDone) / float64(p.BytesTotal)
	} else if p.ObjectsTotal > 0 {
		frac = float64(p.ObjectsDone) / float64(p.ObjectsTotal)
	}
	if frac > 1 {
		frac = 1
	}
	filled := int(frac * width)
	secs := p.Elapsed.Seconds()
	rate, mbps := 0.0, 0.0
	if secs > 0 {
		rate = float64(p.Records) / secs
		mbps = float64(p.BytesDone) / secs / 1e6
	}
	eta := "--"
	if frac > 0 && frac < 1 {
		eta = (time.Duration(secs/frac*(1-frac)) * time.Second).Round(time.Second).String()
	} else if p.Done {
		eta = "done"
	}
	line := fmt.Sprintf("[%s%s] %d/%d objects  %s records  %s rec/s  %.1f MB/s  ETA %s",
		strings.Repeat("=", filled), strings.Repeat(" ", width-filled), p.ObjectsDone, p.ObjectsTotal,
		human(float64(p.Records)), human(rate), mbps, eta)
	pad := ""
	if n := b.last - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	b.last = len(line)
	fmt.Fprintf(b.w, "\r%s%s", line, pad)
	if p.Done {
		fmt.Fprintln(b.w)
	}
}

// human renders a count with a k/M/G suffix.
func human(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.0fk", v/1e3)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}
