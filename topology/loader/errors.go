package loader

import (
	"github.com/composenet/composenet/topology"
)

// inputProblem turns a refusal of topology.ReadInput or topology.CheckInput into a problem
// about the file (shown as name).
func inputProblem(name string, err error) topology.Problem {
	return topology.Problem{Pos: topology.Position{File: name}, Message: err.Error()}
}

func sortProblems(ps []topology.Problem) []topology.Problem { return topology.SortProblems(ps) }

func sortWarnings(ws []topology.Warning) []topology.Warning { return topology.SortWarnings(ws) }
