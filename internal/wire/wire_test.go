package wire

import (
	"bytes"
	"math"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

type Kind string

type inner struct {
	Name  string
	Addrs []netip.Addr
	Pfx   netip.Prefix
	when  int // unexported: not carried
}

type node struct {
	Val  int
	Next *node
	Kids []node
}

type sample struct {
	B      bool
	I      int
	I8     int8
	I64    int64
	U8     uint8
	U16    uint16
	U64    uint64
	F32    float32
	F64    float64
	S      string
	K      Kind
	D      time.Duration
	T      time.Time
	Raw    []byte
	RawNil []byte
	Sum    [4]byte
	Pair   [2]uint16
	Ranges [][2]uint16
	Nil    []string
	Empty  []string
	Strs   []string
	In     inner
	InP    *inner
	InNil  *inner
	BoolP  *bool
	M      map[string]map[string][]*inner
	MNil   map[string]int
	MEmpty map[uint16]string
	MInt   map[int]bool
	List   *node
}

func full() sample {
	yes := true
	return sample{
		B: true, I: -12345, I8: -128, I64: math.MinInt64, U8: 255, U16: 65535, U64: math.MaxUint64,
		F32: 1.5, F64: -math.Pi, S: "héllo\x00", K: "kind", D: 3 * time.Millisecond,
		T:   time.Date(2026, 11, 30, 23, 59, 0, 12, time.UTC),
		Raw: []byte{}, Sum: [4]byte{1, 2, 3, 4}, Pair: [2]uint16{80, 8080},
		Ranges: [][2]uint16{{1, 2}, {3, 65535}},
		Empty:  []string{}, Strs: []string{"", "a", strings.Repeat("x", 300)},
		In:  inner{Name: "in", Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("fe80::1%eth0"), {}}, Pfx: netip.MustParsePrefix("172.18.0.0/16")},
		InP: &inner{Name: "p"}, BoolP: &yes,
		M: map[string]map[string][]*inner{
			"filter": {"FORWARD": {{Name: "r1"}, nil}, "INPUT": nil},
			"nat":    nil,
		},
		MEmpty: map[uint16]string{},
		MInt:   map[int]bool{-1: true, 7: false, 3: true},
		List:   &node{Val: 1, Next: &node{Val: 2}, Kids: []node{{Val: 3}, {Val: 4, Kids: []node{}}}},
	}
}

// A value survives the trip exactly: nil and empty slices and maps stay
// apart, unexported fields are not carried.
func TestRoundTrip(t *testing.T) {
	for _, v := range []sample{{}, full()} {
		raw, err := Marshal(&v)
		if err != nil {
			t.Fatal(err)
		}
		var got sample
		if err := Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		if !got.T.Equal(v.T) {
			t.Errorf("time %v, want %v", got.T, v.T)
		}
		got.T, v.T = time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, v) {
			t.Errorf("round trip differs:\n got %+v\nwant %+v", got, v)
		}
	}
	v := full()
	v.In.when = 5
	raw, _ := Marshal(v)
	var got sample
	if err := Unmarshal(raw, &got); err != nil || got.In.when != 0 {
		t.Errorf("unexported field carried (%d) or error %v", got.In.when, err)
	}
}

// Equal values give equal bytes, whatever the maps' iteration order.
func TestDeterministic(t *testing.T) {
	v := full()
	first, _ := Marshal(v)
	for range 20 {
		again, _ := Marshal(v)
		if !bytes.Equal(first, again) {
			t.Fatal("two encodings of one value differ")
		}
	}
}

// The format is what the package doc says, byte by byte.
func TestFormat(t *testing.T) {
	type small struct {
		A int
		B uint16
		C string
		D []int
		E []int
		F *bool
		G map[string]uint8
		H bool
		I uint8
	}
	raw, err := Marshal(small{A: -2, B: 300, C: "ab", E: []int{1}, G: map[string]uint8{"y": 2, "x": 1}, H: true, I: 200})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		3,          // A: zig-zag -2
		0xac, 0x02, // B: 300
		2, 'a', 'b', // C
		0,    // D: nil
		2, 2, // E: len 1 (+1), zig-zag 1
		0,                       // F: nil pointer
		3, 1, 'x', 1, 1, 'y', 2, // G: 2 entries (+1), sorted
		1,   // H
		200, // I: one byte
	}
	if !bytes.Equal(raw, want) {
		t.Errorf("got  % x\nwant % x", raw, want)
	}
}

