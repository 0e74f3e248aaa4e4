package verify

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/composenet/composenet/topology"
)

func TestDNSQueryRoundTripThroughNXDomainStub(t *testing.T) {
	q, err := buildQuery(0x1234, "db.shop_back.", dnsTypeA)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := parseReply(nxdomainFor(q))
	if err != nil {
		t.Fatal(err)
	}
	if rep.ID != 0x1234 || rep.Rcode != rcodeNXDomain || len(rep.Addrs) != 0 {
		t.Fatalf("reply = %+v, want id 0x1234 NXDOMAIN without answers", rep)
	}
	if nxdomainFor([]byte{1, 2, 3}) != nil {
		t.Fatal("a 3-byte message got an answer")
	}
}

func TestParseReplyAnswers(t *testing.T) {
	q, _ := buildQuery(7, "web", dnsTypeA)
	// header: response, 1 question, 2 answers; answers use a pointer to
	// the question name.
	msg := append([]byte{}, q...)
	msg[2], msg[3] = 0x81, 0x80
	msg[7] = 2
	for _, ip := range [][4]byte{{172, 18, 0, 3}, {172, 18, 0, 2}} {
		msg = append(msg, 0xC0, 12, 0, 1, 0, 1, 0, 0, 2, 0x58, 0, 4)
		msg = append(msg, ip[:]...)
	}
	rep, err := parseReply(msg)
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Addr{netip.MustParseAddr("172.18.0.3"), netip.MustParseAddr("172.18.0.2")}
	if rep.Rcode != 0 || !slices.Equal(rep.Addrs, want) {
		t.Fatalf("reply = %+v, want NOERROR %v", rep, want)
	}
	if _, err := parseReply(msg[:len(msg)-2]); err == nil {
		t.Fatal("a truncated answer parsed without error")
	}
}

func TestBuildQueryRejectsBadNames(t *testing.T) {
	for _, n := range []string{"", "a..b", strings.Repeat("x", 64) + ".com", strings.Repeat("a.", 130)} {
		if _, err := buildQuery(1, n, dnsTypeA); err == nil {
			t.Errorf("buildQuery(%q) succeeded", n)
		}
	}
}

func FuzzParseReply(f *testing.F) {
	q, _ := buildQuery(1, "db.example", dnsTypeA)
	f.Add(q)
	f.Add(nxdomainFor(q))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseReply(b)
		if a := nxdomainFor(b); a != nil {
			if _, err := parseReply(a); err != nil {
				t.Fatalf("the stub's own answer does not parse: %v", err)
			}
		}
	})
}

func TestParseHostsAndNameservers(t *testing.T) {
	h := parseHosts("127.0.0.1\tlocalhost\n::1 localhost ip6-localhost\n10.9.9.9 DB db # comment\n172.18.0.2 api 3b1f\n")
	if got := h["db"]; !slices.Equal(got, []string{"10.9.9.9"}) {
		t.Errorf("db = %v, want [10.9.9.9] (lowercased, deduplicated)", got)
	}
	if got := h["ip6-localhost"]; got != nil {
		t.Errorf("IPv6 entries must be ignored, got %v", got)
	}
	ns := parseNameservers("search example.com\nnameserver 127.0.0.11\nnameserver ::1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\noptions ndots:0\n")
	if want := []string{"127.0.0.11", "10.0.0.2", "10.0.0.3"}; !slices.Equal(ns, want) {
		t.Errorf("nameservers = %v, want %v", ns, want)
	}
}

