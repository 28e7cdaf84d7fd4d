//go:build windows

package sync

import (
	"syscall"
	"unsafe"
)

var procDiskFree = syscall.NewLazyDLL("kernel32.dll").NewProc("GetDiskFreeSpaceExW")

// diskFree reports the bytes available to this user on dir's volume.
func diskFree(dir string) (int64, bool, error) {
	p, err := syscall.UTF16PtrFromString(dir)
	if err != nil {
		return 0, false, err
	}
	var avail uint64
	if r, _, err := procDiskFree.Call(uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(&avail)), 0, 0); r == 0 {
		return 0, false, err
	}
	return int64(avail), true, nil
}
