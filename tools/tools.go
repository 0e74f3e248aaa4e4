//go:build tools

// Package tools pins the linters `make lint` runs, apart from the main
// module so that its go.mod stays clean.
package tools

import _ "honnef.co/go/tools/cmd/staticcheck"
