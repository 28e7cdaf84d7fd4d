//go:build unix

package sync

import "syscall"

// diskFree reports the bytes available to this user in dir's file system.
func diskFree(dir string) (int64, bool, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false, err
	}
	return int64(uint64(st.Bavail) * uint64(st.Bsize)), true, nil
}
