package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// The LAN client (issue 16): a network namespace, created by the caller
// (scripts/verify-lan.sh), joined to the host by a veth pair. verify runs
// the probe inside it (`ip netns exec NS composenet probe run`) and asks
// what a machine on the host's LAN would: the published ports on the
// host's address on that link (R7-9, R7-11's inbound branch; bindings on
// every interface vs 127.0.0.1), ICMP to that address, and container
// addresses straight through the host (the direct-routing block of R7-9),
// each from every address the namespace holds. The host description
// (--host) names the host side of the veth in `interfaces:` and may hold
// the host's DOCKER-USER rules (R7-20 to R7-23), so every prediction is
// sim.Reach with FROM = the client's address.

// lanClient is the LAN client as verify found it.
type lanClient struct {
	netns string
	// addrs are the client's IPv4 addresses in the namespace, sorted.
	addrs []netip.Addr
	// iface and hostAddr are the host side of the link: the interface of
	// the host description whose prefix holds the client's addresses, and
	// its address there.
	iface    string
	hostAddr netip.Addr
	prefix   netip.Prefix
	// routes are the routes verify added inside the namespace (the
	// project's subnets via hostAddr), removed at teardown.
	routes []netip.Prefix
	// server is the probe serving lanPorts inside the namespace, so that
	// the containers' egress to the LAN can be probed.
	server *exec.Cmd
}

// lanPorts are the ports the LAN client serves for the containers' egress
// queries.
var lanPorts = []topology.PortProto{{Port: 18190, Protocol: "tcp"}, {Port: 18191, Protocol: "udp"}}

// lanOwner names the LAN client's namespace in world.owner.
const lanOwner = "the LAN client"

// setLAN makes l the world's LAN client: its addresses belong to it.
func (w *world) setLAN(l *lanClient) {
	w.lan = l
	for _, a := range l.addrs {
		w.owner[a] = lanOwner
	}
}

// runner is the probe-runner key of the LAN client (container names
// never hold a colon).
func (l *lanClient) runner() string { return "lan:" + l.netns }

// ipCmd runs ip(8) with args.
func ipCmd(ctx context.Context, args ...string) ([]byte, error) {
	var out, errb bytes.Buffer
	c := exec.CommandContext(ctx, "ip", args...)
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return out.Bytes(), fmt.Errorf("ip %s: %s", strings.Join(args, " "), msg)
	}
	return out.Bytes(), nil
}

// findLAN checks the namespace and the host description: the namespace
// must exist and hold IPv4 addresses, and the host description must name
// a host interface on their subnet that exists with that address.
func findLAN(ctx context.Context, netns string, t *topology.Topology) (*lanClient, error) {
	if _, err := exec.LookPath("ip"); err != nil {
		return nil, &ToolError{Msg: "--lan-netns needs ip(8) from iproute2 (apt-get install iproute2)"}
	}
	out, err := ipCmd(ctx, "-n", netns, "-4", "-o", "addr", "show")
	if err != nil {
		return nil, &ToolError{Msg: "--lan-netns " + netns + ": " + oneLine(err.Error()) + " (create it with ip netns add; scripts/verify-lan.sh does)"}
	}
	l := &lanClient{netns: netns}
	var prefixes []netip.Prefix
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		for i := 0; i+1 < len(f); i++ {
			if f[i] != "inet" {
				continue
			}
			p, err := netip.ParsePrefix(f[i+1])
			if err == nil && p.Addr().Is4() && !p.Addr().IsLoopback() {
				l.addrs = append(l.addrs, p.Addr())
				prefixes = append(prefixes, p)
			}
		}
	}
	if len(l.addrs) == 0 {
		return nil, &ToolError{Msg: "--lan-netns " + netns + ": the namespace has no IPv4 address outside loopback"}
	}
	slices.SortFunc(l.addrs, func(a, b netip.Addr) int { return a.Compare(b) })
	for _, ifc := range t.Host.Interfaces {
		for _, p := range ifc.Addresses {
			if p.Addr().Is4() && p.Masked().Contains(l.addrs[0]) {
				l.iface, l.hostAddr, l.prefix = ifc.Name, p.Addr(), p.Masked()
			}
		}
	}
	if l.iface == "" {
		return nil, &ToolError{Msg: fmt.Sprintf("--lan-netns %s: the host description (--host) names no interface on the client's subnet %s: add `interfaces: [{name: <host end of the veth>, addresses: [<its address>/%d]}]`", netns, prefixes[0].Masked(), prefixes[0].Bits())}
	}
	for _, a := range l.addrs {
		if !l.prefix.Contains(a) {
			return nil, &ToolError{Msg: fmt.Sprintf("--lan-netns %s: the client's addresses must share one subnet (%s is outside %s)", netns, a, l.prefix)}
		}
	}
	ifc, err := net.InterfaceByName(l.iface)
	if err != nil {
		return nil, &ToolError{Msg: fmt.Sprintf("--lan-netns %s: the host description's interface %s does not exist on this host", netns, l.iface)}
	}
	has := false
	if as, err := ifc.Addrs(); err == nil {
		for _, a := range as {
			if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr() == l.hostAddr {
				has = true
			}
		}
	}
	if !has {
		return nil, &ToolError{Msg: fmt.Sprintf("--lan-netns %s: the host description gives %s the address %s, but the host's %s does not hold it", netns, l.iface, l.hostAddr, l.iface)}
	}
	return l, nil
}

