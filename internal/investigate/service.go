package investigate

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trailhound/trailhound"
)

// ServiceOptions configures a Service. Zero values take the defaults.
type ServiceOptions struct {
	Options
	// Log receives the outcome of background runs; nil discards.
	Log *slog.Logger
	// Concurrency bounds the runs computed at once; more wait, RUNNING,
	// in line. Default 1: an investigation reads much of the store, and
	// the machine is shared with ingest and the console.
	Concurrency int
	// Now is the clock; default time.Now.
	Now func() time.Time
	// NewID makes investigation ids; default 21 random digits, the form
	// of Detective's investigation ids.
	NewID func() string
}

// Service runs investigations and keeps them in the store's
// investigations table. It is safe for concurrent use. Close stops the
// background runs.
type Service struct {
	iv     *Investigator
	db     *sql.DB
	log    *slog.Logger
	now    func() time.Time
	newID  func() string
	sem    chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewService returns a Service over db, a database with the store's
// schema. Runs that were RUNNING when a previous process stopped are
// marked FAILED, since nothing will finish them.
func NewService(ctx context.Context, db *sql.DB, opts ServiceOptions) (*Service, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 1
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = randomID
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Service{iv: NewInvestigator(db, opts.Options), db: db, log: opts.Log, now: opts.Now, newID: opts.NewID,
		sem: make(chan struct{}, opts.Concurrency), ctx: bg, cancel: cancel}
	if _, err := db.ExecContext(ctx, `UPDATE investigations SET status = ?, error = ?, updated_at = ? WHERE status = ?`,
		string(Failed), "interrupted: the server stopped before the run finished", s.now().UTC(), string(Running)); err != nil {
		cancel()
		return nil, fmt.Errorf("investigate: recover interrupted runs: %w", err)
	}
	return s, nil
}

// Investigator returns the service's investigator.
func (s *Service) Investigator() *Investigator { return s.iv }

// randomID returns 21 decimal digits, the first not zero.
func randomID() string {
	n, err := rand.Int(rand.Reader, new(big.Int).Exp(big.NewInt(10), big.NewInt(21), nil))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	id := fmt.Sprintf("%021s", n.String())
	if id[0] == '0' {
		id = "1" + id[1:]
	}
	return id
}

// Start checks the request, stores the investigation as RUNNING and runs
// it in the background; Get shows its progress. Errors in the request
// (unknown entity, bad scope) are returned at once.
func (s *Service) Start(ctx context.Context, req Request) (*Investigation, error) {
	ent, scope, err := s.iv.Resolve(ctx, req)
	if err != nil {
		return nil, err
	}
	inv := s.pending(ent.Type, ent.ID, ent.Label, ent.ARN, ent.Account, scope)
	if err := s.insert(ctx, inv); err != nil {
		return nil, err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case s.sem <- struct{}{}:
		case <-s.ctx.Done():
			s.fail(inv, s.ctx.Err())
			return
		}
		defer func() { <-s.sem }()
		start := time.Now()
		res, err := s.iv.run(s.ctx, ent, scope)
		if err != nil {
			s.log.Error("investigation_failed", "id", inv.ID, "error", err.Error())
			s.fail(inv, err)
			return
		}
		s.complete(inv, res)
		s.log.Info("investigation_done", "id", inv.ID, "severity", string(res.Severity), "indicators", len(res.Indicators),
			"duration_ms", time.Since(start).Milliseconds())
	}()
	return inv, nil
}

// Run investigates synchronously and stores the result.
func (s *Service) Run(ctx context.Context, req Request) (*Investigation, error) {
	ent, scope, err := s.iv.Resolve(ctx, req)
	if err != nil {
		return nil, err
	}
	inv := s.pending(ent.Type, ent.ID, ent.Label, ent.ARN, ent.Account, scope)
	if err := s.insert(ctx, inv); err != nil {
		return nil, err
	}
	res, err := s.iv.run(ctx, ent, scope)
	if err != nil {
		s.fail(inv, err)
		return nil, err
	}
	return s.complete(inv, res), nil
}

