package sim

import (
	"fmt"
	"testing"

	"github.com/composenet/composenet/topology"
)

// synthetic builds a project of n services: n/50 networks (at least 2, at
// most 200), every service on one or two of them, every tenth service
// publishing a port, every third declaring listeners.
func synthetic(n int) *topology.Topology {
	b := newTB("syn")
	nn := min(max(n/50, 2), 200)
	keys := make([]string, nn)
	for i := range keys {
		keys[i] = fmt.Sprintf("net%03d", i)
		var opts []func(*topology.Network)
		if i%7 == 3 {
			opts = append(opts, internal)
		}
		b.net(keys[i], opts...)
	}
	for i := range n {
		eps := []string{keys[i%nn]}
		if i%3 == 0 {
			eps = append(eps, keys[(i*7+1)%nn])
			if eps[1] == eps[0] {
				eps = eps[:1]
			}
		}
		var opts []func(*topology.Container)
		if i%10 == 0 {
			opts = append(opts, publish(fmt.Sprintf("%d:80", 10000+i)))
		}
		if i%3 == 1 {
			opts = append(opts, listen("80", "443"))
		}
		b.svc(fmt.Sprintf("svc%05d", i), 1, eps, opts...)
	}
	return b.done()
}

func TestSyntheticSmoke(t *testing.T) {
	top := synthetic(500)
	s := New(top)
	// svc00000 and svc00010 share net000 (10 networks): delivered.
	if r := mustQ(t, s, "svc00000", "svc00010:80"); r.Verdict != Delivered {
		t.Fatalf("same network: %s %s", r.Verdict, r.Reason)
	}
	if r := mustQ(t, s, "svc00001", "svc00002:80"); r.Verdict != NameNotResolved {
		t.Fatalf("different networks: %s", r.Verdict)
	}
}

func BenchmarkReach(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		s := New(synthetic(n))
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			q := Query{From: "svc00000", To: fmt.Sprintf("svc%05d", n-n%10-10+0), Port: 80, Protocol: "tcp"}
			for b.Loop() {
				_ = s.Reach(q)
			}
		})
	}
}

func BenchmarkResolve(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		s := New(synthetic(n))
		from := s.findContainer("svc00000")
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = s.Resolve(from, "svc00010")
			}
		})
	}
}

func BenchmarkNew(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		top := synthetic(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = New(top)
			}
		})
	}
}

func BenchmarkMatrix(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		s := New(synthetic(n))
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = s.Matrix(80, "tcp")
			}
		})
	}
}
