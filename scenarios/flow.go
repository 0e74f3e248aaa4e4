package scenarios

import (
	"fmt"
	"strings"
	"time"

	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// Call is one call of a flow: From opens a connection to To:Port (To
// resolved by name from From, section 6) and waits for the answer.
type Call struct {
	From     string      `json:"from"`
	To       string      `json:"to"`
	Port     uint16      `json:"port"`
	Protocol string      `json:"protocol"`
	Verdict  sim.Verdict `json:"verdict"`
	// NetworkMS is the simulated round trip (DNS lookup, request path,
	// reply path) without the callee's processing.
	NetworkMS float64 `json:"network_ms"`
	// ProcessingMS is the callee's own processing time.
	ProcessingMS float64 `json:"processing_ms"`
	// TotalMS is NetworkMS + ProcessingMS + the callee's own calls.
	TotalMS float64 `json:"total_ms"`

	network, processing, total time.Duration
	reach                      sim.Result
}

// FlowResult is an evaluated call chain.
//
// The model (fork and join): the chain's first element is the client; a
// single element is called by the element before it and makes the calls
// that follow; a bracketed group is a set of calls made by the element
// before the group, and the chain then continues from that same caller
// after the group's answers are in. So
// "gateway -> order -> [user, product, payment] -> database" means order
// calls user, product and payment, then calls database, as the design
// guide's order flow does. A call costs its network round trip (sim.Reach:
// DNS lookup, request hops, reply hops) plus the callee's processing time
// plus the callee's own calls, which happen during its processing: in
// sequence they add up, in a parallel group the slowest counts. Processing time is the flow's processing: entry, else the
// service's x-composenet.processing, else zero. The end-to-end latency is
// the client's call to the second element; the critical path is the list of
// calls whose costs add up to it (in a parallel group, the slowest call,
// ties broken by name).
type FlowResult struct {
	LatencyMS float64 `json:"latency_ms"`
	// Calls are all calls in the order they start (depth first).
	Calls []Call `json:"calls"`
	// CriticalPath are the calls that determine LatencyMS, in time order.
	CriticalPath []Call `json:"critical_path"`
}

type flowEval struct {
	s     *sim.Sim
	t     *topology.Topology
	f     Flow
	calls []Call
	fail  *Call
	depth int
}

func (fe *flowEval) processing(name string) time.Duration {
	if d, ok := fe.f.Processing[name]; ok {
		return d
	}
	if c := fe.s.Container(name); c != nil {
		return c.Processing
	}
	return 0
}

// stage returns the cost of caller calling every target of stage i (and
// what follows), and the critical calls.
func (fe *flowEval) stage(caller string, i int) (time.Duration, []Call) {
	if i >= len(fe.f.Stages) || fe.depth > 64 {
		return 0, nil
	}
	st := fe.f.Stages[i]
	if !st.Group {
		c, sub := fe.call(caller, st.Targets[0], i, true)
		return c.total, append([]Call{c}, sub...)
	}
	// A group: caller makes every call of the group, then goes on with the
	// rest of the chain itself (join).
	var total time.Duration
	var crit []Call
	var bestName string
	for _, tg := range st.Targets {
		c, _ := fe.call(caller, tg, i, false)
		if st.Parallel {
			if c.total > total || (c.total == total && (bestName == "" || tg.Name < bestName)) {
				total, crit, bestName = c.total, []Call{c}, tg.Name
			}
		} else {
			total += c.total
			crit = append(crit, c)
		}
	}
	rest, restCrit := fe.stage(caller, i+1)
	return total + rest, append(crit, restCrit...)
}

// call makes caller's call to tg; when chain is true the callee goes on
// with the chain's next element.
func (fe *flowEval) call(caller string, tg Target, i int, chain bool) (Call, []Call) {
	q := query(fe.s, caller, tg.Name, tg.Port, tg.Protocol)
	r := fe.s.Reach(q)
	from := caller
	if from == "client" {
		from = sim.Internet
	}
	c := Call{From: from, To: tg.Name, Port: tg.Port, Protocol: r.Protocol, Verdict: r.Verdict, reach: r}
	for _, h := range r.Hops {
		if h.Kind != sim.HopProcess {
			c.network += dur(h.LatencyMS)
		}
	}
	c.processing = fe.processing(tg.Name)
	idx := len(fe.calls)
	fe.calls = append(fe.calls, c)
	if !r.Reachable {
		if fe.fail == nil {
			cc := c
			fe.fail = &cc
		}
		return fe.finish(idx, c, 0), nil
	}
	if !chain {
		return fe.finish(idx, c, 0), nil
	}
	fe.depth++
	sub, crit := fe.stage(tg.Name, i+1)
	fe.depth--
	return fe.finish(idx, c, sub), crit
}

func (fe *flowEval) finish(idx int, c Call, sub time.Duration) Call {
	c.total = c.network + c.processing + sub
	c.NetworkMS, c.ProcessingMS, c.TotalMS = msf(c.network), msf(c.processing), msf(c.total)
	fe.calls[idx] = c
	return c
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// EvalFlow evaluates f on s (see FlowResult for the model). The second
// result is the first call that is not delivered, if any.
func EvalFlow(s *sim.Sim, f Flow) (*FlowResult, *Call) {
	fe := &flowEval{s: s, t: s.Topology(), f: f}
	if len(f.Stages) < 2 || len(f.Stages[0].Targets) != 1 {
		return &FlowResult{}, nil
	}
	total, crit := fe.stage(f.Stages[0].Targets[0].Name, 1)
	return &FlowResult{LatencyMS: msf(total), Calls: fe.calls, CriticalPath: crit}, fe.fail
}

func evalFlow(s *sim.Sim, t *topology.Topology, f Flow) Result {
	fr, fail := EvalFlow(s, f)
	res := Result{Flow: fr}
	var names []string
	for _, c := range fr.CriticalPath {
		names = append(names, fmt.Sprintf("%s->%s:%d", c.From, c.To, c.Port))
	}
	switch {
	case fail != nil:
		r := fail.reach
		res.Status, res.Reach, res.Trace, res.BlockedBy = Fail, &r, r.Hops, r.BlockedBy
		res.Message = fmt.Sprintf("call %s -> %s:%d fails: %s (%s)", fail.From, fail.To, fail.Port, r.Verdict, r.Reason)
		for _, b := range r.BlockedBy {
			res.Fixes = append(res.Fixes, b.Fix)
		}
	case f.MaxLatency > 0 && time.Duration(fr.LatencyMS*float64(time.Millisecond)+0.5) > f.MaxLatency:
		res.Status = Fail
		res.Message = fmt.Sprintf("end-to-end %.3f ms exceeds max_latency %s; critical path %s", fr.LatencyMS, f.MaxLatency, strings.Join(names, ", "))
		res.Fixes = []string{"shorten the critical path: make sequential calls parallel[...], cut processing time, or avoid docker-proxy hops (userland-proxy=false)"}
	default:
		res.Status = Pass
		res.Message = fmt.Sprintf("end-to-end %.3f ms; critical path %s", fr.LatencyMS, strings.Join(names, ", "))
	}
	return res
}