// Wait blocks until the background runs started so far have finished.
func (s *Service) Wait() { s.wg.Wait() }

// Close cancels the background runs, marks them FAILED and waits for
// them.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

func (s *Service) pending(ns trailhound.Namespace, id, label, arn, account string, scope trailhound.Scope) *Investigation {
	now := s.now().Unix()
	return &Investigation{ID: s.newID(), Entity: Ref{Type: ns, ID: id}, Label: label, ARN: arn, Account: account,
		Scope: ScopeJSON{Start: scope.Start, End: scope.End}, Baseline: ScopeJSON{Start: scope.Baseline(s.iv.baseline).Start, End: scope.Start},
		Status: Running, State: Active, CreatedAt: now, UpdatedAt: now,
		Indicators: []Indicator{}, SeverityReasons: []string{}, NextSteps: []string{}, Notes: []string{},
		IndicatorCounts: map[IndicatorType]int{}, Tactics: []TacticSummary{}, Involved: []Involved{}, Addresses: []AddressSummary{}}
}

func (s *Service) insert(ctx context.Context, inv *Investigation) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO investigations (id, entity_type, entity_id, entity_label, entity_arn, scope_start, scope_end,
  status, state, severity, severity_rank, indicators, tactics, created_at, updated_at, error, result)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, 0, '', ?, ?, NULL, NULL)`,
		inv.ID, string(inv.Entity.Type), inv.Entity.ID, inv.Label, inv.ARN, inv.Scope.Start, inv.Scope.End,
		string(inv.Status), string(inv.State), time.Unix(inv.CreatedAt, 0).UTC(), time.Unix(inv.UpdatedAt, 0).UTC())
	if err != nil {
		return fmt.Errorf("investigate: store: %w", err)
	}
	return nil
}

// complete stores a successful result under the pending run's id.
func (s *Service) complete(pending, res *Investigation) *Investigation {
	res.ID, res.CreatedAt, res.UpdatedAt = pending.ID, pending.CreatedAt, s.now().Unix()
	res.Status, res.State = Successful, Active
	body, err := json.Marshal(res)
	if err != nil {
		s.fail(pending, err)
		return res
	}
	var tactics []string
	for _, t := range res.Tactics {
		tactics = append(tactics, t.Tactic)
	}
	// Completion must be recorded even when the request that asked for
	// it is gone.
	_, err = s.db.ExecContext(context.Background(), `UPDATE investigations SET status = ?, severity = ?, severity_rank = ?, indicators = ?, tactics = ?,
  updated_at = ?, result = ? WHERE id = ?`,
		string(Successful), string(res.Severity), res.Severity.Rank(), len(res.Indicators), strings.Join(tactics, ","),
		time.Unix(res.UpdatedAt, 0).UTC(), string(body), pending.ID)
	if err != nil {
		s.log.Error("investigation_store_failed", "id", pending.ID, "error", err.Error())
	}
	return res
}

// fail records why a run failed. Internal details go to the log; the
// stored message is the user-facing one.
func (s *Service) fail(inv *Investigation, cause error) {
	msg := trailhound.ErrorMessage(cause)
	if errors.Is(cause, context.Canceled) {
		msg = "interrupted: the server stopped before the run finished"
	}
	_, err := s.db.ExecContext(context.Background(), `UPDATE investigations SET status = ?, error = ?, updated_at = ? WHERE id = ?`,
		string(Failed), msg, s.now().UTC(), inv.ID)
	if err != nil {
		s.log.Error("investigation_store_failed", "id", inv.ID, "error", err.Error())
	}
}

// Get returns an investigation, or ENOTFOUND.
func (s *Service) Get(ctx context.Context, id string) (*Investigation, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+summaryColumns+`, coalesce(result, '') FROM investigations WHERE id = ?`, id)
	var sum Summary
	var result string
	if err := scanSummary(row, &sum, &result); err == sql.ErrNoRows {
		return nil, trailhound.Errorf(trailhound.ENOTFOUND, "no investigation with id %q", id)
	} else if err != nil {
		return nil, fmt.Errorf("investigate: get: %w", err)
	}
	inv := &Investigation{Indicators: []Indicator{}, SeverityReasons: []string{}, NextSteps: []string{}, Notes: []string{},
		Tactics: []TacticSummary{}, Involved: []Involved{}, Addresses: []AddressSummary{}, IndicatorCounts: map[IndicatorType]int{}}
	if result != "" {
		if err := json.Unmarshal([]byte(result), inv); err != nil {
			return nil, fmt.Errorf("investigate: get %s: %w", id, err)
		}
	}
	// The columns are the truth for what changes after the run.
	inv.ID, inv.Entity, inv.Label, inv.ARN, inv.Scope = sum.ID, sum.Entity, sum.Label, sum.ARN, sum.Scope
	inv.Status, inv.State, inv.Severity, inv.Error = sum.Status, sum.State, sum.Severity, sum.Error
	inv.CreatedAt, inv.UpdatedAt = sum.CreatedAt, sum.UpdatedAt
	if inv.Baseline == (ScopeJSON{}) {
		inv.Baseline = ScopeJSON{Start: sum.Scope.Start - int64(s.iv.baseline/time.Second), End: sum.Scope.Start}
	}
	return inv, nil
}

// SetState archives or reactivates an investigation and returns it.
func (s *Service) SetState(ctx context.Context, id string, state State) (*Investigation, error) {
	if state != Active && state != Archived {
		return nil, trailhound.Errorf(trailhound.EINVALID, "state %q must be ACTIVE or ARCHIVED", state)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE investigations SET state = ?, updated_at = ? WHERE id = ?`, string(state), s.now().UTC(), id)
	if err != nil {
		return nil, fmt.Errorf("investigate: set state: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return nil, trailhound.Errorf(trailhound.ENOTFOUND, "no investigation with id %q", id)
	}
	return s.Get(ctx, id)
}

