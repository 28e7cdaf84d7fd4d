package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/store"
)

// The demo tenant the exports and reports read: seed 7 like the Go benchmarks, in New York.
const (
	demoSeed = "7"
	demoZone = "America/New_York"
)

// Disk a tenant of n appointments needs while it is measured, per appointment: the cached store
// (440 bytes at 100,000), the synced store of the sync rows (as much again) and their WALs, the
// CSV (about 130) and the XLSX (about 60), with room to spare: about 16 GB at 10,000,000.
const diskPerAppointment = 1600

// tenant is a cached demo home: built once by `almanac demo`, reused while its schema version
// is the current one.
type tenant struct {
	home  string
	store string
	today time.Time // the demo's today, in its zone
	n     int
}

func execIn(ctx context.Context, dir string, args []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = dir
	return cmd
}

// cachedTenant returns the cached home of n appointments, building it if it is missing.
func (b *bench) cachedTenant(ctx context.Context, n int) (tenant, error) {
	home := filepath.Join(b.cfg.root, fmt.Sprintf("cli-%d-v%d", n, store.LatestSchemaVersion()))
	t := tenant{home: home, store: data.Home{Dir: home}.TenantPath(data.DemoTenantID), n: n}
	todayFile := filepath.Join(home, "bench-today")
	if raw, err := os.ReadFile(todayFile); err == nil {
		if _, err := os.Stat(t.store); err == nil {
			if t.today, err = time.Parse(data.DateLayout, strings.TrimSpace(string(raw))); err == nil {
				fmt.Fprintf(b.log, "bench-table: reusing the %d-appointment tenant in %s (built for %s)\n", n, home, t.today.Format(data.DateLayout))
				return t, b.activate(ctx, home, data.DemoTenantID)
			}
		}
	}
	if err := checkDisk(b.cfg.root, n); err != nil {
		return t, err
	}
	if err := os.RemoveAll(home); err != nil {
		return t, err
	}
	loc, err := time.LoadLocation(demoZone)
	if err != nil {
		return t, err
	}
	now := time.Now().In(loc)
	t.today = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	fmt.Fprintf(b.log, "bench-table: building the %d-appointment demo tenant into %s (reused by later runs)\n", n, home)
	u, _, err := b.almanac(ctx, home, "demo", "--appointments", strconv.Itoa(n), "--seed", demoSeed, "--today", t.today.Format(data.DateLayout), "--timezone", demoZone)
	if err != nil {
		return t, err
	}
	fmt.Fprintf(b.log, "bench-table: built in %s\n", seconds(u.wall))
	if err := b.activate(ctx, home, data.DemoTenantID); err != nil {
		return t, err
	}
	return t, os.WriteFile(todayFile, []byte(t.today.Format(data.DateLayout)+"\n"), 0o644)
}

// activate puts a development INTERNAL license (no history window: exports hold every row, as `select *` does) for tenant in home.
func (b *bench) activate(ctx context.Context, home, tenant string) error {
	lic := filepath.Join(b.work, tenant+".license")
	if _, err := os.Stat(lic); err != nil {
		if _, _, err := run(ctx, job{name: "sign a development license", args: []string{b.bin + "/almanac-license", "sign", "--dev",
			"--tenant", tenant, "--plan", "INTERNAL", "--expires", "2027-12-31", "--out", lic}}); err != nil {
			return err
		}
	}
	_, _, err := b.almanac(ctx, home, "license", "activate", lic)
	return err
}

// almanac runs one almanac command on home and measures it.
func (b *bench) almanac(ctx context.Context, home string, args ...string) (usage, []byte, error) {
	return run(ctx, job{name: "almanac " + args[0], args: append([]string{b.bin + "/almanac", "--home", home}, args...)})
}

// checkDisk refuses a tenant the free space of dir cannot hold, naming what to free or set.
func checkDisk(dir string, n int) error {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		return fmt.Errorf("free disk of %s: %v", dir, err)
	}
	return enoughDisk(dir, n, int64(fs.Bavail)*int64(fs.Bsize))
}

// enoughDisk says whether free bytes under dir hold a tenant of n appointments while measured.
func enoughDisk(dir string, n int, free int64) error {
	need := int64(n) * diskPerAppointment
	if free < need {
		return fmt.Errorf("a %d-appointment tenant needs about %d GB free under %s, which has %.1f GB: free some space, pass --cache DIR on a larger disk, or lower ALMANAC_BENCH_APPOINTMENTS / ALMANAC_BENCH_SIZES",
			n, (need+(1<<30)-1)>>30, dir, float64(free)/(1<<30))
	}
	return nil
}
