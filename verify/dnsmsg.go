package verify

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// DNS message handling for the probe: just enough of RFC 1035 to ask for
// an A record and read the answer, and for the NXDOMAIN stub to answer.

const (
	dnsTypeA      = 1
	dnsClassIN    = 1
	rcodeNoError  = 0
	rcodeFormErr  = 1
	rcodeServFail = 2
	rcodeNXDomain = 3
	rcodeRefused  = 5
)

// rcodeName returns the mnemonic of a DNS response code.
func rcodeName(rc int) string {
	switch rc {
	case rcodeNoError:
		return "NOERROR"
	case rcodeFormErr:
		return "FORMERR"
	case rcodeServFail:
		return "SERVFAIL"
	case rcodeNXDomain:
		return "NXDOMAIN"
	case rcodeRefused:
		return "REFUSED"
	}
	return fmt.Sprintf("RCODE%d", rc)
}

// buildQuery returns a recursive query for name (type qtype, class IN).
func buildQuery(id uint16, name string, qtype uint16) ([]byte, error) {
	name = strings.TrimSuffix(name, ".")
	if name == "" || len(name) > 253 {
		return nil, fmt.Errorf("invalid DNS name %q", name)
	}
	b := make([]byte, 12, 12+len(name)+6)
	binary.BigEndian.PutUint16(b[0:], id)
	b[2] = 0x01 // RD
	binary.BigEndian.PutUint16(b[4:], 1)
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return nil, fmt.Errorf("invalid DNS name %q", name)
		}
		b = append(b, byte(len(label)))
		b = append(b, label...)
	}
	b = append(b, 0, byte(qtype>>8), byte(qtype), 0, dnsClassIN)
	return b, nil
}

var errShortDNS = errors.New("truncated DNS message")

// skipName returns the offset just past the (possibly compressed) name at
// off.
func skipName(b []byte, off int) (int, error) {
	for {
		if off >= len(b) {
			return 0, errShortDNS
		}
		l := int(b[off])
		switch {
		case l == 0:
			return off + 1, nil
		case l&0xC0 == 0xC0:
			if off+2 > len(b) {
				return 0, errShortDNS
			}
			return off + 2, nil
		case l&0xC0 != 0:
			return 0, errors.New("bad DNS label")
		}
		off += 1 + l
	}
}

// dnsReply is what the probe reads from an answer.
type dnsReply struct {
	ID        uint16
	Rcode     int
	Truncated bool
	Addrs     []netip.Addr
}

// parseReply reads a response: its ID, rcode, TC bit and A records.
func parseReply(b []byte) (dnsReply, error) {
	var r dnsReply
	if len(b) < 12 {
		return r, errShortDNS
	}
	r.ID = binary.BigEndian.Uint16(b[0:])
	if b[2]&0x80 == 0 {
		return r, errors.New("not a DNS response")
	}
	r.Truncated = b[2]&0x02 != 0
	r.Rcode = int(b[3] & 0x0F)
	qd := int(binary.BigEndian.Uint16(b[4:]))
	an := int(binary.BigEndian.Uint16(b[6:]))
	off := 12
	for i := 0; i < qd; i++ {
		var err error
		if off, err = skipName(b, off); err != nil {
			return r, err
		}
		off += 4
	}
	for i := 0; i < an; i++ {
		var err error
		if off, err = skipName(b, off); err != nil {
			return r, err
		}
		if off+10 > len(b) {
			return r, errShortDNS
		}
		typ := binary.BigEndian.Uint16(b[off:])
		class := binary.BigEndian.Uint16(b[off+2:])
		rdlen := int(binary.BigEndian.Uint16(b[off+8:]))
		off += 10
		if off+rdlen > len(b) {
			return r, errShortDNS
		}
		if typ == dnsTypeA && class == dnsClassIN && rdlen == 4 {
			r.Addrs = append(r.Addrs, netip.AddrFrom4([4]byte(b[off:off+4])))
		}
		off += rdlen
	}
	return r, nil
}

// nxdomainFor answers query q with NXDOMAIN (FORMERR when q is not a
// query). It returns nil for input that is not worth answering.
func nxdomainFor(q []byte) []byte {
	if len(q) < 12 || q[2]&0x80 != 0 {
		return nil
	}
	rc := byte(rcodeNXDomain)
	end := 12
	if binary.BigEndian.Uint16(q[4:]) != 1 {
		rc = rcodeFormErr
	} else if e, err := skipName(q, 12); err != nil || e+4 > len(q) {
		rc = rcodeFormErr
	} else {
		end = e + 4
	}
	out := make([]byte, end)
	copy(out, q[:end])
	out[2] = 0x80 | (q[2] & 0x79) // QR, keep opcode and RD
	out[3] = 0x80 | rc            // RA
	if rc == rcodeFormErr {
		binary.BigEndian.PutUint16(out[4:], 0)
	}
	for i := 6; i < 12; i++ {
		out[i] = 0
	}
	return out
}
