package topology

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// The host firewall (issue 16): the rules of the host's own chains, read
// from `iptables-save` output or from an inline list of DOCKER-USER rules in
// the host description. This file only parses; package sim evaluates
// packets against the rules (R7-20 to R7-26 in its package doc).

// Ruleset is the parsed host firewall: chains by table ("filter", "nat",
// "raw", "mangle") and name, rules in order.
type Ruleset struct {
	// Source is the file the rules came from (display form).
	Source string
	// Tables maps table name to chain name to the chain's rules.
	Tables map[string]map[string][]*FWRule
	// Policies maps "table/chain" to a built-in chain's policy (ACCEPT or
	// DROP).
	Policies map[string]string
	// Decls maps "table/chain" to the line that declares the chain
	// (":CHAIN POLICY [counters]"), when the input has one.
	Decls map[string]Position
}

// Chain returns the rules of table/chain (nil when absent).
func (r *Ruleset) Chain(table, chain string) []*FWRule {
	if r == nil {
		return nil
	}
	return r.Tables[table][chain]
}

// HasChain reports whether table/chain was declared or has rules.
func (r *Ruleset) HasChain(table, chain string) bool {
	if r == nil {
		return false
	}
	_, ok := r.Tables[table][chain]
	return ok
}

// FWRule is one `-A CHAIN ...` line.
type FWRule struct {
	Table, Chain string
	// Pos is the rule's file:line.
	Pos Position
	// Text is the rule as written (without "-A CHAIN").
	Text string

	Src, Dst          []AddrMatch // -s, -d, and -m iprange (any of them must match)
	InIface, OutIface IfaceMatch
	Proto             string // "" any; tcp, udp, icmp, sctp, all
	ProtoNeg          bool
	DPorts, SPorts    PortMatch
	CtState           []string // NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED, DNAT, SNAT
	CtStateNeg        bool
	CtOrigDst         *AddrMatch
	CtOrigDstPort     PortMatch
	CtDir             string // ORIGINAL or REPLY
	SrcType, DstType  string // addrtype: LOCAL, UNICAST, ...
	SrcTypeNeg        bool
	DstTypeNeg        bool
	Syn               bool
	Comment           string

	// Target is ACCEPT, DROP, REJECT, RETURN, LOG (non-terminating), a user
	// chain (jump), or "" (no target: counts only).
	Target string
	// Goto is true for -g.
	Goto bool
	// RejectWith is REJECT's --reject-with (default icmp-port-unreachable).
	RejectWith string
	// To is the NAT target's new address or port as written: DNAT's
	// --to-destination, SNAT's --to-source, REDIRECT's and MASQUERADE's
	// --to-ports.
	To string
	// Docker is true for Docker's own rules (R7-27): rules of Docker's
	// chains and the ones Docker adds to built-in chains. composenet
	// compares them with its prediction instead of evaluating them.
	Docker bool
	// Unsupported lists the options composenet cannot evaluate; a packet
	// that matches every supported part of the rule makes the answer
	// uncertain (R7-25).
	Unsupported []string
}

// AddrMatch is a CIDR or address range, possibly negated.
type AddrMatch struct {
	Prefix   netip.Prefix
	From, To netip.Addr // -m iprange
	Neg      bool
}

// Contains reports whether a matches (negation applied).
func (m AddrMatch) Contains(a netip.Addr) bool {
	var in bool
	if m.Prefix.IsValid() {
		in = m.Prefix.Contains(a)
	} else {
		in = a.Compare(m.From) >= 0 && a.Compare(m.To) <= 0
	}
	return in != m.Neg
}

// String is the match as iptables writes it.
func (m AddrMatch) String() string {
	s := m.Prefix.String()
	if !m.Prefix.IsValid() {
		s = m.From.String() + "-" + m.To.String()
	}
	if m.Neg {
		return "! " + s
	}
	return s
}

// IfaceMatch is -i/-o: a name, "+" suffix for a wildcard, possibly negated.
type IfaceMatch struct {
	Name string
	Neg  bool
}

// Matches reports whether iface matches (an unset match matches all).
func (m IfaceMatch) Matches(iface string) bool {
	if m.Name == "" {
		return true
	}
	var in bool
	if p, ok := strings.CutSuffix(m.Name, "+"); ok {
		in = strings.HasPrefix(iface, p)
	} else {
		in = iface == m.Name
	}
	return in != m.Neg
}

// PortMatch is --dport/--dports style: ranges, possibly negated; empty
// matches every port.
type PortMatch struct {
	Ranges [][2]uint16
	Neg    bool
}

