package loader

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/composenet/composenet/topology"
)

// TestInvalidSpecPositionedAtEntry: an interpolated volume entry that
// comes out invalid (penpot's "${PENPOT_SOURCE_PATH}:/home/penpot/penpot:z"
// with the variable unset) is reported at the entry's line in the file
// that has it, in a merged two-file project, naming the unset variable.
func TestInvalidSpecPositionedAtEntry(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.yml", "name: p\nservices:\n  db: {image: postgres}\n")
	write("b.yml", "services:\n  main:\n    image: x\n    volumes:\n      - \"${SRC_PATH}:/home/app:z\"\n")
	_, err := Load(context.Background(), topology.Options{Dir: dir, Files: []string{"a.yml", "b.yml"}, Env: []string{}})
	var le *topology.LoadError
	if !errors.As(err, &le) || len(le.Problems) != 1 {
		t.Fatalf("want one problem, got %v", err)
	}
	want := "b.yml:5:9: invalid spec: :/home/app:z: empty section between colons (SRC_PATH is not set, so it interpolates to an empty string)"
	if got := le.Problems[0].String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
