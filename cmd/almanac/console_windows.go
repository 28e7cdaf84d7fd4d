package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

// consoleLauncher is set (-X main.consoleLauncher=yes) in the console build, bin\almanac.exe.
// Windows ships two programs because a GUI-subsystem program prints nothing in a console or a
// script: Almanac.exe (GUI subsystem, no console window) is the desktop app, bin\almanac.exe
// (console subsystem, on PATH) is the command line, and with no command it starts the desktop
// app detached and returns the prompt.
var consoleLauncher string

// openApp opens the desktop app: in this process, or from the console build by starting
// Almanac.exe with the same global flags.
func openApp(env *Env, args []string) error {
	if consoleLauncher == "" {
		return runApp(env)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the desktop app: %w (start Almanac from the Start menu)", err)
	}
	return startDetached(desktopAppPath(exe), args)
}

// startDetached starts the program without a console and without waiting for it.
func startDetached(path string, args []string) error {
	cmd := exec.Command(path, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		CreationFlags: windows.DETACHED_PROCESS | windows.CREATE_NEW_PROCESS_GROUP,
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the desktop app %s: %w (reinstall Almanac, or start it from the Start menu)", path, err)
	}
	return cmd.Process.Release()
}
