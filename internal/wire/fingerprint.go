package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"strconv"
	"strings"
)

// Fingerprint identifies the shapes of the types of vs: head, then every
// type they reach with its kind, fields (names, types, struct tags) and
// array lengths, hashed. Two programs that encode and decode values of
// those types exchange them faithfully when their fingerprints are equal;
// since the format carries no type description, a changed type (a field
// added, renamed or retyped) must change the fingerprint, and does.
func Fingerprint(head string, vs ...any) string {
	var b strings.Builder
	b.WriteString(head + "\n")
	seen := map[reflect.Type]bool{}
	for _, v := range vs {
		describe(&b, reflect.TypeOf(v), seen)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:12])
}

// describe writes t and every type it reaches, each once.
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
