// Package wire is composenet's private binary encoding of Go values: the
// topology snapshots of the load cache (topology/snapshot) and the
// requests and answers between composenet and its composenet-load helper
// (internal/loadcmd) use it.
//
// # Why not encoding/gob, and why reflection rather than generated code
//
// A topology answered from the cache is decoded once per process, so what
// matters is the cost of the first decode. encoding/gob sends a
// description of every type with the data and compiles a decoder for each
// type on the first decode of every process; for the e-commerce example
// that set-up was most of the snapshot's decode and several times the
// decode itself, and gob's package initialiser ran at every start. A plan
// built here costs one pass of reflection over the types (a few
// microseconds for the model), nothing is sent but the values, and the
// package has no initialiser.
//
// A generator (go generate writing an encoder per type) would skip the
// reflection too, but must be re-run whenever the model changes, and the
// model changes often: with plans built from the types at run time, a
// field added to the model is carried without any change here, and the
// snapshot's fingerprint (the types' shapes, hashed) already refuses data
// written by a build with other types. The measured difference between a
// plan and generated code is microseconds per process.
//
// # Format
//
// There is no self-description: both sides must use the same Go types
// (the snapshot's format version and fingerprint make sure they do).
// Exported struct fields are written in declaration order; unexported
// ones are skipped. Signed integers are zig-zag varints, unsigned ones
// varints (uint8: one byte), bools one byte (0 or 1), floats eight bytes
// (IEEE 754, little-endian), strings a varint length and the bytes.
// Slices and maps start with a varint that is 0 for nil, else the length
// plus one, so nil and empty survive the trip; map entries are written
// in key order (string and integer keys), so equal values give equal
// bytes. A pointer is a byte, 0 for nil or 1 followed by the value:
// pointers are followed, not shared (a graph must be flattened by the
// caller, as topology/snapshot does). Arrays hold their elements with no
// length. A type with MarshalBinary and UnmarshalBinary (net/netip's
// addresses and prefixes, time.Time) is written as their bytes.
// Interfaces, channels, functions and complex numbers are refused, as are
// structs without exported fields.
//
// # Hostile input
//
// Unmarshal returns an error for malformed input, never panics, and
// allocates in proportion to its input: every length is checked against
// the bytes that remain (each element takes at least one byte), nesting
// is bounded (MaxDepth), and trailing bytes are an error.
package wire

import (
	"cmp"
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
)

// MaxDepth bounds the nesting of pointers, slices and maps that Unmarshal
// follows (only recursive types can reach it).
const MaxDepth = 1000

// Append appends the encoding of v to buf. v may be a value or a pointer
// to one; the plan is the type's (a pointer's: its element's, with a nil
// pointer written as a zero value).
func Append(buf []byte, v any) (_ []byte, err error) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return buf, errors.New("wire: cannot encode nil")
	}
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			rv = reflect.Zero(rv.Type().Elem())
		} else {
			rv = rv.Elem()
		}
	}
	p, err := planFor(rv.Type())
	if err != nil {
		return buf, err
	}
	e := encoder{buf: buf}
	defer func() {
		if r := recover(); r != nil {
			ee, ok := r.(encodeError)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("wire: encoding %s: %w", rv.Type(), ee.err)
		}
	}()
	p.enc(&e, rv)
	return e.buf, nil
}

// Marshal returns the encoding of v (see Append).
func Marshal(v any) ([]byte, error) { return Append(nil, v) }

// Unmarshal decodes data, which Append wrote for a value of the type v
// points to, into *v. It returns an error, and leaves *v in an
// unspecified state, when data is not such an encoding.
func Unmarshal(data []byte, v any) (err error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("wire: Unmarshal needs a non-nil pointer")
	}
	rv = rv.Elem()
	p, err := planFor(rv.Type())
	if err != nil {
		return err
	}
	d := decoder{buf: data}
	defer func() {
		if r := recover(); r != nil {
			de, ok := r.(decodeError)
			if !ok {
				panic(r) // a bug here, not bad input: fuzzing must see it
			}
			err = fmt.Errorf("wire: malformed %s at byte %d: %s", rv.Type(), d.pos, string(de))
		}
	}()
	p.dec(&d, rv)
	if d.pos != len(d.buf) {
		return fmt.Errorf("wire: %d bytes after the %s", len(d.buf)-d.pos, rv.Type())
	}
	return nil
}

// plan encodes and decodes one type.
type plan struct {
	enc func(*encoder, reflect.Value)
	// dec sets v, which is settable, from the input.
	dec func(*decoder, reflect.Value)
	// min is the fewest bytes an encoding of the type takes.
	min int
}

