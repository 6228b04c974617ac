package groups

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"time"

	"github.com/trailhound/trailhound"
	"github.com/trailhound/trailhound/internal/geoip"
	"github.com/trailhound/trailhound/internal/graph"
)

// linking lists the entity types that relate findings: those that name
// one actor or one resource of an incident.
var linking = map[trailhound.Namespace]bool{
	trailhound.AwsUser: true, trailhound.AwsRole: true, trailhound.AwsRoleSession: true, trailhound.FederatedUser: true,
	trailhound.AccessKey: true, trailhound.Ec2Instance: true, trailhound.IPAddress: true, trailhound.S3Bucket: true,
	trailhound.ContainerCluster: true, trailhound.ContainerPod: true, trailhound.ContainerImage: true, trailhound.KubernetesSubject: true,
}

// typeIgnored says why entities of the other types relate no findings.
var typeIgnored = map[trailhound.Namespace]string{
	trailhound.AwsAccount:       "the account: every finding names the account it belongs to",
	trailhound.AwsService:       "an AWS service principal: services act for every principal of the account",
	trailhound.UserAgent:        "a user agent: every user of the same tool sends it",
	trailhound.AutonomousSystem: "a network operator, not one host",
}

// Relationships of the behavior graph that relate findings naming
// different entities, with the relation read from each end.
var relations = map[graph.RelKind][2]string{
	graph.RelCreated:   {RelCreated, RelCreatedBy}, // src created dst
	graph.RelStartedBy: {RelStartedBy, RelStarted}, // src was started by dst
	graph.RelKeyOf:     {RelKeyOf, RelHasKey},      // src is an access key of dst
}