// Set reports whether the match is present.
func (m PortMatch) Set() bool { return len(m.Ranges) > 0 }

// Matches reports whether p matches.
func (m PortMatch) Matches(p uint16) bool {
	if len(m.Ranges) == 0 {
		return true
	}
	in := false
	for _, r := range m.Ranges {
		if p >= r[0] && p <= r[1] {
			in = true
		}
	}
	return in != m.Neg
}

// Has reports whether the listed ports include p (negation ignored).
func (m PortMatch) Has(p uint16) bool {
	for _, r := range m.Ranges {
		if p >= r[0] && p <= r[1] {
			return true
		}
	}
	return false
}

// maxRules bounds a firewall file (a real host has hundreds, not millions).
const maxRules = 20000

// ParseIptablesSave parses `iptables-save` output. Problems (bad lines)
// are returned all at once with their lines; warnings name rules that use
// options composenet cannot evaluate.
func ParseIptablesSave(file string, text string) (*Ruleset, []Problem, []Warning) {
	rs := &Ruleset{Source: file, Tables: map[string]map[string][]*FWRule{}, Policies: map[string]string{}, Decls: map[string]Position{}}
	var problems []Problem
	var warnings []Warning
	var odd []*FWRule
	table := ""
	count := 0
	for i, line := range strings.Split(text, "\n") {
		pos := Position{File: file, Line: i + 1, Col: 1}
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "*"):
			table = line[1:]
			if rs.Tables[table] == nil {
				rs.Tables[table] = map[string][]*FWRule{}
			}
			continue
		case line == "COMMIT":
			table = ""
			continue
		}
		if table == "" {
			problems = append(problems, Problem{Pos: pos, Message: "a rule or chain outside a table (want *filter, *nat, ... before it)"})
			continue
		}
		if strings.HasPrefix(line, ":") {
			f := strings.Fields(line[1:])
			if len(f) == 0 {
				problems = append(problems, Problem{Pos: pos, Message: "chain declaration without a name"})
				continue
			}
			if _, ok := rs.Tables[table][f[0]]; !ok {
				rs.Tables[table][f[0]] = nil
			}
			if _, ok := rs.Decls[table+"/"+f[0]]; !ok {
				rs.Decls[table+"/"+f[0]] = pos
			}
			if len(f) > 1 && f[1] != "-" {
				rs.Policies[table+"/"+f[0]] = f[1]
			}
			continue
		}
		count++
		if count > maxRules {
			problems = append(problems, Problem{Pos: pos, Message: fmt.Sprintf("more than %d rules: composenet reads at most %d", maxRules, maxRules)})
			break
		}
		r, err := ParseRule(table, line, pos)
		if err != nil {
			problems = append(problems, Problem{Pos: pos, Message: err.Error()})
			continue
		}
		if r.Chain == "" {
			problems = append(problems, Problem{Pos: pos, Message: "want -A CHAIN (iptables-save form)"})
			continue
		}
		rs.Tables[table][r.Chain] = append(rs.Tables[table][r.Chain], r)
		if len(r.Unsupported) > 0 {
			odd = append(odd, r)
		}
	}
	markDockerRules(rs)
	for _, r := range odd {
		// Docker's own rules are compared with the prediction (R7-27),
		// not evaluated: an option there makes no answer uncertain.
		if !r.Docker {
			warnings = append(warnings, unsupportedWarning(r))
		}
	}
	warnings = sortWarnings(append(warnings, notEvaluated(rs)...))
	return rs, problems, warnings
}

func unsupportedWarning(r *FWRule) Warning {
	return Warning{
		Code:    "W-FIREWALL-UNSUPPORTED",
		Rule:    "R7-25",
		Pos:     r.Pos,
		Message: fmt.Sprintf("%s %s rule uses %s, which composenet does not evaluate: answers that reach this rule are marked uncertain", r.Table, r.Chain, strings.Join(r.Unsupported, ", ")),
	}
}

