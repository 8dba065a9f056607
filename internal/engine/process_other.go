//go:build !unix

package engine

import (
	"os"
	"os/exec"
)

func ownProcessGroup(*exec.Cmd) {}

// interrupt kills: other systems have no interrupt signal to send.
func interrupt(p *os.Process) error { return p.Kill() }
