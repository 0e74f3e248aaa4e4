package snapshot

import (
	"strconv"
	"sync"

	"github.com/composenet/composenet/internal/wire"
)

// Fingerprint identifies the shape of the wire form: the format version
// and every type, field name, field type and struct tag that Encode
// writes, hashed (wire.Fingerprint). Two programs with the same
// fingerprint exchange topologies faithfully; a composenet and a
// composenet-load built from different sources tell so by theirs.
func Fingerprint() string { return wireFingerprint() }

var wireFingerprint = sync.OnceValue(func() string {
	return wire.Fingerprint("format "+strconv.Itoa(format), wireTopology{})
})