// Types the format cannot carry are refused when the plan is built.
func TestUnsupportedTypes(t *testing.T) {
	for name, v := range map[string]any{
		"interface field":     struct{ X any }{},
		"func field":          struct{ F func() }{},
		"chan":                struct{ C chan int }{},
		"no exported fields":  struct{ x int }{},
		"struct map key":      struct{ M map[struct{ A int }]int }{},
		"complex":             struct{ C complex128 }{},
		"zero-length array":   struct{ A [0]int }{},
		"nested unsupported":  struct{ P *struct{ X any } }{},
		"slice of interfaces": struct{ S []any }{},
	} {
		if _, err := Marshal(v); err == nil {
			t.Errorf("%s: encoded", name)
		}
		ptr := reflect.New(reflect.TypeOf(v)).Interface()
		if err := Unmarshal([]byte{0}, ptr); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// Every strict prefix of an encoding, and the encoding with a byte more,
// is an error; so are out-of-range values.
func TestMalformed(t *testing.T) {
	raw, err := Marshal(full())
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(raw) {
		var v sample
		if err := Unmarshal(raw[:n], &v); err == nil {
			t.Fatalf("a %d-byte prefix of %d decoded", n, len(raw))
		}
	}
	var v sample
	if err := Unmarshal(append(raw, 0), &v); err == nil || !strings.Contains(err.Error(), "1 bytes after") {
		t.Errorf("trailing byte: %v", err)
	}
	type one struct{ X int8 }
	type flag struct{ X bool }
	type ptr struct{ P *int }
	type u16 struct{ X uint16 }
	for _, tc := range []struct {
		name string
		data []byte
		into any
		want string
	}{
		{"int8 overflow", []byte{0x80, 0x02}, new(one), "overflows int8"},
		{"uint16 overflow", []byte{0x80, 0x80, 0x04}, new(u16), "overflows uint16"},
		{"bool 2", []byte{2}, new(flag), "bool is not 0 or 1"},
		{"pointer marker 2", []byte{2}, new(ptr), "pointer marker"},
		{"varint too long", bytes.Repeat([]byte{0xff}, 11), new(one), "varint"},
		{"string longer than the input", []byte{0x05, 'a'}, new(struct{ S string }), "exceeds"},
		// A billion-element slice in 6 bytes: refused before allocating.
		{"huge slice", []byte{0x80, 0x94, 0xeb, 0xdc, 0x03, 0}, new(struct{ S []int64 }), "exceeds"},
		{"huge map", []byte{0xff, 0xff, 0xff, 0xff, 0x0f}, new(struct{ M map[string]string }), "exceeds"},
		// Each element takes at least its plan's minimum: 3 floats need 24 bytes.
		{"slice of floats short", append([]byte{4}, make([]byte, 16)...), new(struct{ F []float64 }), "exceeds"},
		{"duplicate key", []byte{3, 1, 'a', 1, 1, 'a', 2}, new(struct{ M map[string]uint8 }), "duplicate map key"},
		{"bad address", []byte{3, 1, 2, 3}, new(struct{ A netip.Addr }), "malformed"},
	} {
		err := Unmarshal(tc.data, tc.into)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// A list nested deeper than MaxDepth is refused, not followed until the
// stack runs out.
func TestDepthBound(t *testing.T) {
	type list struct {
		Next *list
	}
	data := append(bytes.Repeat([]byte{1}, MaxDepth+5), 0)
	var l list
	if err := Unmarshal(data, &l); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Fatalf("error %v", err)
	}
	ok := append(bytes.Repeat([]byte{1}, MaxDepth-1), 0)
	if err := Unmarshal(ok, &l); err != nil {
		t.Fatalf("depth %d: %v", MaxDepth-1, err)
	}
}

// FuzzUnmarshal: arbitrary bytes decode or fail with an error, never
// panic, and what decodes encodes back to the same bytes (the encoding
// is canonical).
func FuzzUnmarshal(f *testing.F) {
	raw, _ := Marshal(full())
	f.Add(raw)
	zero, _ := Marshal(sample{})
	f.Add(zero)
	f.Fuzz(func(t *testing.T, data []byte) {
		var v sample
		if err := Unmarshal(data, &v); err != nil {
			return
		}
		again, err := Marshal(&v)
		if err != nil {
			t.Fatal(err)
		}
		var w sample
		if err := Unmarshal(again, &w); err != nil {
			t.Fatalf("re-encoding does not decode: %v", err)
		}
	})
}

// Fingerprint changes with any change of shape a decoder would misread:
// a field added, renamed, retyped or retagged, an array's length, the
// head; it ignores unexported-field values and is stable.
func TestFingerprint(t *testing.T) {
	type a struct {
		X int
		Y []string `json:"y"`
	}
	type added struct {
		X int
		Y []string `json:"y"`
		Z bool
	}
	type renamed struct {
		X int
		W []string `json:"y"`
	}
	type retyped struct {
		X int64
		Y []string `json:"y"`
	}
	type retagged struct {
		X int
		Y []string `json:"z"`
	}
	base := Fingerprint("v1", a{})
	if Fingerprint("v1", a{X: 5}) != base {
		t.Error("values change the fingerprint")
	}
	for name, fp := range map[string]string{
		"added":     Fingerprint("v1", added{}),
		"renamed":   Fingerprint("v1", renamed{}),
		"retyped":   Fingerprint("v1", retyped{}),
		"retagged":  Fingerprint("v1", retagged{}),
		"head":      Fingerprint("v2", a{}),
		"array len": Fingerprint("v1", a{}, [3]int{}),
		"another":   Fingerprint("v1", a{}, [4]int{}),
	} {
		if fp == base {
			t.Errorf("%s: same fingerprint", name)
		}
	}
	if Fingerprint("v1", a{}, [3]int{}) == Fingerprint("v1", a{}, [4]int{}) {
		t.Error("array lengths not told apart")
	}
}
