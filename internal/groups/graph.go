package groups

import (
	"context"
	"fmt"
	"sort"

	"github.com/trailhound/trailhound"
)

// Graph is a group as nodes and edges for drawing: its findings (similar
// ones aggregated), the entities they name and the relationships that
// relate them. Times on nodes and edges let a client replay how the group
// grew.
type Graph struct {
	Group Ref    `json:"group"`
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
	// Truncated is set when the group has more nodes than the answer
	// holds (TotalNodes); the most severe findings and the entities most
	// findings share are kept.
	Truncated  bool `json:"truncated"`
	TotalNodes int  `json:"totalNodes"`
}

// Node kinds.
const (
	NodeFinding   = "Finding"
	NodeAggregate = "FindingAggregate"
)

// Node is one finding, one aggregate of similar findings, or one entity.
type Node struct {
	// Key identifies the node within the graph: "<type>/<id>".
	Key string `json:"key"`
	// Type is "Finding", "FindingAggregate" or the entity's namespace;
	// ID is the finding id, the finding type of an aggregate, or the
	// entity id.
	Type  string `json:"type"`
	ID    string `json:"id"`
	Label string `json:"label"`
	// Severity is a finding's, or the highest of the findings an
	// aggregate holds or an entity is named by.
	Severity float64 `json:"severity"`
	Band     string  `json:"band"`
	// FirstSeen and LastSeen bound the observed periods involved;
	// JoinedAt is when the node's first finding joined the group.
	FirstSeen int64 `json:"firstSeen"`
	LastSeen  int64 `json:"lastSeen"`
	JoinedAt  int64 `json:"joinedAt"`
	// Count and Findings: the findings an aggregate holds.
	Count    int      `json:"count,omitempty"`
	Findings []string `json:"findings,omitempty"`
	// FindingType and Tactic describe finding and aggregate nodes.
	FindingType string `json:"findingType,omitempty"`
	Tactic      string `json:"tactic,omitempty"`
	// Related is set on entities no member names, which relate members
	// through the behavior graph.
	Related bool `json:"related,omitempty"`
}

// Edge is a finding naming an entity ("involves", with Count findings for
// an aggregate) or a relationship of the graph between two entities
// ("created", "started_by", ...), from Source to Target node keys.
type Edge struct {
	Source    string `json:"source"`
	Target    string `json:"target"`
	Kind      string `json:"kind"`
	Count     int    `json:"count,omitempty"`
	FirstSeen int64  `json:"firstSeen"`
}

// GraphOptions shape a group's graph.
type GraphOptions struct {
	// Aggregate collapses findings of the same type into one node.
	Aggregate bool
	// MaxNodes bounds the nodes returned; default 500.
	MaxNodes int
}