// plans holds the plans built so far (nil until the first): the package
// has no initialiser, so a program that links it and never encodes pays
// nothing at start-up.
var (
	plansMu sync.Mutex
	plans   map[reflect.Type]*plan
)

// planFor returns the plan of t, building it (and its components') on
// first use.
func planFor(t reflect.Type) (*plan, error) {
	plansMu.Lock()
	defer plansMu.Unlock()
	if p, ok := plans[t]; ok {
		return p, nil
	}
	b := builder{building: map[reflect.Type]*plan{}}
	p := b.plan(t)
	if b.err != nil {
		return nil, b.err
	}
	if plans == nil {
		plans = make(map[reflect.Type]*plan, len(b.building))
	}
	for ty, q := range b.building {
		plans[ty] = q
	}
	return p, nil
}

type builder struct {
	building map[reflect.Type]*plan
	err      error
}

func (b *builder) fail(t reflect.Type, why string) *plan {
	if b.err == nil {
		b.err = fmt.Errorf("wire: cannot encode %s: %s", t, why)
	}
	return &plan{enc: func(*encoder, reflect.Value) {}, dec: func(*decoder, reflect.Value) {}, min: 1}
}

func (b *builder) plan(t reflect.Type) *plan {
	if p, ok := plans[t]; ok {
		return p
	}
	if p, ok := b.building[t]; ok {
		return p // recursive type: filled in below before any use
	}
	p := &plan{}
	b.building[t] = p
	*p = b.build(t)
	return p
}

func (b *builder) build(t reflect.Type) plan {
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface &&
		(t.Implements(reflect.TypeFor[encoding.BinaryMarshaler]()) || t.Implements(reflect.TypeFor[encoding.BinaryAppender]())) &&
		reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.BinaryUnmarshaler]()) {
		return marshalerPlan(t)
	}
	switch t.Kind() {
	case reflect.Bool:
		return plan{enc: encBool, dec: decBool, min: 1}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return plan{enc: encInt, dec: decInt, min: 1}
	case reflect.Uint8:
		return plan{enc: encUint8, dec: decUint8, min: 1}
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return plan{enc: encUint, dec: decUint, min: 1}
	case reflect.Float32, reflect.Float64:
		return plan{enc: encFloat, dec: decFloat, min: 8}
	case reflect.String:
		return plan{enc: encString, dec: decString, min: 1}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return plan{enc: encBytes, dec: decBytes, min: 1}
		}
		return b.slicePlan(t)
	case reflect.Array:
		return b.arrayPlan(t)
	case reflect.Pointer:
		return b.pointerPlan(t)
	case reflect.Map:
		return b.mapPlan(t)
	case reflect.Struct:
		return b.structPlan(t)
	}
	return *b.fail(t, "unsupported kind "+t.Kind().String())
}

func marshalerPlan(t reflect.Type) plan {
	appends := t.Implements(reflect.TypeFor[encoding.BinaryAppender]())
	return plan{
		enc: func(e *encoder, v reflect.Value) {
			var raw []byte
			var err error
			if appends {
				// Length first: append into a scratch tail, then move.
				start := len(e.buf)
				e.buf = append(e.buf, 0)
				e.buf, err = v.Interface().(encoding.BinaryAppender).AppendBinary(e.buf)
				if err == nil {
					n := len(e.buf) - start - 1
					if n < 0x80 {
						e.buf[start] = byte(n)
						return
					}
					raw = append([]byte(nil), e.buf[start+1:]...)
					e.buf = e.buf[:start]
				}
			} else {
				raw, err = v.Interface().(encoding.BinaryMarshaler).MarshalBinary()
			}
			if err != nil {
				panic(encodeError{err})
			}
			e.uvarint(uint64(len(raw)))
			e.buf = append(e.buf, raw...)
		},
		dec: func(d *decoder, v reflect.Value) {
			raw := d.take(d.length(1))
			if err := v.Addr().Interface().(encoding.BinaryUnmarshaler).UnmarshalBinary(raw); err != nil {
				d.fail(err.Error())
			}
		},
		min: 1,
	}
}

