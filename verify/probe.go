package verify

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/composenet/composenet/topology"
)

// The probe is the program that runs inside every container of a verify
// project (composenet's hidden `probe` subcommand, copied into a FROM
// scratch image). It serves the container's declared ports, answering every
// TCP connection and UDP datagram with one identity line, and it runs the
// probe tasks that verify sends it with docker exec. It never connects to an
// address outside the task's allow list.

// identityPrefix starts the line a probe server sends to every client.
const identityPrefix = "composenet-probe addrs="

// Task is one probe action: a JSON line on the input of `composenet probe
// run`.
type Task struct {
	ID int `json:"id"`
	// Kind is dns, connect or ping.
	Kind string `json:"kind"`
	// Name is the name to look up (dns), or the host name to resolve and
	// connect to (connect, when Addr is empty).
	Name string `json:"name,omitempty"`
	// Addr is the address to connect to or ping.
	Addr string `json:"addr,omitempty"`
	// Port and Protocol (tcp or udp) say what to connect to.
	Port     uint16 `json:"port,omitempty"`
	Protocol string `json:"protocol,omitempty"`
	// Source, when set, is the local address the connect or ping is sent
	// from (the LAN client holds several).
	Source string `json:"source,omitempty"`
	// Allow are the prefixes a connect or ping may go to; anything else is
	// refused by the probe itself (outcome "outside").
	Allow []string `json:"allow,omitempty"`
	// TimeoutMS bounds the task.
	TimeoutMS int `json:"timeout_ms,omitempty"`
}

// Outcomes of a probe task.
const (
	OutConnected   = "connected"    // TCP handshake done / UDP reply / ICMP echo reply
	OutClosed      = "closed"       // TCP accepted, then closed without the probe's identity (docker-proxy with no backend)
	OutRefused     = "refused"      // RST or ICMP port unreachable
	OutTimeout     = "timeout"      // nothing came back
	OutNoRoute     = "no-route"     // ENETUNREACH at once
	OutHostUnreach = "host-unreach" // EHOSTUNREACH (ARP failed)
	OutUnresolved  = "not-resolved" // the name has no address
	OutAnswer      = "answer"       // dns: a reply came back (see Rcode)
	OutOutside     = "outside"      // not attempted: the address is not on the allow list
	OutError       = "error"        // the probe could not run the task
)

// Observation is the probe's answer to one Task.
type Observation struct {
	ID      int    `json:"id"`
	Outcome string `json:"outcome"`
	// Rcode and Source describe a name lookup (dns, or connect by name):
	// Source is "hosts" (the container's /etc/hosts) or "dns".
	Rcode  string `json:"rcode,omitempty"`
	Source string `json:"source,omitempty"`
	// Addrs are the addresses a lookup returned.
	Addrs []string `json:"addrs,omitempty"`
	// Target is the address a connect or ping went to.
	Target string `json:"target,omitempty"`
	// Peer are the addresses of the probe that answered (its identity).
	Peer   []string `json:"peer,omitempty"`
	Detail string   `json:"detail,omitempty"`
}

// Serve listens on every port of listen (all addresses) and answers each
// TCP connection and UDP datagram with the identity line until ctx ends.
// A port that cannot be bound (already taken in a shared namespace) is
// reported on log and skipped.
func Serve(ctx context.Context, listen []topology.PortProto, log io.Writer) error {
	return ServeOn(ctx, listen, nil, log)
}

// ServeOn is Serve on each address of on (all addresses when on is
// empty). A namespace with several addresses on one interface (the LAN
// client) needs it for UDP: a socket bound to the unspecified address
// answers from the address routing picks, not from the one the datagram
// was sent to, and the client's conntrack entry does not match the reply.
func ServeOn(ctx context.Context, listen []topology.PortProto, on []netip.Addr, log io.Writer) error {
	var wg sync.WaitGroup
	var closers []io.Closer
	var binds []string
	for _, pp := range listen {
		binds = binds[:0]
		for _, a := range on {
			binds = append(binds, netip.AddrPortFrom(a, pp.Port).String())
		}
		if len(on) == 0 {
			binds = append(binds, fmt.Sprintf(":%d", pp.Port))
		}
		for _, addr := range binds {
			closers = serveOne(pp, addr, closers, &wg, log)
		}
	}
	fmt.Fprintf(log, "probe: serving %d ports\n", len(closers))
	<-ctx.Done()
	for _, c := range closers {
		c.Close()
	}
	wg.Wait()
	return nil
}

