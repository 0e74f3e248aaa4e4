package svgcmd

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestFindHonoursEnvironment(t *testing.T) {
	t.Setenv("COMPOSENET_GRAPHVIZ", "/opt/custom/composenet-graphviz")
	if p, err := Find(); err != nil || p != "/opt/custom/composenet-graphviz" {
		t.Errorf("Find = %q, %v", p, err)
	}
}

func TestNoHelper(t *testing.T) {
	t.Setenv("COMPOSENET_GRAPHVIZ", "")
	t.Setenv("PATH", t.TempDir())
	_, err := FromDOT(context.Background(), "", []byte("digraph{}"))
	// The test binary's folder has no helper and PATH is empty.
	if !errors.Is(err, ErrNoHelper) {
		t.Fatalf("want ErrNoHelper, got %v", err)
	}
	if !strings.Contains(err.Error(), "make build") {
		t.Errorf("the message should say how to get the helper: %v", err)
	}
}

func TestHelperFailureIsReported(t *testing.T) {
	_, err := FromDOT(context.Background(), "/bin/false", []byte("digraph{}"))
	if err == nil || !strings.HasPrefix(err.Error(), "svg: ") {
		t.Errorf("want an svg: error, got %v", err)
	}
}
