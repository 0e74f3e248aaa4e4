//go:build !linux

package loadcmd

import "os/exec"

// tieToParent has no parent-death signal to use outside Linux: context
// cancellation still stops the helper.
func tieToParent(*exec.Cmd) {}

// LimitSelf does nothing outside Linux.
func LimitSelf() error { return nil }
