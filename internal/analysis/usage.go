package analysis

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/trailhound/trailhound"
)

// UsageDays is the length of the usage window in days: the last days of
// data, ending with the day of the latest record.
const UsageDays = 30

// BytesPerGB is the size of the gigabyte the charge estimate uses (the
// binary gigabyte AWS bills in).
const BytesPerGB = 1 << 30

// PriceTier is one tier of Amazon Detective's data ingestion price: the
// next UpToGB gigabytes per account and region per month (0: all the
// rest) cost USDPerGB each.
type PriceTier struct {
	UpToGB   float64 `json:"upToGB"`
	USDPerGB float64 `json:"usdPerGB"`
}

// DetectiveTiers are the tiers of Detective's pricing page: the first
// 1,000 GB at $2.00, the next 4,000 GB at $1.00, the next 5,000 GB at
// $0.50 and everything above 10,000 GB at $0.25 per GB.
var DetectiveTiers = []PriceTier{
	{UpToGB: 1000, USDPerGB: 2.00},
	{UpToGB: 4000, USDPerGB: 1.00},
	{UpToGB: 5000, USDPerGB: 0.50},
	{UpToGB: 0, USDPerGB: 0.25},
}

// TieredCost is the price of gb gigabytes in one account and region for
// one month under tiers: each tier's rate applies to the gigabytes that
// fall in it. Negative volumes cost nothing.
func TieredCost(gb float64, tiers []PriceTier) float64 {
	var cost float64
	left := max(gb, 0)
	for _, t := range tiers {
		if left <= 0 {
			break
		}
		n := left
		if t.UpToGB > 0 {
			n = min(left, t.UpToGB)
		}
		cost += n * t.USDPerGB
		left -= n
	}
	return cost
}

// Usage is the ingested volume per account, region and source, with the
// projected monthly volume and what Detective would charge for it.
//
// An object's account and region come from its key when the key follows
// AWS's layout (…[AWSLogs/][o-org/]<account>/<CloudTrail|vpcflowlogs|
// GuardDuty>/<region>/…; GuardDuty exports thus count for the account
// that holds them); otherwise from its records (the smallest
// account and region among them). Its day is the UTC day of its earliest
// record. Only stored objects count (not skipped ones or duplicates).
// Bytes are the objects' sizes as delivered (compressed when they were);
// records are the records each object held, duplicates included.
type Usage struct {
	// WindowStart is the first day (epoch seconds, UTC midnight) of the
	// window of UsageDays days ending with the latest day of data.
	WindowStart int64 `json:"windowStart"`
	// WindowEnd is the end of the window (exclusive).
	WindowEnd int64 `json:"windowEnd"`
	// CoveredDays is how many of the window's days the store's data
	// spans (from the first day of data or the window start, whichever
	// is later); projections scale the window's volume by
	// UsageDays / CoveredDays.
	CoveredDays int64 `json:"coveredDays"`
	// Series are the volumes per account, region and source.
	Series []UsageSeries `json:"series"`
	// Charges are the projected monthly volume and estimated Detective
	// charge per account and region.
	Charges []UsageCharge `json:"charges"`
	// TotalProjectedBytes is the projected monthly volume of all accounts
	// and regions.
	TotalProjectedBytes int64 `json:"totalProjectedBytes"`
	// TotalMonthlyUSD is the sum of the charges.
	TotalMonthlyUSD float64 `json:"totalMonthlyUSD"`
	// Tiers are the prices used.
	Tiers []PriceTier `json:"tiers"`
	// PrunedBefore, when not zero, is the latest cutoff (epoch seconds)
	// before which the store's records were removed (trailhound prune,
	// serve --keep-days): the volumes count what is kept.
	PrunedBefore int64 `json:"prunedBefore,omitempty"`
}

