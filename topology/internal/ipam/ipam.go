// Package ipam holds the address allocators that both the loader and the
// model's what-ifs use: Docker's IPAM hands out the lowest free IPv4
// address of a network's dynamic range (R3-8) and IPv6 addresses from ::2
// upward (R3-11).
package ipam

import "net/netip"

// V4 hands out the lowest free IPv4 address (R3-8), never reusing:
// the model has no stops.
type V4 struct {
	lo, hi uint32 // inclusive dynamic range
	used   map[uint32]bool
	cursor uint32
	subnet netip.Prefix
}

// NewV4 returns an allocator for subnet's dynamic range rng (the whole
// subnet when rng is not valid), with gw and aux already taken.
func NewV4(subnet, rng netip.Prefix, gw netip.Addr, aux []netip.Addr) *V4 {
	a := &V4{used: map[uint32]bool{}, subnet: subnet}
	if !subnet.IsValid() || !subnet.Addr().Is4() {
		return a
	}
	netAddr := AddrToU32(subnet.Masked().Addr())
	size := uint32(1)<<(32-subnet.Bits()) - 1
	bcast := netAddr + size
	r := subnet
	if rng.IsValid() {
		r = rng
	}
	a.lo = AddrToU32(r.Masked().Addr())
	a.hi = a.lo + (uint32(1)<<(32-r.Bits()) - 1)
	if subnet.Bits() < 31 {
		// R3-7: network and broadcast addresses of the subnet are reserved.
		a.used[netAddr] = true
		a.used[bcast] = true
	}
	if gw.IsValid() && gw.Is4() {
		a.used[AddrToU32(gw)] = true
	}
	for _, x := range aux {
		if x.Is4() {
			a.used[AddrToU32(x)] = true
		}
	}
	a.cursor = a.lo
	return a
}

// Reserve marks ip as taken; it reports false when it already was.
func (a *V4) Reserve(ip netip.Addr) bool {
	v := AddrToU32(ip)
	if a.used[v] {
		return false
	}
	a.used[v] = true
	return true
}

// Next returns the lowest free address of the dynamic range.
func (a *V4) Next() (netip.Addr, bool) {
	if a.hi == 0 && a.lo == 0 {
		return netip.Addr{}, false
	}
	for v := a.cursor; v <= a.hi && v >= a.lo; v++ {
		if !a.used[v] {
			a.used[v] = true
			a.cursor = v + 1
			return U32ToAddr(v), true
		}
		if v == a.hi {
			break
		}
	}
	return netip.Addr{}, false
}

// V6 hands out IPv6 addresses from ::2 upward (R3-11).
type V6 struct {
	subnet netip.Prefix
	next   netip.Addr
	used   map[netip.Addr]bool
}

// Alloc returns the lowest free address above the last one handed out.
func (a *V6) Alloc() (netip.Addr, bool) {
	for a.subnet.Contains(a.next) {
		ip := a.next
		a.next = a.next.Next()
		if !a.used[ip] {
			a.used[ip] = true
			return ip, true
		}
	}
	return netip.Addr{}, false
}

// NewV6 returns an allocator for subnet with gw taken.
func NewV6(subnet netip.Prefix, gw netip.Addr) *V6 {
	return &V6{next: subnet.Addr().Next(), subnet: subnet, used: map[netip.Addr]bool{gw: true}}
}

// Reserve marks ip as taken.
func (a *V6) Reserve(ip netip.Addr) { a.used[ip] = true }

// AddrToU32 is the IPv4 address a as a number.
func AddrToU32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// U32ToAddr is the IPv4 address of number v.
func U32ToAddr(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// Used reports whether ip is taken.
func (a *V6) Used(ip netip.Addr) bool { return a.used[ip] }