// serveOne listens on addr for pp and answers with the identity line.
func serveOne(pp topology.PortProto, addr string, closers []io.Closer, wg *sync.WaitGroup, log io.Writer) []io.Closer {
	switch pp.Protocol {
	case "tcp":
		l, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Fprintf(log, "probe: cannot listen on %s %s: %v\n", pp, addr, err)
			return closers
		}
		closers = append(closers, l)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				go func() {
					c.SetDeadline(time.Now().Add(5 * time.Second))
					io.WriteString(c, identityLine())
					c.Close()
				}()
			}
		}()
	case "udp":
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			fmt.Fprintf(log, "probe: cannot listen on %s %s: %v\n", pp, addr, err)
			return closers
		}
		closers = append(closers, pc)
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1500)
			for {
				_, from, err := pc.ReadFrom(buf)
				if err != nil {
					return
				}
				pc.WriteTo([]byte(identityLine()), from)
			}
		}()
	default:
		fmt.Fprintf(log, "probe: %s: only tcp and udp are served\n", pp)
	}
	return closers
}

// identityLine names the answering probe by its interface addresses.
func identityLine() string {
	return identityPrefix + strings.Join(ownAddrs(), ",") + "\n"
}

// ownAddrs returns this namespace's non-loopback IPv4 addresses, sorted.
func ownAddrs() []string {
	var out []string
	ifaddrs, _ := net.InterfaceAddrs()
	for _, a := range ifaddrs {
		p, err := netip.ParsePrefix(a.String())
		if err != nil || !p.Addr().Is4() || p.Addr().IsLoopback() {
			continue
		}
		out = append(out, p.Addr().String())
	}
	slices.Sort(out)
	return out
}

// parseIdentity reads the addresses of an identity line.
func parseIdentity(line string) ([]string, bool) {
	line = strings.TrimSpace(line)
	rest, ok := strings.CutPrefix(line, identityPrefix)
	if !ok {
		return nil, false
	}
	if rest == "" {
		return []string{}, true
	}
	return strings.Split(rest, ","), true
}

// RunTasks reads JSON tasks, one per line, from r, runs them with up to 32
// at a time, and writes one JSON observation per task to w in task order.
func RunTasks(ctx context.Context, r io.Reader, w io.Writer) error {
	var tasks []Task
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var t Task
		if err := json.Unmarshal(sc.Bytes(), &t); err != nil {
			return fmt.Errorf("bad task: %v", err)
		}
		tasks = append(tasks, t)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	obs := runAll(ctx, tasks, resolverFromFiles("/etc/hosts", "/etc/resolv.conf"))
	enc := json.NewEncoder(w)
	for _, o := range obs {
		if err := enc.Encode(o); err != nil {
			return err
		}
	}
	return nil
}

// runAll runs tasks concurrently and returns their observations in order.
func runAll(ctx context.Context, tasks []Task, res *resolver) []Observation {
	out := make([]Observation, len(tasks))
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i, t := range tasks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = runTask(ctx, t, res)
			out[i].ID = t.ID
		}()
	}
	wg.Wait()
	return out
}

func taskTimeout(t Task) time.Duration {
	if t.TimeoutMS <= 0 {
		return 2 * time.Second
	}
	return time.Duration(t.TimeoutMS) * time.Millisecond
}

