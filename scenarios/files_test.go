package scenarios

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology/loader"
)

// RunFiles runs every file it can and reports every one it cannot, in
// file order; AnyFailed sees a failing expectation in any report.
func TestRunFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("compose.yaml", "services:\n  web: {image: nginx}\n  db: {image: postgres}\n")
	good := write("good.scenario.yaml", "compose: compose.yaml\nexpect:\n  - reach: web -> db\n")
	bad := write("bad.scenario.yaml", "compose: compose.yaml\nexpect:\n  - blocked: web -> db\n")
	missing := filepath.Join(dir, "missing.scenario.yaml")
	broken := write("broken.scenario.yaml", "compose: compose.yaml\nexpect: 3\n")
	reports, errs := RunFiles(context.Background(), []string{good, missing, bad, broken}, nil, loader.Load)
	if len(reports) != 2 || len(errs) != 2 {
		t.Fatalf("%d reports, %d errors (%v)", len(reports), len(errs), errs)
	}
	if !strings.Contains(errs[0].Error(), "missing.scenario.yaml") || !strings.Contains(errs[1].Error(), "broken.scenario.yaml") {
		t.Errorf("errors out of order: %v", errs)
	}
	if AnyFailed(reports[:1]) || !AnyFailed(reports) {
		t.Errorf("AnyFailed: good alone %v, with bad %v", AnyFailed(reports[:1]), AnyFailed(reports))
	}
	if scs, err := LoadFiles([]string{good, bad}); err != nil || len(scs) != 2 {
		t.Errorf("LoadFiles: %d %v", len(scs), err)
	}
	if _, err := LoadFiles([]string{good, missing, broken}); err == nil || !strings.Contains(err.Error(), "missing.scenario.yaml") {
		t.Errorf("LoadFiles stops at the first bad file: %v", err)
	}
}