// loadFindings reads the latest versions of findings ids with the
// entities they name, decides which of those relate findings, and
// follows the behavior graph from them.
func (s *Service) loadFindings(ctx context.Context, ids []string) ([]*finding, error) {
	fs := map[string]*finding{}
	err := chunks(ids, func(part []any) error {
		m, err := s.readFindings(ctx, `id IN (`+placeholders(len(part))+`)`, part...)
		for k, v := range m {
			fs[k] = v
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	byKey := map[int64]*finding{}
	keys := make([]string, 0, len(fs))
	for id, f := range fs {
		k := trailhound.EntityRef{Type: trailhound.FindingEntity, ID: id}.Key()
		byKey[k] = f
		keys = append(keys, fmt.Sprint(k))
	}
	// Entities named by any version of the findings.
	pairs := map[int64][]int64{}
	dsts := map[int64]bool{}
	err = chunks(keys, func(part []any) error {
		rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT src, dst FROM edges WHERE kind = ? AND src IN (`+placeholders(len(part))+`)`,
			append([]any{string(graph.RelFindingOf)}, part...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var src, dst int64
			if err := rows.Scan(&src, &dst); err != nil {
				return err
			}
			pairs[src] = append(pairs[src], dst)
			dsts[dst] = true
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("groups: finding entities: %w", err)
	}
	refs, err := s.refsOf(ctx, dsts)
	if err != nil {
		return nil, err
	}
	for k, f := range byKey {
		seen := map[Ref]bool{}
		for _, d := range pairs[k] {
			r, ok := refs[d]
			if !ok || seen[r] {
				continue
			}
			seen[r] = true
			f.Named = append(f.Named, named{Ref: r})
		}
		sort.Slice(f.Named, func(i, j int) bool { return f.Named[i].String() < f.Named[j].String() })
	}
	if err := s.ignoreByKind(ctx, fs); err != nil {
		return nil, err
	}
	if err := s.follow(ctx, fs); err != nil {
		return nil, err
	}
	out := make([]*finding, 0, len(fs))
	for _, f := range fs {
		out = append(out, f)
	}
	return out, nil
}

// refsOf resolves entity keys to references.
func (s *Service) refsOf(ctx context.Context, keys map[int64]bool) (map[int64]Ref, error) {
	list := make([]string, 0, len(keys))
	for k := range keys {
		list = append(list, fmt.Sprint(k))
	}
	out := map[int64]Ref{}
	err := chunks(list, func(part []any) error {
		rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT key, namespace, id FROM entities WHERE key IN (`+placeholders(len(part))+`)`, part...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k int64
			var ns, id string
			if err := rows.Scan(&k, &ns, &id); err != nil {
				return err
			}
			out[k] = Ref{Type: trailhound.Namespace(ns), ID: id}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("groups: entity names: %w", err)
	}
	return out, nil
}

// ignoreByKind marks the named entities that relate no findings because
// of what they are: the account, service principals, addresses that are
// not public, shared egress addresses and internet scanners.
func (s *Service) ignoreByKind(ctx context.Context, fs map[string]*finding) error {
	public := map[string]bool{}
	for _, f := range fs {
		for i := range f.Named {
			n := &f.Named[i]
			if !linking[n.Type] {
				n.Ignored = typeIgnored[n.Type]
				if n.Ignored == "" {
					n.Ignored = "entities of this type do not relate findings"
				}
				continue
			}
			if n.Type != trailhound.IPAddress {
				continue
			}
			a, err := netip.ParseAddr(n.ID)
			if err != nil {
				n.Ignored = "not an address"
				continue
			}
			if c := geoip.ClassOf(a); c != geoip.Public {
				n.Ignored = fmt.Sprintf("a %s address: the same address exists in other networks", c)
				continue
			}
			if f.Action == "PORT_PROBE" {
				// The probers of a port probe scan the whole internet, and
				// the instance probed is named by its id.
				n.Ignored = "an address of a port-probe finding: probers scan every address on the internet"
				continue
			}
			public[n.ID] = true
		}
	}
	if len(public) == 0 {
		return nil
	}
	keys := make([]string, 0, len(public))
	byKey := map[int64]string{}
	for ip := range public {
		k := trailhound.EntityRef{Type: trailhound.IPAddress, ID: ip}.Key()
		byKey[k] = ip
		keys = append(keys, fmt.Sprint(k))
	}
	principals := map[string]int{}
	scanned := map[string]int{}
	err := chunks(keys, func(part []any) error {
		rows, err := s.db.QueryContext(ctx, `SELECT e.dst, count(DISTINCT e.src) FROM edges e
WHERE e.kind = ? AND e.dst IN (`+placeholders(len(part))+`)
  AND e.src IN (SELECT key FROM entities WHERE namespace IN (?, ?, ?))
GROUP BY e.dst`, append(append([]any{string(graph.RelUsedIP)}, part...),
			string(trailhound.AwsUser), string(trailhound.AwsRoleSession), string(trailhound.FederatedUser))...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k int64
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return err
			}
			principals[byKey[k]] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = s.db.QueryContext(ctx, `SELECT remote_key, count(DISTINCT local_key) FROM flows
WHERE action = 'REJECT' AND direction = 'ingress' AND remote_key IN (`+placeholders(len(part))+`) GROUP BY remote_key`, part...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k int64
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				return err
			}
			scanned[byKey[k]] = n
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("groups: address degrees: %w", err)
	}
	for _, f := range fs {
		for i := range f.Named {
			n := &f.Named[i]
			if n.Type != trailhound.IPAddress || n.Ignored != "" {
				continue
			}
			if p := principals[n.ID]; p > s.opts.MaxPrincipalsPerAddress {
				n.Ignored = fmt.Sprintf("used by %d principals (more than %d): a shared egress address such as an office or a NAT gateway", p, s.opts.MaxPrincipalsPerAddress)
			} else if c := scanned[n.ID]; c >= s.opts.ScannerTargets {
				n.Ignored = fmt.Sprintf("an internet scanner: its connections were rejected at %d local addresses (the limit is %d)", c, s.opts.ScannerTargets)
			}
		}
	}
	return nil
}

// follow adds to each finding the entities that the behavior graph links
// to the entities it names (who created an instance, which principal
// started a session, whose access key it is), as observed around the
// finding's time. An entity linked to more than MaxRelated others in
// that time is not followed: it would relate too much.
func (s *Service) follow(ctx context.Context, fs map[string]*finding) error {
	keys := map[int64]bool{}
	for _, f := range fs {
		for _, n := range f.Named {
			if n.Ignored == "" {
				keys[n.entityRef().Key()] = true
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	type edge struct {
		kind        graph.RelKind
		src, dst    int64
		first, last int64
	}
	var edges []edge
	ends := map[int64]bool{}
	list := make([]string, 0, len(keys))
	for k := range keys {
		list = append(list, fmt.Sprint(k))
	}
	kinds := []any{string(graph.RelCreated), string(graph.RelStartedBy), string(graph.RelKeyOf)}
	err := chunks(list, func(part []any) error {
		args := append(append(append([]any{}, kinds...), part...), part...)
		rows, err := s.db.QueryContext(ctx, `SELECT kind, src, dst, min(first_seen), max(last_seen) FROM edges
WHERE kind IN (?, ?, ?) AND (src IN (`+placeholders(len(part))+`) OR dst IN (`+placeholders(len(part))+`))
GROUP BY kind, src, dst`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e edge
			var kind string
			var first, last time.Time
			if err := rows.Scan(&kind, &e.src, &e.dst, &first, &last); err != nil {
				return err
			}
			e.kind, e.first, e.last = graph.RelKind(kind), first.Unix(), last.Unix()
			edges = append(edges, e)
			ends[e.src], ends[e.dst] = true, true
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("groups: related entities: %w", err)
	}
	if len(edges) == 0 {
		return nil
	}
	refs, err := s.refsOf(ctx, ends)
	if err != nil {
		return err
	}
	type link struct {
		other    Ref
		relation string
		first    int64
		last     int64
	}
	byEntity := map[Ref][]link{}
	for _, e := range edges {
		src, ok1 := refs[e.src]
		dst, ok2 := refs[e.dst]
		rel, ok3 := relations[e.kind]
		if !ok1 || !ok2 || !ok3 || src == dst {
			continue
		}
		byEntity[src] = append(byEntity[src], link{dst, rel[0], e.first, e.last})
		byEntity[dst] = append(byEntity[dst], link{src, rel[1], e.first, e.last})
	}
	window := int64(s.opts.Window.Seconds())
	for _, f := range fs {
		names := map[Ref]bool{}
		for _, n := range f.Named {
			names[n.Ref] = true
		}
		seen := map[[2]Ref]bool{}
		for _, n := range f.Named {
			if n.Ignored != "" {
				continue
			}
			var found []related
			for _, l := range byEntity[n.Ref] {
				// Observed around the finding, and an entity the finding
				// does not name already.
				if l.last < f.First-window || l.first > f.Last+window || names[l.other] || !linking[l.other.Type] || l.other.Type == trailhound.IPAddress {
					continue
				}
				if seen[[2]Ref{n.Ref, l.other}] {
					continue
				}
				seen[[2]Ref{n.Ref, l.other}] = true
				at := max(l.first, f.First-window)
				found = append(found, related{Entity: l.other, Named: n.Ref, Relation: l.relation, At: at})
			}
			if len(found) > s.opts.MaxRelated {
				continue
			}
			f.Related = append(f.Related, found...)
		}
		sort.Slice(f.Related, func(i, j int) bool {
			a, b := f.Related[i], f.Related[j]
			if a.Entity != b.Entity {
				return a.Entity.String() < b.Entity.String()
			}
			return a.Named.String() < b.Named.String()
		})
	}
	return nil
}
