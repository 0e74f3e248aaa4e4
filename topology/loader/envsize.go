package loader

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/composenet/composenet/topology"
)

// Interpolation limits. compose-go expands ${VAR} in .env files, env_file
// files and compose files eagerly; a .env file of 40 lines where each
// variable doubles the one before stands for a terabyte. Before anything
// is handed to compose-go, the expanded size of every variable and every
// compose file is measured (not built) and refused past these limits.
const (
	// maxVarBytes is the largest expanded value of one variable (1 MiB).
	maxVarBytes = 1 << 20
	// maxExpandedBytes is the largest a compose file may grow to through
	// interpolation (the input cap, 32 MiB).
	maxExpandedBytes = topology.MaxInputBytes
)

// varSizes holds the expanded size of each variable seen so far; -1 marks
// a variable already reported as too large (what builds on it is not
// reported again).
type varSizes map[string]int64

func envSizes(env map[string]string) varSizes {
	s := varSizes{}
	for k, v := range env {
		s[k] = int64(len(v))
	}
	return s
}

// satAdd adds without overflowing (sizes saturate far above any limit).
func satAdd(a, b int64) int64 {
	if a > 1<<50 || b > 1<<50 {
		return 1 << 51
	}
	return a + b
}

// expandedSize is an upper bound of the size of text after interpolation
// (exact when every reference is a plain $NAME or ${NAME}): the text with
// each reference replaced by the size of the variable it names, counted
// once per mention. $$ is a literal dollar.
func (vs varSizes) expandedSize(text []byte) int64 {
	n, _ := vs.expanded(text)
	return n
}

// expanded is expandedSize, also telling whether text names a variable
// already reported.
func (vs varSizes) expanded(text []byte) (n int64, tainted bool) {
	n = int64(len(text))
	for i := 0; i < len(text); i++ {
		if text[i] != '$' || i+1 >= len(text) {
			continue
		}
		if text[i+1] == '$' {
			i++
			continue
		}
		j := i + 1
		if text[j] == '{' {
			j++
		}
		k := j
		for k < len(text) && (text[k] == '_' || text[k] >= 'a' && text[k] <= 'z' || text[k] >= 'A' && text[k] <= 'Z' || k > j && text[k] >= '0' && text[k] <= '9') {
			k++
		}
		if k > j {
			if v := vs[string(text[j:k])]; v >= 0 {
				n = satAdd(n, v)
			} else {
				tainted = true
			}
			// the reference itself is replaced: $NAME and ${NAME} are
			// not part of the result (a ${NAME:-default} keeps counting
			// its default, an upper bound)
			switch {
			case j == i+1:
				n -= int64(k - i)
			case k < len(text) && text[k] == '}':
				n -= int64(k + 1 - i)
			}
		}
		i = k - 1
	}
	return n, tainted
}

// measureDotenv checks one dotenv file (.env, --env-file, env_file) line
// by line: each variable's expanded size, given the sizes known before it,
// must stay within maxVarBytes. It records the sizes of the file's
// variables in vs and returns the problems, positioned.
func (vs varSizes) measureDotenv(name string, raw []byte) []topology.Problem {
	var out []topology.Problem
	for ln, line := range bytes.Split(raw, []byte("\n")) {
		t := bytes.TrimLeft(line, " \t")
		if len(t) == 0 || t[0] == '#' {
			continue
		}
		t = bytes.TrimPrefix(t, []byte("export "))
		eq := bytes.IndexAny(t, "=:")
		if eq <= 0 {
			continue
		}
		key := strings.TrimSpace(string(t[:eq]))
		val := bytes.TrimSpace(t[eq+1:])
		size, tainted := int64(len(val)), false
		if len(val) == 0 || val[0] != '\'' {
			size, tainted = vs.expanded(val)
		}
		vs[key] = size
		if tainted {
			vs[key] = -1
			continue
		}
		if size > maxVarBytes {
			col := 1 + len(line) - len(bytes.TrimLeft(line, " \t"))
			out = append(out, topology.Problem{Pos: topology.Position{File: name, Line: ln + 1, Col: col}, Path: key,
				Message: fmt.Sprintf("expands to %s; composenet accepts variables of at most 1 MiB (%d bytes) after interpolation", sizeText(size), maxVarBytes)})
			// one problem per cause, not one for every line that builds on it
			vs[key] = -1
		}
	}
	return out
}

func sizeText(n int64) string {
	if n >= 1<<50 {
		return "more than 1 PiB"
	}
	return fmt.Sprintf("about %d bytes", n)
}
