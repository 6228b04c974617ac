package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/trailhound/trailhound/client"
)

func TestSummaryUsageRequests(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.RequestURI())
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/summary":
			w.Write([]byte(`{"scope":{"scopeStart":60,"scopeEnd":180},"topUsers":[{"entity":{"type":"AwsUser","id":"AIDAX"},"success":3}]}`))
		case "/api/v1/usage":
			w.Write([]byte(`{"totalMonthlyUSD":12.5,"charges":[{"account":"111122223333","region":"us-east-1","monthlyUSD":12.5}]}`))
		}
	}))
	defer srv.Close()
	c, err := client.New(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := c.Summary(ctx, client.Scope{Start: 60, End: 180})
	if err != nil {
		t.Fatal(err)
	}
	if s.Scope.End != 180 || len(s.TopUsers) != 1 || s.TopUsers[0].Success != 3 {
		t.Errorf("summary %+v", s)
	}
	if _, err := c.Summary(ctx, client.Scope{}); err != nil {
		t.Fatal(err)
	}
	u, err := c.Usage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u.TotalMonthlyUSD != 12.5 || len(u.Charges) != 1 {
		t.Errorf("usage %+v", u)
	}
	want := []string{"/api/v1/summary?scopeEnd=180&scopeStart=60", "/api/v1/summary", "/api/v1/usage"}
	if len(got) != len(want) {
		t.Fatalf("requests %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d: %q, want %q", i, got[i], want[i])
		}
	}
}
