package scenarios

import (
	"context"
	"slices"

	"github.com/composenet/composenet/topology"
)

// RunFiles loads and runs each scenario file in order (Load, Run). It
// returns the reports of the files that ran and the error of each file
// that did not (bad input), both in file order. with are other projects
// on the host of every scenario (check --with), brought up before each
// scenario's own with: list. load loads each project (loader.Load).
func RunFiles(ctx context.Context, files []string, with []topology.ProjectRef, load topology.LoadFunc) ([]*Report, []error) {
	var reports []*Report
	var errs []error
	for _, f := range files {
		sc, err := Load(f)
		if err == nil {
			sc.With = append(slices.Clone(with), sc.With...)
			var rep *Report
			if rep, err = Run(ctx, sc, load); err == nil {
				reports = append(reports, rep)
				continue
			}
		}
		errs = append(errs, err)
	}
	return reports, errs
}

// LoadFiles loads each scenario file in order, stopping at the first that
// does not load.
func LoadFiles(files []string) ([]*Scenario, error) {
	var scs []*Scenario
	for _, f := range files {
		sc, err := Load(f)
		if err != nil {
			return nil, err
		}
		scs = append(scs, sc)
	}
	return scs, nil
}

// AnyFailed reports whether an expectation or flow of any report failed.
func AnyFailed(reports []*Report) bool {
	for _, r := range reports {
		if r.Failed() > 0 {
			return true
		}
	}
	return false
}
