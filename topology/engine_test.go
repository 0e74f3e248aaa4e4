package topology

import "testing"

func TestParseEngineVersion(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      bool
	}{
		{"28", "28", false},
		{"20.10", "20.10", false},
		{"20.10.24+dfsg1", "20.10.24", false},
		{"v27.0.1", "27.0.1", false},
		{"28.5.2-1~debian.12~bookworm", "28.5.2", false},
		{"", "", true},
		{"latest", "", true},
		{"28.x", "", true},
		{"1.13", "", true},
		{"28.0.1.2", "", true},
	} {
		v, err := ParseEngineVersion(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("ParseEngineVersion(%q) error = %v, want error %t", tc.in, err, tc.err)
			continue
		}
		if err == nil && v.String() != tc.want {
			t.Errorf("ParseEngineVersion(%q) = %s, want %s", tc.in, v, tc.want)
		}
	}
}

func TestEngineVersionAtLeast(t *testing.T) {
	for _, tc := range []struct {
		v                   string
		major, minor, patch int
		want                bool
	}{
		{"28", 28, 0, 2, true},  // an open minor is the newest of its line
		{"28", 29, 0, 0, false}, //
		{"20.10", 25, 0, 0, false},
		{"20.10.24", 20, 10, 24, true},
		{"20.10.23", 20, 10, 24, false},
		{"25.0", 25, 0, 0, true},
		{"25.0", 26, 0, 0, false},
		{"28.0.1", 28, 0, 2, false},
		{"28.0", 28, 0, 2, true},
		{"27.5.1", 28, 0, 0, false},
	} {
		v, err := ParseEngineVersion(tc.v)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.AtLeast(tc.major, tc.minor, tc.patch); got != tc.want {
			t.Errorf("%s.AtLeast(%d.%d.%d) = %t, want %t", tc.v, tc.major, tc.minor, tc.patch, got, tc.want)
		}
	}
}