// ParseRule parses one rule line of table: "-A CHAIN opts..." or just the
// options (Chain left empty).
func ParseRule(table, line string, pos Position) (*FWRule, error) {
	toks, err := splitRule(line)
	if err != nil {
		return nil, err
	}
	r := &FWRule{Table: table, Pos: pos}
	neg := false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t == "!" {
			neg = true
			continue
		}
		takesValue := t != "--syn" && t != "-f" && t != "--fragment"
		v := ""
		if takesValue && i+1 < len(toks) {
			v = toks[i+1]
		}
		if takesValue && v == "" && isKnownOption(t) {
			return nil, fmt.Errorf("%s needs a value", t)
		}
		switch t {
		case "-A", "--append":
			r.Chain = v
			i++
			neg = false
			continue
		case "-s", "--source", "--src", "-d", "--destination", "--dst":
			var ms []AddrMatch
			for _, p := range strings.Split(v, ",") {
				pf, err := parseCIDR(p)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %v", t, v, err)
				}
				ms = append(ms, AddrMatch{Prefix: pf, Neg: neg})
			}
			if neg && len(ms) > 1 {
				return nil, fmt.Errorf("! %s cannot take a list", t)
			}
			if t[1] == 's' || t == "--source" || t == "--src" {
				r.Src = ms
			} else {
				r.Dst = ms
			}
		case "-i", "--in-interface":
			r.InIface = IfaceMatch{Name: v, Neg: neg}
		case "-o", "--out-interface":
			r.OutIface = IfaceMatch{Name: v, Neg: neg}
		case "-p", "--protocol":
			r.Proto, r.ProtoNeg = strings.ToLower(v), neg
			if r.Proto == "6" {
				r.Proto = "tcp"
			} else if r.Proto == "17" {
				r.Proto = "udp"
			}
		case "-m", "--match":
			switch v {
			case "tcp", "udp", "multiport", "conntrack", "state", "iprange", "addrtype", "comment", "sctp", "icmp":
			default:
				r.Unsupported = append(r.Unsupported, "-m "+v)
			}
		case "--dport", "--destination-port", "--dports", "--destination-ports":
			pm, err := parsePorts(v)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %v", t, v, err)
			}
			pm.Neg = neg
			r.DPorts = pm
		case "--sport", "--source-port", "--sports", "--source-ports":
			pm, err := parsePorts(v)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %v", t, v, err)
			}
			pm.Neg = neg
			r.SPorts = pm
		case "--ctstate", "--state":
			r.CtState, r.CtStateNeg = strings.Split(strings.ToUpper(v), ","), neg
		case "--ctorigdst":
			pf, err := parseCIDR(v)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %v", t, v, err)
			}
			r.CtOrigDst = &AddrMatch{Prefix: pf, Neg: neg}
		case "--ctorigdstport":
			pm, err := parsePorts(v)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %v", t, v, err)
			}
			pm.Neg = neg
			r.CtOrigDstPort = pm
		case "--ctdir":
			r.CtDir = strings.ToUpper(v)
			if r.CtDir != "ORIGINAL" && r.CtDir != "REPLY" {
				return nil, fmt.Errorf("--ctdir %s: want ORIGINAL or REPLY", v)
			}
		case "--src-range", "--dst-range":
			from, to, ok := strings.Cut(v, "-")
			a, err1 := netip.ParseAddr(from)
			b, err2 := netip.ParseAddr(to)
			if !ok || err1 != nil || err2 != nil {
				return nil, fmt.Errorf("%s %s: want FIRST-LAST addresses", t, v)
			}
			m := AddrMatch{From: a, To: b, Neg: neg}
			if t == "--src-range" {
				r.Src = append(r.Src, m)
			} else {
				r.Dst = append(r.Dst, m)
			}
		case "--src-type":
			r.SrcType, r.SrcTypeNeg = strings.ToUpper(v), neg
		case "--dst-type":
			r.DstType, r.DstTypeNeg = strings.ToUpper(v), neg
		case "--comment":
			r.Comment = v
		case "--syn":
			r.Syn = true
		case "-j", "--jump", "-g", "--goto":
			r.Target = v
			r.Goto = t == "-g" || t == "--goto"
		case "--reject-with":
			r.RejectWith = v
		case "--to-destination", "--to-source", "--to-ports":
			r.To = v
		default:
			if !strings.HasPrefix(t, "-") {
				return nil, fmt.Errorf("unexpected %q", t)
			}
			// After -j, an option of the target (--log-prefix,
			// --to-destination, ...): it does not change what matches.
			// Before it, a match option composenet does not evaluate.
			if r.Target == "" {
				r.Unsupported = append(r.Unsupported, t)
			}
			for i+1 < len(toks) && !strings.HasPrefix(toks[i+1], "-") && toks[i+1] != "!" {
				i++
			}
			neg = false
			continue
		}
		if takesValue {
			i++
		}
		neg = false
	}
	if r.Target == "REJECT" && r.RejectWith == "" {
		r.RejectWith = "icmp-port-unreachable"
	}
	r.Text = ruleText(line)
	sort.Strings(r.Unsupported)
	return r, nil
}

