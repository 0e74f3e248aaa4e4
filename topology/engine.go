package topology

import (
	"fmt"
	"strconv"
	"strings"
)

// EngineVersion is the Docker Engine release the model describes (the
// daemon setting `engine`, the CLI's --engine). Parts not given are -1 and
// stand for the newest release of that line: "28" is the latest 28.x,
// "20.10" the latest 20.10.x. The rule book describes Engine 28; the
// behaviours that differ in older engines are tagged [VER x] there, and
// sim branches on this value for each of them.
type EngineVersion struct {
	Major, Minor, Patch int
}

// DefaultEngine is the engine modelled unless told otherwise: 28 (the
// rule book's target).
var DefaultEngine = EngineVersion{Major: 28, Minor: -1, Patch: -1}

// ParseEngineVersion reads "28", "20.10", "27.0.1", "v25.0.3" or a
// version as docker reports it ("20.10.24+dfsg1", "28.5.2-1~debian").
func ParseEngineVersion(s string) (EngineVersion, error) {
	v := EngineVersion{Minor: -1, Patch: -1}
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(t, "+-~ "); i >= 0 {
		t = t[:i]
	}
	parts := strings.Split(t, ".")
	if t == "" || len(parts) > 3 {
		return v, fmt.Errorf("invalid engine version %q (want e.g. 28, 20.10 or 27.0.1)", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 999 {
			return v, fmt.Errorf("invalid engine version %q (want e.g. 28, 20.10 or 27.0.1)", s)
		}
		switch i {
		case 0:
			v.Major = n
		case 1:
			v.Minor = n
		case 2:
			v.Patch = n
		}
	}
	if v.Major < 17 || v.Major > 99 {
		return v, fmt.Errorf("engine version %q is outside what composenet models (17 to 99)", s)
	}
	return v, nil
}

// String formats v as given: "28", "20.10", "27.0.1".
func (v EngineVersion) String() string {
	s := strconv.Itoa(v.Major)
	if v.Minor >= 0 {
		s += "." + strconv.Itoa(v.Minor)
		if v.Patch >= 0 {
			s += "." + strconv.Itoa(v.Patch)
		}
	}
	return s
}

// MarshalText writes v as String does.
func (v EngineVersion) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads v as ParseEngineVersion does.
func (v *EngineVersion) UnmarshalText(b []byte) error {
	p, err := ParseEngineVersion(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// AtLeast reports whether v is major.minor.patch or newer. A part that v
// leaves open counts as the newest of its line.
func (v EngineVersion) AtLeast(major, minor, patch int) bool {
	if v.Major != major {
		return v.Major > major
	}
	if v.Minor < 0 || v.Minor != minor {
		return v.Minor < 0 || v.Minor > minor
	}
	return v.Patch < 0 || v.Patch >= patch
}