// UsageSeries is the volume of one account, region and source.
type UsageSeries struct {
	Account string            `json:"account"`
	Region  string            `json:"region"`
	Source  trailhound.Source `json:"source"`
	// FirstSeen and LastSeen are the earliest and latest record times of
	// all its data, in the window or not.
	FirstSeen int64 `json:"firstSeen"`
	LastSeen  int64 `json:"lastSeen"`
	// Events and Bytes are the window's totals.
	Events int64 `json:"events"`
	Bytes  int64 `json:"bytes"`
	// ProjectedBytes is the window's bytes scaled to UsageDays days.
	ProjectedBytes int64 `json:"projectedBytes"`
	// Days has one entry per day of the window, oldest first.
	Days []UsageDay `json:"days"`
}

// UsageDay is one day's records and bytes.
type UsageDay struct {
	Start  int64 `json:"start"`
	Events int64 `json:"events"`
	Bytes  int64 `json:"bytes"`
}

// UsageCharge is the projected monthly volume of one account and region
// over all its sources, and Detective's price for it.
type UsageCharge struct {
	Account        string  `json:"account"`
	Region         string  `json:"region"`
	ProjectedBytes int64   `json:"projectedBytes"`
	ProjectedGB    float64 `json:"projectedGB"`
	MonthlyUSD     float64 `json:"monthlyUSD"`
}

// awsLogsKey matches the account, service folder and region of a key
// laid out as AWS delivers logs. The AWSLogs folder itself may be absent
// from the key, when ingest was pointed inside it.
var awsLogsKey = regexp.MustCompile(`(?:^|/)(?:o-[a-z0-9]+/)?([0-9]{12})/(?:CloudTrail|vpcflowlogs|GuardDuty)/([a-z0-9-]+)/`)

