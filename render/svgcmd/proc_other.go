//go:build !linux

package svgcmd

import "os/exec"

// tieToParent has no parent-death signal to use outside Linux: context
// cancellation and the Timeout still stop the helper.
func tieToParent(*exec.Cmd) {}

// LimitSelf does nothing outside Linux: the Timeout still bounds the
// helper.
func LimitSelf() error { return nil }