// Summary is an investigation as lists show it.
type Summary struct {
	ID         string    `json:"id"`
	Entity     Ref       `json:"entity"`
	Label      string    `json:"label,omitempty"`
	ARN        string    `json:"arn,omitempty"`
	Scope      ScopeJSON `json:"scope"`
	Status     Status    `json:"status"`
	State      State     `json:"state"`
	Severity   Severity  `json:"severity,omitempty"`
	Indicators int       `json:"indicators"`
	Tactics    []string  `json:"tactics"`
	CreatedAt  int64     `json:"createdAt"`
	UpdatedAt  int64     `json:"updatedAt"`
	Error      string    `json:"error,omitempty"`
}

const summaryColumns = `id, entity_type, entity_id, coalesce(entity_label, ''), coalesce(entity_arn, ''), scope_start, scope_end, status, state,
  coalesce(severity, ''), indicators, tactics, created_at, updated_at, coalesce(error, '')`

func scanSummary(sc interface{ Scan(...any) error }, s *Summary, extra ...any) error {
	var ns, status, state, sev, tactics string
	var created, updated time.Time
	dest := []any{&s.ID, &ns, &s.Entity.ID, &s.Label, &s.ARN, &s.Scope.Start, &s.Scope.End, &status, &state, &sev, &s.Indicators, &tactics,
		&created, &updated, &s.Error}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	s.Entity.Type, s.Status, s.State, s.Severity = trailhound.Namespace(ns), Status(status), State(state), Severity(sev)
	s.CreatedAt, s.UpdatedAt = created.Unix(), updated.Unix()
	s.Tactics = []string{}
	if tactics != "" {
		s.Tactics = strings.Split(tactics, ",")
	}
	return nil
}

