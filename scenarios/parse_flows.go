package scenarios

// dns expectations, application flows and call chains of scenario files
// (moved out of parse.go).

import (
	"fmt"
	"strings"
	"time"

	"github.com/composenet/composenet/sim"
	"go.yaml.in/yaml/v4"
)

func (p *parser) dns(e *Expect, n *yaml.Node, path string) {
	for _, kv := range p.mapping(n, path) {
		k, v := kv[0], kv[1]
		kp := join(path, k.Value)
		switch k.Value {
		case "from":
			e.From, _ = p.str(v, kp)
		case "name":
			e.Name, _ = p.str(v, kp)
		case "rcode":
			if s, ok := p.str(v, kp); ok {
				e.Rcode = strings.ToUpper(s)
				switch e.Rcode {
				case sim.RcodeNoError, sim.RcodeNXDomain, sim.RcodeServFail:
				default:
					p.errf(v, kp, "unknown rcode %q (want noerror, nxdomain or servfail)", s)
				}
			}
		case "answers":
			e.Answers = []AnswerSpec{}
			for i, a := range p.seq(v, kp) {
				ap := fmt.Sprintf("%s.%d", kp, i)
				var as AnswerSpec
				if a.Kind == yaml.ScalarNode {
					// SERVICE or SERVICE@NETWORK
					s, _ := p.str(a, ap)
					as.Service, as.Network, _ = strings.Cut(s, "@")
				} else {
					for _, f := range p.mapping(a, ap) {
						fp := join(ap, f[0].Value)
						switch f[0].Value {
						case "service":
							as.Service, _ = p.str(f[1], fp)
						case "container":
							as.Container, _ = p.str(f[1], fp)
						case "network":
							as.Network, _ = p.str(f[1], fp)
						default:
							p.errf(f[0], fp, "unknown field %q (known: service, container, network)", f[0].Value)
						}
					}
				}
				e.Answers = append(e.Answers, as)
			}
		default:
			p.errf(k, kp, "unknown field %q (known: from, name, rcode, answers)", k.Value)
		}
	}
	if n.Kind == yaml.MappingNode {
		if e.From == "" || e.Name == "" {
			p.errf(n, path, "dns needs from: and name:")
		}
		if e.Rcode == "" && e.Answers == nil {
			p.errf(n, path, "dns needs answers: [...] or rcode: nxdomain|servfail|noerror")
		}
		if e.Rcode != "" && e.Rcode != sim.RcodeNoError && len(e.Answers) > 0 {
			p.errf(n, path, "rcode %s cannot have answers", e.Rcode)
		}
	}
	e.Text = fmt.Sprintf("dns %s from %s", e.Name, e.From)
}

func (p *parser) flows(sc *Scenario, n *yaml.Node, path string) {
	for i, it := range p.seq(n, path) {
		ip := fmt.Sprintf("%s.%d", path, i)
		f := Flow{Pos: p.pos(it), Name: fmt.Sprintf("flow %d", i+1)}
		for _, kv := range p.mapping(it, ip) {
			k, v := kv[0], kv[1]
			kp := join(ip, k.Value)
			switch k.Value {
			case "name":
				f.Name, _ = p.str(v, kp)
			case "chain":
				if s, ok := p.str(v, kp); ok {
					f.Chain = s
					st, err := ParseChain(s)
					if err != nil {
						p.errf(v, kp, "%v", err)
					}
					f.Stages = st
				}
			case "processing":
				f.Processing = map[string]time.Duration{}
				for _, pk := range p.mapping(v, kp) {
					pv := pk[1]
					if s, ok := p.str(pv, join(kp, pk[0].Value)); ok {
						d, err := time.ParseDuration(s)
						if err != nil || d < 0 {
							p.errf(pv, join(kp, pk[0].Value), "want a duration such as 5ms, got %q", s)
							continue
						}
						f.Processing[pk[0].Value] = d
					}
				}
			case "max_latency":
				f.MaxLatency = p.duration(v, kp)
			case "xfail":
				f.XFail, _ = p.str(v, kp)
			default:
				p.errf(k, kp, "unknown field %q (known: name, chain, processing, max_latency, xfail)", k.Value)
			}
		}
		if it.Kind == yaml.MappingNode && f.Chain == "" {
			p.errf(it, ip, "a flow needs chain: CLIENT -> SERVICE:PORT -> ...")
		}
		sc.Flows = append(sc.Flows, f)
	}
}

// ParseChain parses a call chain such as
// "client -> gateway:80 -> order-service:3003 -> [a:1, b:2] -> db:5432".
// The first element is the client (a service, or client/internet/host);
// every later element is a target with a port, or a bracketed group of
// targets, called in order, or all at once when written parallel[...].
func ParseChain(s string) ([]Stage, error) {
	parts := strings.Split(s, "->")
	if len(parts) < 2 {
		return nil, fmt.Errorf("a chain needs at least CLIENT -> SERVICE:PORT, got %q", s)
	}
	var out []Stage
	for i, raw := range parts {
		el := strings.TrimSpace(raw)
		var st Stage
		body := el
		if strings.HasPrefix(el, "parallel[") || strings.HasPrefix(el, "parallel [") {
			st.Parallel = true
			body = strings.TrimSpace(strings.TrimPrefix(el, "parallel"))
		}
		if strings.HasPrefix(body, "[") {
			if !strings.HasSuffix(body, "]") {
				return nil, fmt.Errorf("element %d: missing ] in %q", i+1, el)
			}
			if i == 0 {
				return nil, fmt.Errorf("the first element is the client and cannot be a group")
			}
			body = body[1 : len(body)-1]
			st.Group = true
		} else if st.Parallel {
			return nil, fmt.Errorf("element %d: parallel needs a bracketed group", i+1)
		}
		items := strings.Split(body, ",")
		for _, it := range items {
			it = strings.TrimSpace(it)
			if it == "" {
				return nil, fmt.Errorf("element %d: empty target in %q", i+1, el)
			}
			if strings.ContainsAny(it, "[] ") {
				return nil, fmt.Errorf("element %d: invalid target %q (groups cannot nest)", i+1, it)
			}
			name, port, proto, err := sim.ParseTarget(it)
			if err != nil {
				return nil, fmt.Errorf("element %d: %v", i+1, err)
			}
			if i > 0 && port == 0 {
				return nil, fmt.Errorf("element %d: %q needs a port (NAME:PORT)", i+1, it)
			}
			if i == 0 && port != 0 {
				return nil, fmt.Errorf("the client %q takes no port", it)
			}
			st.Targets = append(st.Targets, Target{Name: name, Port: port, Protocol: proto})
		}
		out = append(out, st)
	}
	return out, nil
}