func runTask(ctx context.Context, t Task, res *resolver) Observation {
	ctx, cancel := context.WithTimeout(ctx, taskTimeout(t)+time.Second)
	defer cancel()
	switch t.Kind {
	case "dns":
		return res.lookup(ctx, t.Name, taskTimeout(t))
	case "connect", "ping":
		var o Observation
		addr := t.Addr
		if addr == "" {
			o = res.lookup(ctx, t.Name, taskTimeout(t))
			if len(o.Addrs) == 0 {
				o.Outcome = OutUnresolved
				return o
			}
			addr = o.Addrs[0]
		}
		a, err := netip.ParseAddr(addr)
		if err != nil {
			o.Outcome, o.Detail = OutError, fmt.Sprintf("bad address %q", addr)
			return o
		}
		o.Target = a.String()
		if !allowed(a, t.Allow) {
			o.Outcome = OutOutside
			o.Detail = a.String() + " is outside the project's networks, the host's bridges and loopback: not probed"
			return o
		}
		var c Observation
		var src netip.Addr
		if t.Source != "" {
			if src, err = netip.ParseAddr(t.Source); err != nil {
				o.Outcome, o.Detail = OutError, fmt.Sprintf("bad source address %q", t.Source)
				return o
			}
		}
		if t.Kind == "ping" {
			c = ping(ctx, src, a, taskTimeout(t))
		} else {
			c = connect(ctx, src, a, t.Port, t.Protocol, taskTimeout(t))
		}
		o.Outcome, o.Peer, o.Detail = c.Outcome, c.Peer, c.Detail
		return o
	}
	return Observation{Outcome: OutError, Detail: fmt.Sprintf("unknown task kind %q", t.Kind)}
}

// allowed reports whether a lies in one of the allow prefixes.
func allowed(a netip.Addr, allow []string) bool {
	for _, s := range allow {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			if b, err := netip.ParseAddr(s); err == nil && b == a {
				return true
			}
			continue
		}
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// classify turns a dial or I/O error into an outcome.
func classify(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return OutRefused
	case errors.Is(err, syscall.ENETUNREACH):
		return OutNoRoute
	case errors.Is(err, syscall.EHOSTUNREACH):
		return OutHostUnreach
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return OutTimeout
	case errors.As(err, &ne) && ne.Timeout():
		return OutTimeout
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF):
		return OutClosed
	}
	return OutError
}

// connect opens a TCP connection (or sends UDP datagrams) to a:port from
// src (any local address when src is zero) and reads the probe's identity.
func connect(ctx context.Context, src, a netip.Addr, port uint16, protocol string, timeout time.Duration) Observation {
	var o Observation
	ap := netip.AddrPortFrom(a, port).String()
	d := net.Dialer{Timeout: timeout}
	switch protocol {
	case "", "tcp":
		if src.IsValid() {
			d.LocalAddr = &net.TCPAddr{IP: src.AsSlice()}
		}
		c, err := d.DialContext(ctx, "tcp4", ap)
		if err != nil {
			o.Outcome, o.Detail = classify(err), err.Error()
			return o
		}
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(timeout))
		line, err := bufio.NewReader(c).ReadString('\n')
		if peer, ok := parseIdentity(line); ok {
			o.Outcome, o.Peer = OutConnected, peer
			return o
		}
		o.Outcome = OutClosed
		if err != nil {
			o.Detail = "accepted, then: " + err.Error()
		} else {
			o.Detail = "accepted, but the answer is not a probe's"
		}
		return o
	case "udp":
		if src.IsValid() {
			d.LocalAddr = &net.UDPAddr{IP: src.AsSlice()}
		}
		c, err := d.DialContext(ctx, "udp4", ap)
		if err != nil {
			o.Outcome, o.Detail = classify(err), err.Error()
			return o
		}
		defer c.Close()
		deadline := time.Now().Add(timeout)
		buf := make([]byte, 1500)
		// Three datagrams spread over the timeout: UDP may lose one.
		for i := 0; i < 3; i++ {
			if _, err := c.Write([]byte("composenet-probe?\n")); err != nil {
				o.Outcome, o.Detail = classify(err), err.Error()
				return o
			}
			step := time.Now().Add(timeout / 3)
			if i == 2 || step.After(deadline) {
				step = deadline
			}
			c.SetReadDeadline(step)
			n, err := c.Read(buf)
			if err == nil {
				if peer, ok := parseIdentity(string(buf[:n])); ok {
					o.Outcome, o.Peer = OutConnected, peer
					return o
				}
				o.Outcome, o.Detail = OutClosed, "a reply that is not a probe's"
				return o
			}
			if k := classify(err); k != OutTimeout {
				o.Outcome, o.Detail = k, err.Error()
				return o
			}
		}
		o.Outcome = OutTimeout
		return o
	}
	o.Outcome, o.Detail = OutError, fmt.Sprintf("protocol %q is not probed", protocol)
	return o
}

