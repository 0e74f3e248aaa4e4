//go:build linux

package loadcmd

import (
	"os/exec"
	"syscall"
)

// tieToParent makes the kernel kill the helper when composenet dies, even
// by SIGKILL, where context cancellation cannot run (Pdeathsig; see
// render/svgcmd for why this holds for Go programs).
func tieToParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// LimitSelf sets the calling process's address-space limit to
// MaxAddressSpace (RLIMIT_AS), or keeps a lower hard limit. The helper
// calls it first thing.
func LimitSelf() error {
	lim := syscall.Rlimit{Cur: MaxAddressSpace, Max: MaxAddressSpace}
	var cur syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &cur); err == nil && cur.Max < lim.Max {
		lim = syscall.Rlimit{Cur: min(cur.Max, lim.Cur), Max: cur.Max}
	}
	return syscall.Setrlimit(syscall.RLIMIT_AS, &lim)
}
