package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

var (
	fpOnce sync.Once
	fpStr  string
)

// Fingerprint identifies the shape of the wire form: the format version
// and every type, field name, field type and struct tag that Encode
// writes, hashed. Two programs with the same fingerprint exchange
// topologies faithfully; a composenet and a composenet-load built from
// different sources tell so by theirs.
func Fingerprint() string {
	fpOnce.Do(func() {
		var b strings.Builder
		b.WriteString("format " + strconv.Itoa(format) + "\n")
		describe(&b, reflect.TypeOf(wireTopology{}), map[reflect.Type]bool{})
		sum := sha256.Sum256([]byte(b.String()))
		fpStr = hex.EncodeToString(sum[:12])
	})
	return fpStr
}

// describe writes t and every type it reaches, each once. (Plain string
// writes: composenet and composenet-load both compute it on every cold
// load, and fmt made it several times slower.)
func describe(b *strings.Builder, t reflect.Type, seen map[reflect.Type]bool) {
	if seen[t] {
		b.WriteString("ref " + t.String() + "\n")
		return
	}
	seen[t] = true
	b.WriteString(t.Kind().String() + " " + t.String() + "\n")
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			b.WriteString("field " + f.Name + " " + strconv.Quote(string(f.Tag)) + "\n")
			describe(b, f.Type, seen)
		}
	case reflect.Pointer, reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Array {
			b.WriteString("len " + strconv.Itoa(t.Len()) + "\n")
		}
		describe(b, t.Elem(), seen)
	case reflect.Map:
		describe(b, t.Key(), seen)
		describe(b, t.Elem(), seen)
	}
}
