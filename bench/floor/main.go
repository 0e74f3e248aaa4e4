// Command floor loads a compose project with compose-go alone, with the
// options loader.Load passes, and prints the number of services: the
// floor that whole-process benchmarks compare composenet's commands with
// (see bench/process_test.go and docs/benchmarks.md).
//
//	floor -f compose.yaml
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/sirupsen/logrus"
)

func main() {
	if len(os.Args) != 3 || os.Args[1] != "-f" {
		fmt.Fprintln(os.Stderr, "usage: floor -f FILE")
		os.Exit(2)
	}
	logrus.SetOutput(io.Discard)
	po, err := cli.NewProjectOptions([]string{os.Args[2]},
		cli.WithWorkingDirectory(""),
		cli.WithEnv(os.Environ()),
		cli.WithEnvFiles(),
		cli.WithDotEnv,
		cli.WithName(""),
		cli.WithResolvedPaths(true),
		cli.WithDefaultProfiles(),
	)
	if err == nil {
		p, lerr := po.LoadProject(context.Background())
		if lerr == nil {
			fmt.Println(len(p.WithoutUnnecessaryResources().Services))
			return
		}
		err = lerr
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