// AccountRegionFromKey returns the account and region of an object key
// in AWS's log layout (…[AWSLogs/][o-org/]<account>/<CloudTrail|
// vpcflowlogs|GuardDuty>/<region>/…), or ok false when the key does not
// follow it.
func AccountRegionFromKey(key string) (account, region string, ok bool) {
	m := awsLogsKey.FindStringSubmatch(key)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// Usage computes the ingested volume and the charge estimate.
func (e *Engine) Usage(ctx context.Context) (*Usage, error) {
	// Each stored object counts on the day of its first record (of its
	// modification when it has none) under the account and region of its
	// key in AWS's layout, or else of its records. The objects are summed
	// by those in the query (a large store holds hundreds of thousands of
	// them: 400 ms read one by one, 150 ms summed here). The key is
	// matched with AccountRegionFromKey's RE2 expression, once for both
	// groups, which DuckDB allows for a constant pattern only: the
	// expression, a constant of this package, is written into the
	// statement.
	rows, err := e.db.QueryContext(ctx, `WITH o AS (
    SELECT coalesce(o.source, '') AS source, o.size, o.records,
        regexp_extract(o.key, '`+strings.ReplaceAll(awsLogsKey.String(), "'", "''")+`', ['account', 'region']) AS k,
        r.account, r.region,
        CAST(floor(epoch(coalesce(r.t0, o.mod_time, o.ingested_at))) AS BIGINT) AS t0,
        CAST(floor(epoch(coalesce(r.t1, o.mod_time, o.ingested_at))) AS BIGINT) AS t1
    FROM objects o LEFT JOIN (
        SELECT object_id, min(first_time) AS t0, max(last_time) AS t1, min(account) AS account, min(region) AS region
        FROM object_accounts GROUP BY object_id) r ON r.object_id = o.object_id
    WHERE o.status = 'stored'
)
SELECT CASE WHEN k.account <> '' THEN k.account ELSE coalesce(account, '') END,
    CASE WHEN k.account <> '' THEN k.region ELSE coalesce(region, '') END,
    source, t0 - ((t0 % $1) + $1) % $1 AS day, sum(size)::BIGINT, sum(records)::BIGINT, min(t0), max(t1)
FROM o GROUP BY ALL`, Day)
	if err != nil {
		return nil, fmt.Errorf("analysis: usage: %w", err)
	}
	type group struct{ account, region, source string }
	type dayVolume struct {
		group
		day, size, records, first, last int64
	}
	var vols []dayVolume
	for rows.Next() {
		var v dayVolume
		if err := rows.Scan(&v.account, &v.region, &v.source, &v.day, &v.size, &v.records, &v.first, &v.last); err != nil {
			rows.Close()
			return nil, fmt.Errorf("analysis: usage: %w", err)
		}
		vols = append(vols, v)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("analysis: usage: %w", err)
	}
	out := &Usage{Series: []UsageSeries{}, Charges: []UsageCharge{}, Tiers: DetectiveTiers}
	if err := e.db.QueryRowContext(ctx, `SELECT `+prunedBefore).Scan(&out.PrunedBefore); err != nil {
		return nil, fmt.Errorf("analysis: usage: %w", err)
	}
	if len(vols) == 0 {
		return out, nil
	}
	lastDay, firstDay := vols[0].day, vols[0].day
	for _, v := range vols {
		lastDay = max(lastDay, v.day)
		firstDay = min(firstDay, v.day)
	}
	out.WindowStart = lastDay - (UsageDays-1)*Day
	out.WindowEnd = lastDay + Day
	out.CoveredDays = (lastDay-max(firstDay, out.WindowStart))/Day + 1
	series := map[group]*UsageSeries{}
	for _, v := range vols {
		s := series[v.group]
		if s == nil {
			s = &UsageSeries{Account: v.account, Region: v.region, Source: trailhound.Source(v.source),
				FirstSeen: v.first, LastSeen: v.last, Days: make([]UsageDay, UsageDays)}
			for i := range s.Days {
				s.Days[i].Start = out.WindowStart + int64(i)*Day
			}
			series[v.group] = s
		}
		s.FirstSeen = min(s.FirstSeen, v.first)
		s.LastSeen = max(s.LastSeen, v.last)
		if i := (v.day - out.WindowStart) / Day; v.day >= out.WindowStart && i < UsageDays {
			s.Days[i].Events += v.records
			s.Days[i].Bytes += v.size
			s.Events += v.records
			s.Bytes += v.size
		}
	}
	type ar struct{ account, region string }
	charges := map[ar]*UsageCharge{}
	for _, s := range series {
		s.ProjectedBytes = ProjectBytes(s.Bytes, out.CoveredDays)
		out.Series = append(out.Series, *s)
		k := ar{s.Account, s.Region}
		c := charges[k]
		if c == nil {
			c = &UsageCharge{Account: s.Account, Region: s.Region}
			charges[k] = c
		}
		c.ProjectedBytes += s.ProjectedBytes
	}
	sort.Slice(out.Series, func(i, j int) bool {
		a, b := out.Series[i], out.Series[j]
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.Source < b.Source
	})
	for _, c := range charges {
		c.ProjectedGB = float64(c.ProjectedBytes) / BytesPerGB
		c.MonthlyUSD = roundCents(TieredCost(c.ProjectedGB, DetectiveTiers))
		out.Charges = append(out.Charges, *c)
		out.TotalProjectedBytes += c.ProjectedBytes
		out.TotalMonthlyUSD += c.MonthlyUSD
	}
	out.TotalMonthlyUSD = roundCents(out.TotalMonthlyUSD)
	sort.Slice(out.Charges, func(i, j int) bool {
		a, b := out.Charges[i], out.Charges[j]
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		return a.Region < b.Region
	})
	return out, nil
}

// ProjectBytes scales the bytes of covered days of data to UsageDays
// days, rounding down.
func ProjectBytes(bytes, covered int64) int64 {
	if covered <= 0 {
		return 0
	}
	return bytes * UsageDays / covered
}

func roundCents(usd float64) float64 { return math.Round(usd*100) / 100 }