func (b *builder) slicePlan(t reflect.Type) plan {
	ep := b.plan(t.Elem())
	return plan{
		enc: func(e *encoder, v reflect.Value) {
			if v.IsNil() {
				e.buf = append(e.buf, 0)
				return
			}
			n := v.Len()
			e.uvarint(uint64(n) + 1)
			for i := range n {
				ep.enc(e, v.Index(i))
			}
		},
		dec: func(d *decoder, v reflect.Value) {
			n, ok := d.nilOrLength(ep.min)
			if !ok {
				v.SetZero()
				return
			}
			d.enter()
			s := reflect.MakeSlice(t, n, n)
			for i := range n {
				ep.dec(d, s.Index(i))
			}
			v.Set(s)
			d.depth--
		},
		min: 1,
	}
}

func (b *builder) arrayPlan(t reflect.Type) plan {
	n := t.Len()
	if n == 0 {
		return *b.fail(t, "zero-length array")
	}
	if t.Elem().Kind() == reflect.Uint8 {
		return plan{
			enc: func(e *encoder, v reflect.Value) {
				if v.CanAddr() {
					e.buf = append(e.buf, v.Bytes()...)
					return
				}
				for i := range n {
					e.buf = append(e.buf, byte(v.Index(i).Uint()))
				}
			},
			dec: func(d *decoder, v reflect.Value) {
				reflect.Copy(v, reflect.ValueOf(d.take(n)))
			},
			min: n,
		}
	}
	ep := b.plan(t.Elem())
	return plan{
		enc: func(e *encoder, v reflect.Value) {
			for i := range n {
				ep.enc(e, v.Index(i))
			}
		},
		dec: func(d *decoder, v reflect.Value) {
			for i := range n {
				ep.dec(d, v.Index(i))
			}
		},
		min: n * ep.min,
	}
}

func (b *builder) pointerPlan(t reflect.Type) plan {
	ep := b.plan(t.Elem())
	return plan{
		enc: func(e *encoder, v reflect.Value) {
			if v.IsNil() {
				e.buf = append(e.buf, 0)
				return
			}
			e.buf = append(e.buf, 1)
			ep.enc(e, v.Elem())
		},
		dec: func(d *decoder, v reflect.Value) {
			switch d.byte() {
			case 0:
				v.SetZero()
			case 1:
				d.enter()
				p := reflect.New(t.Elem())
				ep.dec(d, p.Elem())
				v.Set(p)
				d.depth--
			default:
				d.fail("pointer marker is not 0 or 1")
			}
		},
		min: 1,
	}
}

func (b *builder) mapPlan(t reflect.Type) plan {
	kt := t.Key()
	var less func(a, b reflect.Value) int
	switch kt.Kind() {
	case reflect.String:
		less = func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		less = func(a, b reflect.Value) int { return cmp.Compare(a.Int(), b.Int()) }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		less = func(a, b reflect.Value) int { return cmp.Compare(a.Uint(), b.Uint()) }
	default:
		return *b.fail(t, "map keys must be strings or integers")
	}
	kp, vp := b.plan(kt), b.plan(t.Elem())
	return plan{
		enc: func(e *encoder, v reflect.Value) {
			if v.IsNil() {
				e.buf = append(e.buf, 0)
				return
			}
			keys := v.MapKeys()
			slices.SortFunc(keys, less)
			e.uvarint(uint64(len(keys)) + 1)
			for _, k := range keys {
				kp.enc(e, k)
				vp.enc(e, v.MapIndex(k))
			}
		},
		dec: func(d *decoder, v reflect.Value) {
			n, ok := d.nilOrLength(kp.min + vp.min)
			if !ok {
				v.SetZero()
				return
			}
			d.enter()
			m := reflect.MakeMapWithSize(t, n)
			k, x := reflect.New(kt).Elem(), reflect.New(t.Elem()).Elem()
			for range n {
				k.SetZero()
				x.SetZero()
				kp.dec(d, k)
				vp.dec(d, x)
				m.SetMapIndex(k, x)
			}
			if m.Len() != n {
				d.fail("duplicate map key")
			}
			v.Set(m)
			d.depth--
		},
		min: 1,
	}
}

func (b *builder) structPlan(t reflect.Type) plan {
	type field struct {
		index int
		p     *plan
	}
	var fields []field
	min := 0
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		p := b.plan(f.Type)
		fields = append(fields, field{i, p})
		min += p.min
	}
	if len(fields) == 0 {
		return *b.fail(t, "no exported fields")
	}
	return plan{
		enc: func(e *encoder, v reflect.Value) {
			for _, f := range fields {
				f.p.enc(e, v.Field(f.index))
			}
		},
		dec: func(d *decoder, v reflect.Value) {
			for _, f := range fields {
				f.p.dec(d, v.Field(f.index))
			}
		},
		// A recursive struct reads its fields' plans before they are
		// complete; min only bounds lengths, so a lower value is safe.
		min: max(min, 1),
	}
}