// ListRequest filters and sorts the list of investigations. Empty filters
// match everything; a filter with several values matches any of them.
type ListRequest struct {
	// Entity matches the investigated entity by "<Namespace>/<id>", id
	// or ARN.
	Entity   string
	Status   []Status
	Severity []Severity
	State    []State
	// Sort is createdAt (the default), severity or status, with a
	// leading "-" for descending order; createdAt sorts newest first
	// unless "+createdAt" asks otherwise.
	Sort   string
	Limit  int
	Cursor string
}

// List is one page of investigations.
type List struct {
	Investigations []Summary `json:"investigations"`
	Total          int       `json:"total"`
	Cursor         string    `json:"cursor,omitempty"`
}

// List returns the investigations that match the filters, one page at a
// time.
func (s *Service) List(ctx context.Context, req ListRequest) (*List, error) {
	var conds []string
	var args []any
	in := func(col string, vals []string) {
		if len(vals) > 0 {
			conds = append(conds, col+` IN (`+placeholders(len(vals))+`)`)
			for _, v := range vals {
				args = append(args, v)
			}
		}
	}
	var st, sv, sa []string
	for _, v := range req.Status {
		st = append(st, string(v))
	}
	for _, v := range req.Severity {
		sv = append(sv, string(v))
	}
	for _, v := range req.State {
		sa = append(sa, string(v))
	}
	in("status", st)
	in("severity", sv)
	in("state", sa)
	if req.Entity != "" {
		c := `(entity_id = ? OR entity_arn = ?`
		args = append(args, req.Entity, req.Entity)
		if r, ok := trailhound.ParseEntityRef(req.Entity); ok {
			c += ` OR (entity_type = ? AND entity_id = ?)`
			args = append(args, string(r.Type), r.ID)
		}
		conds = append(conds, c+`)`)
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, " AND ")
	}
	order, err := sortClause(req.Sort)
	if err != nil {
		return nil, err
	}
	limit := req.Limit
	if limit <= 0 {
		limit = 50
	}
	if limit > 1000 {
		return nil, trailhound.Errorf(trailhound.EINVALID, "limit %d must be at most 1000", limit)
	}
	offset := 0
	if req.Cursor != "" {
		n, err := strconv.Atoi(req.Cursor)
		if err != nil || n < 0 {
			return nil, trailhound.Errorf(trailhound.EINVALID, "cursor %q is not one this server issued", req.Cursor)
		}
		offset = n
	}
	out := &List{Investigations: []Summary{}}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM investigations`+where, args...).Scan(&out.Total); err != nil {
		return nil, fmt.Errorf("investigate: list: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+summaryColumns+` FROM investigations`+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("investigate: list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sum Summary
		if err := scanSummary(rows, &sum); err != nil {
			return nil, fmt.Errorf("investigate: list: %w", err)
		}
		out.Investigations = append(out.Investigations, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("investigate: list: %w", err)
	}
	if offset+len(out.Investigations) < out.Total {
		out.Cursor = strconv.Itoa(offset + len(out.Investigations))
	}
	return out, nil
}

// sortClause turns a sort parameter into an ORDER BY over fixed column
// names; anything else is EINVALID.
func sortClause(sort string) (string, error) {
	desc := true
	field := sort
	switch {
	case strings.HasPrefix(sort, "-"):
		field = sort[1:]
	case strings.HasPrefix(sort, "+"):
		field, desc = sort[1:], false
	case sort != "" && sort != "createdAt":
		desc = false
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	switch field {
	case "", "createdAt":
		return "created_at" + dir + ", id" + dir, nil
	case "severity":
		return "severity_rank" + dir + ", created_at DESC, id DESC", nil
	case "status":
		return "status" + dir + ", created_at DESC, id DESC", nil
	}
	return "", trailhound.Errorf(trailhound.EINVALID, "sort %q must be createdAt, severity or status, optionally after - or +", sort)
}
