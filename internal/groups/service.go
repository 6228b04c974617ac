package groups

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"
)

// Options configures grouping. Zero values take the defaults.
type Options struct {
	// Window is how far apart in time two findings' observed periods may
	// be for a shared entity to relate them; default 24 hours.
	Window time.Duration
	// ChainWindow is how far apart they may be when the earlier
	// finding's ATT&CK tactic comes at or before the later one's in
	// kill-chain order (an attack moving on from discovery to impact);
	// default 72 hours. It is never shorter than Window.
	ChainWindow time.Duration
	// MaxFindingsPerEntity: an entity that this many other findings
	// already name relates no further findings; default 50.
	MaxFindingsPerEntity int
	// MaxPrincipalsPerAddress: an address that more principals (users,
	// role sessions, federated users) called from is a shared egress
	// (an office, a NAT gateway) and relates no findings; default 15.
	MaxPrincipalsPerAddress int
	// ScannerTargets: an address whose inbound connections were rejected
	// at this many local addresses or more is an internet scanner and
	// relates no findings; default 5.
	ScannerTargets int
	// MaxRelated: an entity linked in the behavior graph (created,
	// started, access key of) to more entities than this during a
	// finding's window is not followed; default 25.
	MaxRelated int
	// Evidence supplies the informational evidence shown with each
	// group; default StoreEvidence over the same database.
	Evidence EvidenceSource
	// Baseline is how far before a group's scope the default evidence
	// source compares with; default 45 days.
	Baseline time.Duration
	// EvidenceLead is how long before its first finding a group's
	// evidence scope starts: findings are often reported after the first
	// calls of what they describe; default 1 hour.
	EvidenceLead time.Duration
	// Log receives progress and errors of background updates; nil
	// discards.
	Log *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Window <= 0 {
		o.Window = 24 * time.Hour
	}
	if o.ChainWindow <= 0 {
		o.ChainWindow = 72 * time.Hour
	}
	o.ChainWindow = max(o.ChainWindow, o.Window)
	if o.MaxFindingsPerEntity <= 0 {
		o.MaxFindingsPerEntity = 50
	}
	if o.MaxPrincipalsPerAddress <= 0 {
		o.MaxPrincipalsPerAddress = 15
	}
	if o.ScannerTargets <= 0 {
		o.ScannerTargets = 5
	}
	if o.MaxRelated <= 0 {
		o.MaxRelated = 25
	}
	if o.EvidenceLead <= 0 {
		o.EvidenceLead = time.Hour
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Service keeps the finding groups of one store and answers questions
// about them. It is safe for concurrent use; changes are serialized.
type Service struct {
	db   *sql.DB
	opts Options
	mu   sync.Mutex // serializes changes
}

// New returns the groups of db, a database with the store's schema
// (migration 003 included).
func New(db *sql.DB, opts Options) *Service {
	opts = opts.withDefaults()
	if opts.Evidence == nil {
		opts.Evidence = StoreEvidence(db, opts.Baseline)
	}
	return &Service{db: db, opts: opts}
}

// UpdateResult says what an update or a rebuild did.
type UpdateResult struct {
	// Findings is the number of new or updated findings placed.
	Findings int `json:"findings"`
	// Created, Changed and Closed count the groups made, grown or
	// recomputed, and made inactive.
	Created int `json:"created"`
	Changed int `json:"changed"`
	Closed  int `json:"closed"`
	// Active is the number of active groups afterwards.
	Active int `json:"active"`
}

// Update places the findings stored since the last update (new findings
// and new versions of known ones) into the groups. Findings already placed
// are not regrouped.
func (s *Service) Update(ctx context.Context) (*UpdateResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	done, err := s.watermark(ctx)
	if err != nil {
		return nil, err
	}
	var latest int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(batch_id), 0) FROM findings`).Scan(&latest); err != nil {
		return nil, fmt.Errorf("groups: update: %w", err)
	}
	if latest <= done {
		return s.result(ctx, nil)
	}
	ids, err := s.idsSince(ctx, done, latest)
	if err != nil {
		return nil, err
	}
	g, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.placeAll(ctx, g, ids); err != nil {
		return nil, err
	}
	if err := s.save(ctx, g, saveOptions{watermark: latest}); err != nil {
		return nil, err
	}
	return s.result(ctx, g)
}

// Rebuild discards every group and groups all findings again, obeying
// the analysts' splits and merges. It repairs groups after a failed
// update or a change of options; groups made the same way get the same
// ids as before. who is recorded in the audit log.
func (s *Service) Rebuild(ctx context.Context, who string) (*UpdateResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var latest int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(batch_id), 0) FROM findings`).Scan(&latest); err != nil {
		return nil, fmt.Errorf("groups: rebuild: %w", err)
	}
	ids, err := s.idsSince(ctx, 0, latest)
	if err != nil {
		return nil, err
	}
	g := newGrouping(s.opts, s.opts.Now().Unix())
	if err := s.loadConstraints(ctx, g); err != nil {
		return nil, err
	}
	if err := s.placeAll(ctx, g, ids); err != nil {
		return nil, err
	}
	e := &Edit{At: g.now, Who: cleanWho(who), Action: OriginRebuild, Results: []string{},
		Text: fmt.Sprintf("Rebuilt the finding groups from %d findings.", len(ids))}
	if err := s.save(ctx, g, saveOptions{watermark: latest, reset: true, edit: e}); err != nil {
		return nil, err
	}
	return s.result(ctx, g)
}

// placeAll loads the findings ids and places them, earliest observed
// first, so that groups grow in the order the activity happened.
func (s *Service) placeAll(ctx context.Context, g *grouping, ids []string) error {
	fs, err := s.loadFindings(ctx, ids)
	if err != nil {
		return err
	}
	sort.Slice(fs, func(i, j int) bool {
		if fs[i].First != fs[j].First {
			return fs[i].First < fs[j].First
		}
		return fs[i].ID < fs[j].ID
	})
	for _, f := range fs {
		g.place(f)
	}
	return nil
}

func (s *Service) result(ctx context.Context, g *grouping) (*UpdateResult, error) {
	r := &UpdateResult{}
	if g != nil {
		r.Findings = len(g.processed)
		for id := range g.touched {
			gr := g.groups[id]
			switch {
			case gr.Status == StatusInactive:
				r.Closed++
			case g.made[id]:
				r.Created++
			default:
				r.Changed++
			}
		}
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM finding_groups WHERE status = 'active'`).Scan(&r.Active); err != nil {
		return nil, fmt.Errorf("groups: count: %w", err)
	}
	return r, nil
}

// WatchInterval is how often Watch looks for new findings.
const WatchInterval = 15 * time.Second

// Watch updates the groups now and then every interval until ctx is
// done, so that groups follow the findings a long-running server
// ingests. Failures are logged and retried at the next tick.
func (s *Service) Watch(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = WatchInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		start := time.Now()
		r, err := s.Update(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.opts.Log.Warn("groups_update_failed", "error", err.Error())
		case r.Findings > 0:
			s.opts.Log.Info("groups_updated", "findings", r.Findings, "created", r.Created, "changed", r.Changed,
				"closed", r.Closed, "active", r.Active, "duration_ms", time.Since(start).Milliseconds())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