// isKnownOption reports whether ParseRule evaluates option t.
func isKnownOption(t string) bool {
	switch t {
	case "-A", "--append", "-s", "--source", "--src", "-d", "--destination", "--dst",
		"-i", "--in-interface", "-o", "--out-interface", "-p", "--protocol", "-m", "--match",
		"--dport", "--destination-port", "--dports", "--destination-ports",
		"--sport", "--source-port", "--sports", "--source-ports", "--ctstate", "--state",
		"--ctorigdst", "--ctorigdstport", "--ctdir", "--src-range", "--dst-range",
		"--src-type", "--dst-type", "--comment", "-j", "--jump", "-g", "--goto", "--reject-with",
		"--to-destination", "--to-source", "--to-ports":
		return true
	}
	return false
}

// ruleText drops the leading "-A CHAIN" from a rule line.
func ruleText(line string) string {
	f := strings.Fields(line)
	if len(f) >= 2 && (f[0] == "-A" || f[0] == "--append") {
		return strings.Join(f[2:], " ")
	}
	return strings.Join(f, " ")
}

func parseCIDR(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("not an address or CIDR")
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func parsePorts(s string) (PortMatch, error) {
	var m PortMatch
	for _, part := range strings.Split(s, ",") {
		lo, hi, rng := strings.Cut(part, ":")
		a, err := strconv.ParseUint(lo, 10, 16)
		if err != nil {
			return m, fmt.Errorf("invalid port %q", lo)
		}
		b := a
		if rng {
			if hi == "" {
				b = 65535
			} else if b, err = strconv.ParseUint(hi, 10, 16); err != nil {
				return m, fmt.Errorf("invalid port %q", hi)
			}
		}
		if b < a {
			return m, fmt.Errorf("empty range %s", part)
		}
		m.Ranges = append(m.Ranges, [2]uint16{uint16(a), uint16(b)})
	}
	return m, nil
}

// splitRule splits a rule line into tokens, honouring double quotes (as
// iptables-save writes comments).
func splitRule(line string) ([]string, error) {
	var toks []string
	var b strings.Builder
	inQ, have := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && inQ && i+1 < len(line):
			i++
			b.WriteByte(line[i])
		case c == '"':
			inQ, have = !inQ, true
		case (c == ' ' || c == '\t') && !inQ:
			if have {
				toks = append(toks, b.String())
				b.Reset()
				have = false
			}
		default:
			b.WriteByte(c)
			have = true
		}
	}
	if inQ {
		return nil, fmt.Errorf("unterminated quote")
	}
	if have {
		toks = append(toks, b.String())
	}
	return toks, nil
}

// notEvaluated warns about the operator's rules in chains no answer walks
// (R7-29): nat INPUT, raw OUTPUT, and every mangle chain, when the rule
// drops or rewrites. composenet evaluates filter DOCKER-USER and INPUT,
// raw PREROUTING and (for uncertainty) nat PREROUTING, OUTPUT and
// POSTROUTING.
func notEvaluated(rs *Ruleset) []Warning {
	var ws []Warning
	seen := map[string]bool{}
	var walk func(table, chain, from string, depth int)
	walk = func(table, chain, from string, depth int) {
		key := table + "/" + chain
		if depth > 16 || seen[key] {
			return
		}
		seen[key] = true
		for _, r := range rs.Chain(table, chain) {
			if r.Docker {
				continue
			}
			switch r.Target {
			case "", "LOG", "NFLOG", "MARK", "CONNMARK", "TRACE", "AUDIT", "RETURN", "TOS", "DSCP", "TCPMSS", "CLASSIFY", "CHECKSUM", "TTL":
				continue
			case "ACCEPT":
				if table != "nat" {
					continue
				}
			}
			if rs.HasChain(table, r.Target) {
				walk(table, r.Target, from, depth+1)
				continue
			}
			ws = append(ws, Warning{Code: "W-FIREWALL-NOT-EVALUATED", Rule: "R7-29", Pos: r.Pos,
				Message: fmt.Sprintf("%s %s rule (-j %s, reached from %s) is not evaluated: composenet walks filter DOCKER-USER and INPUT, raw PREROUTING and nat PREROUTING/OUTPUT/POSTROUTING only; answers it could change do not say so", table, r.Chain, r.Target, from),
				Fix:     "check by hand which connections it matches (the host's own connections for raw OUTPUT)"})
		}
	}
	for _, tc := range [][2]string{{"nat", "INPUT"}, {"raw", "OUTPUT"}, {"mangle", "PREROUTING"}, {"mangle", "INPUT"}, {"mangle", "FORWARD"}, {"mangle", "OUTPUT"}, {"mangle", "POSTROUTING"}} {
		walk(tc[0], tc[1], tc[0]+" "+tc[1], 0)
	}
	return ws
}