// TestProbeServesAndConnects runs a probe server on loopback and the
// client tasks against it: connected with identity, refused, outside the
// allow list.
func TestProbeServesAndConnects(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Skip("no loopback TCP:", err)
	}
	port := uint16(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var log bytes.Buffer
	go func() {
		Serve(ctx, []topology.PortProto{{Port: port, Protocol: "tcp"}, {Port: port, Protocol: "udp"}}, &log)
		close(done)
	}()
	defer func() { cancel(); <-done }()
	time.Sleep(100 * time.Millisecond)
	res := &resolver{hosts: map[string][]string{"svc": {"127.0.0.1"}}}
	tasks := []Task{
		{ID: 1, Kind: "connect", Name: "svc", Port: port, Protocol: "tcp", Allow: []string{"127.0.0.0/8"}},
		{ID: 2, Kind: "connect", Addr: "127.0.0.1", Port: port, Protocol: "udp", Allow: []string{"127.0.0.1"}},
		{ID: 3, Kind: "connect", Addr: "127.0.0.1", Port: port + 1, Protocol: "tcp", Allow: []string{"127.0.0.0/8"}},
		{ID: 4, Kind: "connect", Addr: "192.0.2.1", Port: 80, Protocol: "tcp", Allow: []string{"127.0.0.0/8"}},
		{ID: 5, Kind: "dns", Name: "SVC"},
		{ID: 6, Kind: "connect", Name: "nosuch", Port: port, Allow: []string{"127.0.0.0/8"}},
	}
	obs := runAll(context.Background(), tasks, res)
	want := []string{OutConnected, OutConnected, OutRefused, OutOutside, OutAnswer, OutUnresolved}
	for i, o := range obs {
		if o.ID != tasks[i].ID || o.Outcome != want[i] {
			t.Errorf("task %d: %+v, want outcome %s", tasks[i].ID, o, want[i])
		}
	}
	if obs[0].Peer == nil || obs[0].Target != "127.0.0.1" || obs[0].Source != "hosts" {
		t.Errorf("connect by name: %+v, want a peer identity, target 127.0.0.1, source hosts", obs[0])
	}
	if !strings.Contains(log.String(), "serving 2 ports") {
		t.Errorf("log = %q", log.String())
	}
}

func TestICMPChecksum(t *testing.T) {
	b := echoRequest(0x1234, 1)
	if icmpChecksum(b) != 0 {
		t.Fatalf("checksum over a finished echo request = %#x, want 0", icmpChecksum(b))
	}
}

// TestServeOnAnswersUDPFromTheAddressAsked: a namespace with several
// addresses (the LAN client) must answer UDP from the address the client
// sent to, or the client's connected socket drops the reply. Bound to the
// unspecified address the reply to 127.0.0.1 comes from 127.0.0.1, not
// 127.0.0.2: the client times out; ServeOn's per-address sockets answer.
func TestServeOnAnswersUDPFromTheAddressAsked(t *testing.T) {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Skip("no loopback UDP:", err)
	}
	port := uint16(pc.LocalAddr().(*net.UDPAddr).Port)
	pc.Close()
	src, dst := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")
	for _, c := range []struct {
		name string
		on   []netip.Addr
		want string
	}{
		{"unspecified", nil, OutTimeout},
		{"per address", []netip.Addr{src, dst}, OutConnected},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			var log syncBuffer
			done := make(chan struct{})
			go func() { ServeOn(ctx, []topology.PortProto{{Port: port, Protocol: "udp"}}, c.on, &log); close(done) }()
			defer func() { cancel(); <-done }()
			for i := 0; i < 100 && !strings.Contains(log.String(), "serving"); i++ {
				time.Sleep(10 * time.Millisecond)
			}
			if strings.Contains(log.String(), "cannot listen") {
				t.Skip(log.String())
			}
			o := connect(context.Background(), src, dst, port, "udp", 600*time.Millisecond)
			if o.Outcome != c.want {
				t.Fatalf("UDP %s -> %s:%d: %s (%s), want %s", src, dst, port, o.Outcome, o.Detail, c.want)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestQuotesEcho: an ICMP error counts for a ping only when it quotes that
// ping's echo request; a port unreachable about another probe's UDP
// datagram (seen on the same raw socket) does not.
func TestQuotesEcho(t *testing.T) {
	ipHdr := func(proto byte) []byte {
		h := make([]byte, 20)
		h[0], h[9] = 0x45, proto
		return h
	}
	unreach := func(inner []byte) []byte { return append([]byte{3, 1, 0, 0, 0, 0, 0, 0}, inner...) }
	echo := append(ipHdr(1), echoRequest(0xbeef, 1)[:8]...)
	udp := append(ipHdr(17), 0x9c, 0x40, 0x47, 0x10, 0, 8, 0, 0)
	for _, c := range []struct {
		name string
		msg  []byte
		id   uint16
		want bool
	}{
		{"our echo", unreach(echo), 0xbeef, true},
		{"another ping's echo", unreach(echo), 0x1234, false},
		{"a UDP datagram", unreach(udp), 0xbeef, false},
		{"truncated", unreach(echo[:24]), 0xbeef, false},
	} {
		if got := quotesEcho(c.msg, c.id); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