// addRoutes routes the project's subnets from the namespace through the
// host's end of the link, as a LAN router that knows them would (the
// premise of R7-9's direct-routing block). The routes live in the test's
// own namespace only.
func (l *lanClient) addRoutes(ctx context.Context, subnets []netip.Prefix) error {
	for _, p := range subnets {
		if _, err := ipCmd(ctx, "-n", l.netns, "route", "replace", p.String(), "via", l.hostAddr.String()); err != nil {
			return &ToolError{Msg: "routing the project's subnets in the LAN namespace: " + oneLine(err.Error())}
		}
		l.routes = append(l.routes, p)
	}
	return nil
}

// delRoutes removes the routes addRoutes added.
func (l *lanClient) delRoutes(ctx context.Context) {
	for _, p := range l.routes {
		ipCmd(ctx, "-n", l.netns, "route", "del", p.String(), "via", l.hostAddr.String())
	}
	l.routes = nil
}

// serve starts the probe's server on lanPorts inside the namespace and
// waits until it listens (at most 5 s).
func (l *lanClient) serve(ctx context.Context, probe string) error {
	args := []string{"netns", "exec", l.netns, probe, "probe", "serve"}
	for _, pp := range lanPorts {
		args = append(args, "--listen", pp.String())
	}
	// One socket per address: UDP replies must come from the address the
	// container sent to (ServeOn).
	for _, a := range l.addrs {
		args = append(args, "--on", a.String())
	}
	c := exec.Command("ip", args...)
	errp, err := c.StderrPipe()
	if err != nil {
		return err
	}
	if err := c.Start(); err != nil {
		return &ToolError{Msg: "starting the LAN client's probe server: " + err.Error()}
	}
	l.server = c
	ready := make(chan string, 1)
	go func() {
		var b bytes.Buffer
		buf := make([]byte, 512)
		for {
			n, err := errp.Read(buf)
			b.Write(buf[:n])
			if strings.Contains(b.String(), "probe: serving") || err != nil {
				select {
				case ready <- b.String():
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	select {
	case out := <-ready:
		if !strings.Contains(out, fmt.Sprintf("serving %d ports", len(lanPorts)*len(l.addrs))) {
			return &ToolError{Msg: "the LAN client's probe server did not start: " + oneLine(out)}
		}
	case <-time.After(5 * time.Second):
		return &ToolError{Msg: "the LAN client's probe server did not start within 5 s"}
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// stop ends the server (SIGTERM to the process verify started, then
// SIGKILL after 5 s).
func (l *lanClient) stop() {
	if l.server == nil || l.server.Process == nil {
		return
	}
	l.server.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { l.server.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		l.server.Process.Kill()
		<-done
	}
	l.server = nil
}

// exec runs the probe's task runner inside the namespace.
func (l *lanClient) exec(ctx context.Context, probe string, tasks []Task) (map[int]Observation, error) {
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, t := range tasks {
		enc.Encode(t)
	}
	var out, errb bytes.Buffer
	c := exec.CommandContext(ctx, "ip", "netns", "exec", l.netns, probe, "probe", "run")
	c.Stdin, c.Stdout, c.Stderr = &in, &out, &errb
	if err := c.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("ip netns exec %s: %s", l.netns, oneLine(msg))
	}
	return decodeObservations(out.Bytes())
}

// lanQueries are the LAN client's questions, from each of its addresses:
// every published port on the host's address on the link, an ICMP echo to
// that address, and every served port and ICMP echo of every container
// address (direct routing).
func (w *world) lanQueries(l *lanClient) []*query {
	var qs []*query
	// The client may probe the host's end of the link and the project's
	// own containers, nothing else.
	allow := []string{netip.PrefixFrom(l.hostAddr, 32).String()}
	for ip, owner := range w.owner {
		if owner != "host" && owner != lanOwner {
			allow = append(allow, netip.PrefixFrom(ip, 32).String())
		}
	}
	slices.Sort(allow)
	for _, a := range l.addrs {
		from := a.String()
		add := func(q *query) {
			q.runner = l.runner()
			q.task.Source = from
			q.task.Allow = allow
			qs = append(qs, q)
		}
		// The host's address on the link: published ports (R7-9, R8-9
		// kernel DNAT; DOCKER-USER after DNAT, R7-20), loopback-only
		// bindings (R7-9: refused), and the host itself (ICMP).
		r := w.s.Reach(sim.Query{From: from, To: l.hostAddr.String()})
		q := &query{task: Task{Kind: "ping", Addr: l.hostAddr.String()}}
		q.QueryResult = QueryResult{Kind: KindPing, From: from, To: l.hostAddr.String() + " (the host on " + l.iface + ")", Protocol: "icmp"}
		w.predictReach(q, r)
		add(q)
		for _, b := range w.bindings() {
			r := w.s.Reach(sim.Query{From: from, To: l.hostAddr.String(), Port: b.b.HostPort, Protocol: b.b.Protocol})
			q := &query{task: Task{Kind: "connect", Addr: l.hostAddr.String(), Port: b.actual, Protocol: b.b.Protocol}}
			q.QueryResult = QueryResult{Kind: KindConnect, From: from, To: fmt.Sprintf("%s (host on %s; %s publishes %s:%d)", l.hostAddr, l.iface, b.c.Name, b.b.HostIP, b.actual), Port: b.actual, Protocol: b.b.Protocol}
			w.predictReach(q, r)
			add(q)
		}
		// Container addresses, routed through the host (R7-9 direct
		// routing).
		for _, t := range w.sources() {
			if t.NetworkMode == "host" {
				continue
			}
			for _, e := range t.Endpoints {
				ip, ok := w.actualIP(t, e.Network)
				if !ok || !e.IPv4.IsValid() {
					continue
				}
				what := t.Name + " on " + e.Network.Name + ", routed through the host"
				pps := append([]topology.PortProto{{}}, w.listenSet(t)...)
				for _, pp := range pps {
					kind := KindConnect
					if pp.Port == 0 {
						kind = KindPing
					}
					r := w.s.Reach(sim.Query{From: from, To: e.IPv4.String(), Port: pp.Port, Protocol: pp.Protocol})
					q := &query{task: Task{Kind: kind, Addr: ip.String(), Port: pp.Port, Protocol: pp.Protocol}}
					q.QueryResult = QueryResult{Kind: kind, From: from, To: ip.String() + " (" + what + ")", Port: pp.Port, Protocol: pp.Protocol}
					if kind == KindPing {
						q.Protocol = "icmp"
					}
					w.predictReach(q, r)
					add(q)
				}
			}
		}
	}
	qs = append(qs, w.egressQueries(l)...)
	return qs
}

// egressQueries connect from every container to the ports the LAN client
// serves, on each of its addresses: container egress to the LAN (R7-8,
// MASQUERADE), through DOCKER-USER with its replies (R7-20, R7-23).
func (w *world) egressQueries(l *lanClient) []*query {
	var qs []*query
	for _, c := range w.sources() {
		if c.NetworkMode == "host" || c.NetworkMode == "none" {
			continue
		}
		for _, a := range l.addrs {
			for _, pp := range lanPorts {
				r := w.s.Reach(sim.Query{From: c.Name, To: a.String(), Port: pp.Port, Protocol: pp.Protocol})
				q := &query{runner: c.Name, task: Task{Kind: "connect", Addr: a.String(), Port: pp.Port, Protocol: pp.Protocol, Allow: []string{netip.PrefixFrom(a, 32).String()}}}
				q.QueryResult = QueryResult{Kind: KindConnect, From: c.Name, To: a.String() + " (the LAN client)", Port: pp.Port, Protocol: pp.Protocol}
				w.predictReach(q, r)
				if q.want.peers == nil && len(q.want.outcomes) == 1 && q.want.outcomes[0] == OutConnected {
					// The LAN client's probe answers with its own addresses.
					q.want.peers = []string{lanOwner}
				}
				qs = append(qs, q)
			}
		}
	}
	return qs
}
