// Package helperbin finds composenet's helper programs (composenet-load,
// composenet-graphviz): the path an environment variable names, else the
// program next to the running executable, else the first executable of
// that name on PATH. Both helpers are found the same way so that the
// README's one rule holds for both.
package helperbin

import (
	"os"
	"path/filepath"
)

// Find returns the path of the helper called name. envVar names the
// variable that overrides the search; getenv looks up the caller's
// environment (nil: an empty one). ok is false when no helper is found.
func Find(name, envVar string, getenv func(string) string) (path string, ok bool) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if p := getenv(envVar); p != "" {
		return p, true
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, true
		}
	}
	for _, dir := range filepath.SplitList(getenv("PATH")) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}