// ping sends ICMP echo requests on a raw socket (the probe runs as root
// with Docker's default CAP_NET_RAW) from src (any local address when src
// is zero) and waits for the matching reply.
func ping(ctx context.Context, src, a netip.Addr, timeout time.Duration) Observation {
	var o Observation
	local := "0.0.0.0"
	if src.IsValid() {
		local = src.String()
	}
	c, err := net.ListenPacket("ip4:icmp", local)
	if err != nil {
		o.Outcome, o.Detail = OutError, "no raw ICMP socket: "+err.Error()
		return o
	}
	defer c.Close()
	id := uint16(rand.Uint32())
	deadline := time.Now().Add(timeout)
	c.SetReadDeadline(deadline)
	dst := &net.IPAddr{IP: a.AsSlice()}
	buf := make([]byte, 1500)
	for seq := uint16(1); seq <= 3; seq++ {
		if _, err := c.WriteTo(echoRequest(id, seq), dst); err != nil {
			o.Outcome, o.Detail = classify(err), err.Error()
			return o
		}
		step := time.Now().Add(timeout / 3)
		if seq == 3 || step.After(deadline) {
			step = deadline
		}
		c.SetReadDeadline(step)
		for {
			n, from, err := c.ReadFrom(buf)
			if err != nil {
				if k := classify(err); k != OutTimeout {
					o.Outcome, o.Detail = k, err.Error()
					return o
				}
				break
			}
			ip, _ := from.(*net.IPAddr)
			if ip == nil || !ip.IP.Equal(dst.IP) || n < 8 {
				continue
			}
			switch {
			case buf[0] == 0 && binary.BigEndian.Uint16(buf[4:]) == id:
				o.Outcome = OutConnected
				return o
			case buf[0] == 3 && quotesEcho(buf[:n], id): // destination unreachable for this echo
				o.Outcome, o.Detail = OutHostUnreach, fmt.Sprintf("ICMP destination unreachable (code %d)", buf[1])
				return o
			}
		}
	}
	o.Outcome = OutTimeout
	return o
}

// quotesEcho reports whether the ICMP error msg quotes an echo request
// with identifier id: the raw socket sees every ICMP message of the
// namespace, including errors about other probes' UDP and TCP.
func quotesEcho(msg []byte, id uint16) bool {
	if len(msg) < 8+20 {
		return false
	}
	inner := msg[8:]
	ihl := int(inner[0]&0x0f) * 4
	if ihl < 20 || len(inner) < ihl+8 || inner[9] != 1 {
		return false
	}
	e := inner[ihl:]
	return e[0] == 8 && binary.BigEndian.Uint16(e[4:]) == id
}

// echoRequest builds an ICMP echo request.
func echoRequest(id, seq uint16) []byte {
	b := []byte{8, 0, 0, 0, byte(id >> 8), byte(id), byte(seq >> 8), byte(seq), 'c', 'o', 'm', 'p', 'o', 's', 'e', 'n'}
	cs := icmpChecksum(b)
	b[2], b[3] = byte(cs>>8), byte(cs)
	return b
}

func icmpChecksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s>>16 != 0 {
		s = s&0xFFFF + s>>16
	}
	return ^uint16(s)
}

// resolver looks names up the way a container's C library does with
// `hosts: files dns` and ndots:0: /etc/hosts first, then each nameserver
// of resolv.conf in order, the name as given (absolute).
type resolver struct {
	hosts       map[string][]string
	nameservers []string
}

func resolverFromFiles(hostsPath, resolvPath string) *resolver {
	r := &resolver{hosts: map[string][]string{}}
	if b, err := os.ReadFile(hostsPath); err == nil {
		r.hosts = parseHosts(string(b))
	}
	if b, err := os.ReadFile(resolvPath); err == nil {
		r.nameservers = parseNameservers(string(b))
	}
	return r
}

// parseHosts reads an /etc/hosts file: IPv4 entries only, names lowercased,
// addresses in file order.
func parseHosts(s string) map[string][]string {
	m := map[string][]string{}
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		a, err := netip.ParseAddr(f[0])
		if err != nil || !a.Is4() {
			continue
		}
		for _, n := range f[1:] {
			n = strings.ToLower(n)
			if !slices.Contains(m[n], a.String()) {
				m[n] = append(m[n], a.String())
			}
		}
	}
	return m
}

// parseNameservers reads the nameserver lines of a resolv.conf (IPv4 only,
// at most three, as the C library does).
func parseNameservers(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" {
			if a, err := netip.ParseAddr(f[1]); err == nil && a.Is4() && len(out) < 3 {
				out = append(out, a.String())
			}
		}
	}
	return out
}