// Graph returns group id as nodes and edges.
func (s *Service) Graph(ctx context.Context, id string, o GraphOptions) (*Graph, error) {
	if o.MaxNodes <= 0 {
		o.MaxNodes = 500
	}
	d, err := s.detail(ctx, id, false)
	if err != nil {
		return nil, err
	}
	out := &Graph{Group: Ref{Type: trailhound.FindingGroup, ID: id}, Nodes: []Node{}, Edges: []Edge{}}
	byType := map[string]int{}
	for _, m := range d.Findings {
		byType[m.Type]++
	}
	nodes := map[string]*Node{}
	var order []string
	add := func(n Node) *Node {
		if old := nodes[n.Key]; old != nil {
			return old
		}
		nodes[n.Key] = &n
		order = append(order, n.Key)
		return &n
	}
	findingNode := map[string]string{} // finding id → node key
	for _, m := range d.Findings {
		var n *Node
		if o.Aggregate && byType[m.Type] > 1 {
			n = add(Node{Key: NodeAggregate + "/" + m.Type, Type: NodeAggregate, ID: m.Type, FindingType: m.Type, Tactic: m.Tactic,
				FirstSeen: m.FirstSeen, LastSeen: m.LastSeen, JoinedAt: m.JoinedAt})
			n.Count++
			n.Findings = append(n.Findings, m.ID)
			n.Label = fmt.Sprintf("%s (%d)", m.Type, n.Count)
		} else {
			n = add(Node{Key: NodeFinding + "/" + m.ID, Type: NodeFinding, ID: m.ID, Label: m.Title, FindingType: m.Type, Tactic: m.Tactic,
				FirstSeen: m.FirstSeen, LastSeen: m.LastSeen, JoinedAt: m.JoinedAt})
			if n.Label == "" {
				n.Label = m.Type
			}
		}
		n.Severity = max(n.Severity, m.Severity)
		n.FirstSeen, n.LastSeen, n.JoinedAt = min(n.FirstSeen, m.FirstSeen), max(n.LastSeen, m.LastSeen), min(n.JoinedAt, m.JoinedAt)
		findingNode[m.ID] = n.Key
	}
	member := map[string]Member{}
	for _, m := range d.Findings {
		member[m.ID] = m
	}
	for _, e := range d.Entities {
		n := add(Node{Key: string(e.Type) + "/" + e.ID, Type: string(e.Type), ID: e.ID, Label: e.Label, FirstSeen: e.FirstSeen, LastSeen: e.LastSeen,
			Related: e.Related})
		if n.Label == "" {
			n.Label = e.ID
		}
		n.JoinedAt = -1
		for _, fid := range e.Findings {
			m := member[fid]
			n.Severity = max(n.Severity, m.Severity)
			if n.JoinedAt < 0 || m.JoinedAt < n.JoinedAt {
				n.JoinedAt = m.JoinedAt
			}
		}
		n.JoinedAt = max(n.JoinedAt, 0)
	}
	edges := map[[3]string]*Edge{}
	var edgeOrder [][3]string
	addEdge := func(src, dst, kind string, at int64) {
		k := [3]string{src, dst, kind}
		if e := edges[k]; e != nil {
			e.Count++
			e.FirstSeen = min(e.FirstSeen, at)
			return
		}
		edges[k] = &Edge{Source: src, Target: dst, Kind: kind, Count: 1, FirstSeen: at}
		edgeOrder = append(edgeOrder, k)
	}
	ignored := map[Ref]bool{}
	for _, ig := range d.Ignored {
		ignored[Ref{Type: ig.Type, ID: ig.ID}] = true
	}
	for _, m := range d.Findings {
		for _, r := range m.Entities {
			if ignored[r] || nodes[r.String()] == nil {
				continue
			}
			addEdge(findingNode[m.ID], r.String(), "involves", m.FirstSeen)
		}
		for _, r := range m.Reasons {
			if r.Entity == nil {
				continue
			}
			if r.Named != nil && nodes[r.Named.String()] != nil {
				addEdge(r.Named.String(), r.Entity.String(), r.Relation, m.JoinedAt)
			}
			if r.ViaNamed != nil && nodes[r.ViaNamed.String()] != nil {
				addEdge(r.ViaNamed.String(), r.Entity.String(), r.ViaRelation, m.JoinedAt)
			}
		}
	}
	for _, k := range order {
		n := nodes[k]
		n.Band = Band(n.Severity)
		if n.Type != NodeAggregate {
			n.Count, n.Findings = 0, nil
		}
		out.Nodes = append(out.Nodes, *n)
	}
	for _, k := range edgeOrder {
		e := edges[k]
		if e.Kind != "involves" || !o.Aggregate || nodes[e.Source].Type != NodeAggregate {
			e.Count = 0
		}
		out.Edges = append(out.Edges, *e)
	}
	out.TotalNodes = len(out.Nodes)
	if len(out.Nodes) > o.MaxNodes {
		truncate(out, o.MaxNodes)
	}
	return out, nil
}

// truncate keeps the max most important nodes: findings by severity, then
// entities by how many edges they have, and the edges between them.
func truncate(g *Graph, max int) {
	degree := map[string]int{}
	for _, e := range g.Edges {
		degree[e.Source]++
		degree[e.Target]++
	}
	isFinding := func(n Node) bool { return n.Type == NodeFinding || n.Type == NodeAggregate }
	sort.SliceStable(g.Nodes, func(i, j int) bool {
		a, b := g.Nodes[i], g.Nodes[j]
		if isFinding(a) != isFinding(b) {
			return isFinding(a)
		}
		if isFinding(a) && a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		return degree[a.Key] > degree[b.Key]
	})
	g.Nodes = g.Nodes[:max]
	kept := map[string]bool{}
	for _, n := range g.Nodes {
		kept[n.Key] = true
	}
	edges := g.Edges[:0]
	for _, e := range g.Edges {
		if kept[e.Source] && kept[e.Target] {
			edges = append(edges, e)
		}
	}
	g.Edges = edges
	g.Truncated = true
}
