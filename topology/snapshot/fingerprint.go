package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
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
		fmt.Fprintf(&b, "format %d\n", format)
		describe(&b, reflect.TypeOf(wireTopology{}), map[reflect.Type]bool{})
		sum := sha256.Sum256([]byte(b.String()))
		fpStr = hex.EncodeToString(sum[:12])
	})
	return fpStr
}

// describe writes t and every type it reaches, each once.
func describe(b *strings.Builder, t reflect.Type, seen map[reflect.Type]bool) {
	if seen[t] {
		fmt.Fprintf(b, "ref %s\n", t)
		return
	}
	seen[t] = true
	fmt.Fprintf(b, "%s %s\n", t.Kind(), t)
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			fmt.Fprintf(b, "field %s %q\n", f.Name, f.Tag)
			describe(b, f.Type, seen)
		}
	case reflect.Pointer, reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Array {
			fmt.Fprintf(b, "len %d\n", t.Len())
		}
		describe(b, t.Elem(), seen)
	case reflect.Map:
		describe(b, t.Key(), seen)
		describe(b, t.Elem(), seen)
	}
}
