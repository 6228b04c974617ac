package api

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPIPaths keeps docs/openapi.yaml and the routes in step: every
// route is documented and every documented path is served.
func TestOpenAPIPaths(t *testing.T) {
	doc, err := os.ReadFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile(`(?m)^  (/api/v1/\S*):$`).FindAllSubmatch(doc, -1) {
		documented = append(documented, string(m[1]))
	}
	var served []string
	for _, r := range routeTable {
		_, path, _ := strings.Cut(r.pattern, " ")
		if strings.HasSuffix(path, "...}") {
			continue // the lenient form of the entity route, documented with it
		}
		served = append(served, path)
	}
	slices.Sort(documented)
	slices.Sort(served)
	// A path served for several methods is documented once.
	served = slices.Compact(served)
	if !slices.Equal(documented, served) {
		t.Errorf("documented %q\nserved     %q", documented, served)
	}
}