func (r *resolver) lookup(ctx context.Context, name string, timeout time.Duration) Observation {
	o := Observation{Outcome: OutAnswer}
	if a, err := netip.ParseAddr(name); err == nil {
		o.Rcode, o.Addrs = "NOERROR", []string{a.String()}
		return o
	}
	q := strings.ToLower(strings.TrimSuffix(name, "."))
	if addrs := r.hosts[q]; len(addrs) > 0 {
		o.Rcode, o.Source, o.Addrs = "NOERROR", "hosts", addrs
		return o
	}
	o.Source = "dns"
	if len(r.nameservers) == 0 {
		o.Outcome, o.Detail = OutError, "no nameserver in /etc/resolv.conf"
		return o
	}
	per := timeout / time.Duration(len(r.nameservers))
	var last error
	for _, ns := range r.nameservers {
		rep, err := queryA(ctx, ns, q, per)
		if err != nil {
			last = err
			continue
		}
		o.Rcode = rcodeName(rep.Rcode)
		for _, a := range rep.Addrs {
			o.Addrs = append(o.Addrs, a.String())
		}
		return o
	}
	o.Outcome = classify(last)
	if o.Outcome == OutError || o.Outcome == OutClosed {
		o.Outcome = OutTimeout
	}
	o.Detail = fmt.Sprintf("no nameserver answered: %v", last)
	return o
}

// queryA asks ns for the A records of name over UDP, and over TCP when
// the answer is truncated.
func queryA(ctx context.Context, ns, name string, timeout time.Duration) (dnsReply, error) {
	id := uint16(rand.Uint32())
	msg, err := buildQuery(id, name, dnsTypeA)
	if err != nil {
		return dnsReply{}, err
	}
	d := net.Dialer{Timeout: timeout}
	c, err := d.DialContext(ctx, "udp4", net.JoinHostPort(ns, "53"))
	if err != nil {
		return dnsReply{}, err
	}
	defer c.Close()
	deadline := time.Now().Add(timeout)
	c.SetDeadline(deadline)
	if _, err := c.Write(msg); err != nil {
		return dnsReply{}, err
	}
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return dnsReply{}, err
		}
		rep, err := parseReply(buf[:n])
		if err != nil || rep.ID != id {
			continue
		}
		if !rep.Truncated {
			return rep, nil
		}
		break
	}
	tc, err := d.DialContext(ctx, "tcp4", net.JoinHostPort(ns, "53"))
	if err != nil {
		return dnsReply{}, err
	}
	defer tc.Close()
	tc.SetDeadline(deadline)
	if _, err := tc.Write(append([]byte{byte(len(msg) >> 8), byte(len(msg))}, msg...)); err != nil {
		return dnsReply{}, err
	}
	var lb [2]byte
	if _, err := io.ReadFull(tc, lb[:]); err != nil {
		return dnsReply{}, err
	}
	body := make([]byte, binary.BigEndian.Uint16(lb[:]))
	if _, err := io.ReadFull(tc, body); err != nil {
		return dnsReply{}, err
	}
	return parseReply(body)
}

// ServeNXDomain answers every DNS query on addr (UDP and TCP) with
// NXDOMAIN until ctx ends: a local upstream for dockerd so that no lookup
// leaves the machine during verify runs in CI.
func ServeNXDomain(ctx context.Context, addr string, log io.Writer) error {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		pc.Close()
		return err
	}
	fmt.Fprintf(log, "dns stub: answering NXDOMAIN on %s (udp, tcp)\n", addr)
	go func() {
		<-ctx.Done()
		pc.Close()
		l.Close()
	}()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				var lb [2]byte
				if _, err := io.ReadFull(c, lb[:]); err != nil {
					return
				}
				q := make([]byte, binary.BigEndian.Uint16(lb[:]))
				if _, err := io.ReadFull(c, q); err != nil {
					return
				}
				if a := nxdomainFor(q); a != nil {
					c.Write(append([]byte{byte(len(a) >> 8), byte(len(a))}, a...))
				}
			}()
		}
	}()
	buf := make([]byte, 4096)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if a := nxdomainFor(buf[:n]); a != nil {
			pc.WriteTo(a, from)
		}
	}
}