// encoder appends to buf.
type encoder struct{ buf []byte }

// encodeError carries a MarshalBinary failure out of the plan.
type encodeError struct{ err error }

func (e *encoder) uvarint(x uint64) { e.buf = binary.AppendUvarint(e.buf, x) }

func encBool(e *encoder, v reflect.Value) {
	if v.Bool() {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}

func encInt(e *encoder, v reflect.Value)   { e.buf = binary.AppendVarint(e.buf, v.Int()) }
func encUint(e *encoder, v reflect.Value)  { e.uvarint(v.Uint()) }
func encUint8(e *encoder, v reflect.Value) { e.buf = append(e.buf, byte(v.Uint())) }

func encFloat(e *encoder, v reflect.Value) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v.Float()))
}

func encString(e *encoder, v reflect.Value) {
	s := v.String()
	e.uvarint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

func encBytes(e *encoder, v reflect.Value) {
	if v.IsNil() {
		e.buf = append(e.buf, 0)
		return
	}
	b := v.Bytes()
	e.uvarint(uint64(len(b)) + 1)
	e.buf = append(e.buf, b...)
}

// decoder reads buf from pos.
type decoder struct {
	buf   []byte
	pos   int
	depth int
}

// decodeError is a malformed-input panic, recovered by Unmarshal.
type decodeError string

func (d *decoder) fail(why string) { panic(decodeError(why)) }

func (d *decoder) enter() {
	if d.depth++; d.depth > MaxDepth {
		d.fail("nested too deeply")
	}
}

func (d *decoder) byte() byte {
	if d.pos >= len(d.buf) {
		d.fail("unexpected end")
	}
	b := d.buf[d.pos]
	d.pos++
	return b
}

func (d *decoder) uvarint() uint64 {
	x, n := binary.Uvarint(d.buf[d.pos:])
	if n <= 0 {
		d.fail("bad or truncated varint")
	}
	d.pos += n
	return x
}

func (d *decoder) varint() int64 {
	x, n := binary.Varint(d.buf[d.pos:])
	if n <= 0 {
		d.fail("bad or truncated varint")
	}
	d.pos += n
	return x
}

// length reads a length of items that take at least min bytes each and
// checks it against the bytes left.
func (d *decoder) length(min int) int {
	return d.check(d.uvarint(), min)
}

func (d *decoder) check(n uint64, min int) int {
	left := uint64(len(d.buf) - d.pos)
	if n > left || n > left/uint64(max(min, 1)) {
		d.fail(fmt.Sprintf("length %d exceeds the %d bytes left", n, left))
	}
	return int(n)
}

// nilOrLength reads a slice or map header: false for nil.
func (d *decoder) nilOrLength(min int) (int, bool) {
	n := d.uvarint()
	if n == 0 {
		return 0, false
	}
	return d.check(n-1, min), true
}

func (d *decoder) take(n int) []byte {
	if n > len(d.buf)-d.pos {
		d.fail("unexpected end")
	}
	b := d.buf[d.pos : d.pos+n]
	d.pos += n
	return b
}

func decBool(d *decoder, v reflect.Value) {
	switch d.byte() {
	case 0:
		v.SetBool(false)
	case 1:
		v.SetBool(true)
	default:
		d.fail("bool is not 0 or 1")
	}
}

func decInt(d *decoder, v reflect.Value) {
	x := d.varint()
	if v.OverflowInt(x) {
		d.fail(fmt.Sprintf("%d overflows %s", x, v.Type()))
	}
	v.SetInt(x)
}

func decUint(d *decoder, v reflect.Value) {
	x := d.uvarint()
	if v.OverflowUint(x) {
		d.fail(fmt.Sprintf("%d overflows %s", x, v.Type()))
	}
	v.SetUint(x)
}

func decUint8(d *decoder, v reflect.Value) { v.SetUint(uint64(d.byte())) }

func decFloat(d *decoder, v reflect.Value) {
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.take(8)))
	if v.Kind() == reflect.Float32 && v.OverflowFloat(f) {
		d.fail(fmt.Sprintf("%g overflows float32", f))
	}
	v.SetFloat(f)
}

func decString(d *decoder, v reflect.Value) {
	v.SetString(string(d.take(d.length(1))))
}

func decBytes(d *decoder, v reflect.Value) {
	n, ok := d.nilOrLength(1)
	if !ok {
		v.SetZero()
		return
	}
	b := make([]byte, n)
	copy(b, d.take(n))
	v.SetBytes(b)
}
