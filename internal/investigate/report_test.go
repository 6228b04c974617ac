package investigate_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/investigate"
)

func TestReports(t *testing.T) {
	db := fixture(t)
	inv := run(t, newInvestigator(t, db, investigate.Options{}), trailhound.EntityRef{Type: trailhound.AwsUser, ID: alice.UserID})
	inv.ID = "123456789012345678901"
	for _, format := range []string{investigate.FormatHTML, investigate.FormatMarkdown} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := investigate.WriteReport(&buf, inv, format, investigate.ReportOptions{GeneratedAt: time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			goldenBytes(t, "alice.golden."+format, buf.Bytes())
			// The hostile user agent is data, never markup, a link or a
			// terminal escape.
			bad := []string{"<script>", `href="javascript`, "\x1b"}
			if format == investigate.FormatMarkdown {
				bad = append(bad, "](javascript", "[x](")
			}
			for _, bad := range bad {
				if strings.Contains(out, bad) {
					t.Errorf("%s report holds %q", format, bad)
				}
			}
			for _, want := range []string{"Persistence", "T1098.001", "/entities/AwsUser/AIDAEXAMPLEALICE00001?scopeStart=1793577600&", "Recommended next steps"} {
				if !strings.Contains(strings.ReplaceAll(out, "&amp;", "&"), want) && !strings.Contains(out, strings.ReplaceAll(want, ".", `\.`)) {
					t.Errorf("%s report lacks %q", format, want)
				}
			}
		})
	}
	t.Run("html is self-contained", func(t *testing.T) {
		var buf bytes.Buffer
		investigate.WriteReport(&buf, inv, investigate.FormatHTML, investigate.ReportOptions{})
		out := buf.String()
		if regexp.MustCompile(`(?i)<(script|img|link|iframe|object)\b|\bsrc=|url\(|https?://`).MatchString(out) {
			t.Error("the HTML report loads something or runs something")
		}
		if !strings.Contains(out, "&lt;script&gt;") {
			t.Error("the user agent is not shown escaped")
		}
	})
	t.Run("console url", func(t *testing.T) {
		var buf bytes.Buffer
		investigate.WriteReport(&buf, inv, investigate.FormatHTML, investigate.ReportOptions{ConsoleURL: "javascript:alert(1)//"})
		if strings.Contains(buf.String(), `href="javascript:`) {
			t.Error("a hostile console URL reached a link")
		}
	})
	t.Run("json", func(t *testing.T) {
		var buf bytes.Buffer
		if err := investigate.WriteReport(&buf, inv, investigate.FormatJSON, investigate.ReportOptions{}); err != nil || !strings.Contains(buf.String(), `"type": "TTP_OBSERVED"`) {
			t.Errorf("%v", err)
		}
		if err := investigate.WriteReport(&buf, inv, "pdf", investigate.ReportOptions{}); trailhound.ErrorCode(err) != trailhound.EINVALID {
			t.Errorf("pdf: %v", err)
		}
	})
}
