package loader

import (
	"sort"

	"github.com/composenet/composenet/topology"
)

// inputProblem turns a refusal of topology.ReadInput or topology.CheckInput into a problem
// about the file (shown as name).
func inputProblem(name string, err error) topology.Problem {
	return topology.Problem{Pos: topology.Position{File: name}, Message: err.Error()}
}

func sortProblems(ps []topology.Problem) []topology.Problem {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Pos != b.Pos {
			return a.Pos.Less(b.Pos)
		}
		return a.Message < b.Message
	})
	// drop exact duplicates
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

func sortWarnings(ws []topology.Warning) []topology.Warning {
	sort.SliceStable(ws, func(i, j int) bool {
		a, b := ws[i], ws[j]
		if a.Pos != b.Pos {
			return a.Pos.Less(b.Pos)
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
	out := ws[:0]
	for i, w := range ws {
		if i > 0 && w == ws[i-1] {
			continue
		}
		out = append(out, w)
	}
	return out
}
