package main

import (
	"context"
	"fmt"

	"github.com/composenet/composenet/internal/gen"
)

// cmdGenerate writes a synthetic compose project (a testing aid for
// benchmarks and scale tests) to stdout or, atomically, to -o FILE.
func cmdGenerate(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name: "generate",
		summary: "Testing aid: write a synthetic but realistic compose project for benchmarks and scale\n" +
			"tests. Services join one to three networks (about a quarter internal), some publish\n" +
			"ports (some on 127.0.0.1 only), some have aliases, replicas, depends_on, environment\n" +
			"URLs pointing at other services (reachable or not) and x-composenet listeners.\n" +
			"The same flags give the same bytes. Large projects get explicit subnets in 10.0.0.0/8.",
		examples: []string{
			"composenet generate --services 500 --networks 40 --seed 1 > compose.yaml",
			"composenet generate --services 5000 --networks 400 --seed 7 -o big.yaml",
		},
	})
	services := fs.Int("services", 50, "number of services `N`")
	networks := fs.Int("networks", 0, "number of networks `M` (default: services/10, at least 1)")
	seed := fs.Uint64("seed", 1, "random seed `S`; the same seed gives the same output")
	project := fs.String("project", "gen", "project `NAME` written as name:")
	out := addOutputFlag(fs, "the project")
	_, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	if *networks == 0 {
		*networks = max(*services/10, 1)
	}
	data, err := gen.Generate(gen.Config{Services: *services, Networks: *networks, Seed: *seed, Project: *project})
	if err != nil {
		fmt.Fprintf(e.stderr, "composenet generate: %v\n", err)
		return exitBadInput
	}
	return exitCode(e.emit(ctx, "generate", out, "yaml", data))
}
