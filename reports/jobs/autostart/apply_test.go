package autostart

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// fakeRunner records commands and plays a system: a user systemd that answers or not, a
// crontab kept in memory, and commands told to fail.
type fakeRunner struct {
	systemd bool
	crontab *string           // nil: the user has no crontab
	fail    map[string]string // command line -> its error output
	ran     []string
}

func (f *fakeRunner) Run(_ context.Context, stdin, name string, args ...string) (string, error) {
	line := strings.Join(append([]string{name}, args...), " ")
	f.ran = append(f.ran, line)
	if msg, ok := f.fail[line]; ok {
		return "", &RunError{Command: append([]string{name}, args...), Stderr: msg, Err: errors.New("exit status 1")}
	}
	switch line {
	case "systemctl --user show-environment":
		if !f.systemd {
			return "", &RunError{Command: []string{name}, Stderr: "Failed to connect to bus", Err: errors.New("exit status 1")}
		}
	case "crontab -l":
		if f.crontab == nil {
			return "", &RunError{Command: []string{name}, Stderr: "no crontab for zoe", Err: errors.New("exit status 1")}
		}
		return *f.crontab, nil
	case "crontab -":
		f.crontab = &stdin
	}
	return "", nil
}

// cronSystem is a Linux system without user systemd, as Inspect reads it through f.
func cronSystem(f *fakeRunner) System {
	s := System{OS: "linux", User: linuxUser}
	s.User.SystemdUser = false
	if f.crontab != nil {
		s.Crontab = *f.crontab
	}
	return s
}

func applyPlan(t *testing.T, plan func(Spec, System) (Plan, error), s Spec, sys System, r Runner) string {
	t.Helper()
	p, err := plan(s, sys)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Apply(context.Background(), p, r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCronInstallIsIdempotentAndUninstallRestores: installing twice leaves one block, the
// user's other lines kept; a second home gets its own block; uninstalling both gives back the
// crontab as it was; uninstalling again changes nothing.
func TestCronInstallIsIdempotentAndUninstallRestores(t *testing.T) {
	before := "MAILTO=zoe@example.com\n# my backup\n0 1 * * * /usr/local/bin/backup --all\n"
	f := &fakeRunner{crontab: &before}
	a, b := withArgs(goldenCases[0].unix), withArgs(goldenCases[1].unix)
	applyPlan(t, PlanInstall, a, cronSystem(f), f)
	applyPlan(t, PlanInstall, a, cronSystem(f), f)
	applyPlan(t, PlanInstall, b, cronSystem(f), f)
	got := *f.crontab
	if n := strings.Count(got, "*/15 * * * * "); n != 2 || strings.Count(got, cronBegin(a)) != 1 || !strings.HasPrefix(got, before) {
		t.Fatalf("after installing a twice and b once:\n%s", got)
	}
	if st, _ := StatusOf(context.Background(), a, cronSystem(f), f); !st.Installed || st.Mechanism != "cron" {
		t.Errorf("status %+v, want installed by cron", st)
	}
	applyPlan(t, PlanUninstall, a, cronSystem(f), f)
	if strings.Contains(*f.crontab, cronBegin(a)) || !strings.Contains(*f.crontab, cronBegin(b)) {
		t.Fatalf("uninstalling a:\n%s", *f.crontab)
	}
	applyPlan(t, PlanUninstall, b, cronSystem(f), f)
	if *f.crontab != before {
		t.Errorf("after uninstalling both:\n%q\nwant\n%q", *f.crontab, before)
	}
	f.ran = nil
	if out := applyPlan(t, PlanUninstall, b, cronSystem(f), f); len(f.ran) != 0 || !strings.HasPrefix(out, "not installed") {
		t.Errorf("uninstalling what is not there ran %q and said %q", f.ran, out)
	}
	if st, _ := StatusOf(context.Background(), a, cronSystem(f), f); st.Installed {
		t.Error("status says installed after uninstall")
	}
}

// FuzzCronBlock: for any crontab without our marker lines, adding a home's block then
// removing it gives the crontab back (with a final line break), and adding twice is once.
func FuzzCronBlock(f *testing.F) {
	f.Add("", "/home/z")
	f.Add("0 1 * * * x\n", "/h/a & b")
	f.Add("no final newline", "/h/50%")
	f.Add("# BEGIN almanac jobs\r\nx\r\n", "/h")
	f.Fuzz(func(t *testing.T, crontab, home string) {
		if strings.Contains(crontab, "# BEGIN almanac jobs") || strings.Contains(crontab, "# END almanac jobs") || strings.ContainsAny(home, "\r\n") {
			return
		}
		s := Spec{Executable: "/usr/bin/almanac", Home: home, Args: []string{home}}
		once := WithCronBlock(crontab, s)
		if twice := WithCronBlock(once, s); twice != once {
			t.Fatalf("installing twice:\n%q\nonce:\n%q", twice, once)
		}
		rest, found := WithoutCronBlock(once, s)
		want := crontab
		if want != "" && !strings.HasSuffix(want, "\n") {
			want += "\n"
		}
		if !found || rest != want {
			t.Fatalf("removed (found %v):\n%q\nwant\n%q", found, rest, want)
		}
	})
}

// listFiles is every file under dir, relative.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

// TestSystemdApplyInstallTwiceThenUninstall: install writes the two units and enables the
// timer; again, the same two files; uninstall disables it and removes exactly those files;
// uninstall with nothing installed (disable failing) still succeeds.
func TestSystemdApplyInstallTwiceThenUninstall(t *testing.T) {
	root := looseTempDir(t)
	u := linuxUser
	u.ConfigDir = filepath.Join(root, "config")
	sys := System{OS: "linux", User: u}
	s := withArgs(goldenCases[1].unix)
	f := &fakeRunner{systemd: true}
	for range 2 {
		applyPlan(t, PlanInstall, s, sys, f)
	}
	name := unitName(s)
	want := []string{"systemd/user/" + name + ".service", "systemd/user/" + name + ".timer"}
	if got := listFiles(t, u.ConfigDir); !slices.Equal(got, want) {
		t.Fatalf("files %q, want %q", got, want)
	}
	b, _ := os.ReadFile(filepath.Join(u.ConfigDir, want[0]))
	if string(b) != ServiceUnit(s) {
		t.Errorf("the service file holds %q", b)
	}
	enable := "systemctl --user enable --now " + name + ".timer"
	if f.ran[len(f.ran)-1] != enable || f.ran[len(f.ran)-2] != "systemctl --user daemon-reload" {
		t.Errorf("ran %q, want daemon-reload then %q", f.ran, enable)
	}
	if st, _ := StatusOf(context.Background(), s, sys, f); !st.Installed || st.Entry != name+".timer" {
		t.Errorf("status %+v", st)
	}
	applyPlan(t, PlanUninstall, s, sys, f)
	if got := listFiles(t, u.ConfigDir); len(got) != 0 {
		t.Errorf("uninstall left %q", got)
	}
	f.fail = map[string]string{"systemctl --user disable --now " + name + ".timer": "Unit file does not exist."}
	applyPlan(t, PlanUninstall, s, sys, f)
	if st, _ := StatusOf(context.Background(), s, sys, f); st.Installed {
		t.Error("status says installed after uninstall")
	}
}

// TestApplyStopsAtAFailingCommand: a failing step that may not fail ends Apply with the
// command and its error output.
func TestApplyStopsAtAFailingCommand(t *testing.T) {
	u := linuxUser
	u.ConfigDir = looseTempDir(t)
	s := withArgs(goldenCases[0].unix)
	f := &fakeRunner{fail: map[string]string{"systemctl --user daemon-reload": "Failed to connect to bus"}}
	p, _ := PlanInstall(s, System{OS: "linux", User: u})
	_, err := Apply(context.Background(), p, f)
	if err == nil || !strings.Contains(err.Error(), "systemctl --user daemon-reload") || !strings.Contains(err.Error(), "Failed to connect to bus") {
		t.Fatalf("err %v", err)
	}
	if len(f.ran) != 1 {
		t.Errorf("ran %q after the failure", f.ran)
	}
}

// looseTempDir is a temporary directory removed at the end without failing the test: under
// wine 8, Go's RemoveAll cannot remove what this test leaves (t.TempDir would fail it).
func looseTempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "autostart-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// TestInspectPicksSystemdOrCron: Inspect takes systemd when it answers, else reads the
// crontab ("no crontab" is an empty one) from the fake.
func TestInspectPicksSystemdOrCron(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Inspect reads systemd and cron on Linux only")
	}
	t.Setenv("XDG_CONFIG_HOME", "/x/config")
	sys, err := Inspect(context.Background(), &fakeRunner{systemd: true})
	if err != nil || sys.Mechanism() != "systemd" || sys.User.ConfigDir != "/x/config" {
		t.Fatalf("%+v, %v", sys, err)
	}
	sys, err = Inspect(context.Background(), &fakeRunner{})
	if err != nil || sys.Mechanism() != "cron" || sys.Crontab != "" {
		t.Fatalf("%+v, %v", sys, err)
	}
	tab := "0 1 * * * x\n"
	if sys, _ = Inspect(context.Background(), &fakeRunner{crontab: &tab}); sys.Crontab != tab {
		t.Errorf("crontab %q", sys.Crontab)
	}
	_, err = Inspect(context.Background(), &fakeRunner{fail: map[string]string{"crontab -l": "permission denied"}})
	if err == nil || !strings.Contains(err.Error(), "read the crontab") {
		t.Errorf("a crontab that cannot be read: %v", err)
	}
	_, err = readCrontab(context.Background(), notFound{})
	if !errors.Is(err, ErrNoScheduler) {
		t.Errorf("no crontab program: %v", err)
	}
}

type notFound struct{}

func (notFound) Run(context.Context, string, string, ...string) (string, error) {
	return "", &RunError{Command: []string{"crontab"}, Err: exec.ErrNotFound}
}

// TestEntriesDifferPerHome: two homes get two task names, labels, units and cron markers;
// Windows names ignore the path's case.
func TestEntriesDifferPerHome(t *testing.T) {
	a, b := goldenCases[0], goldenCases[1]
	if TaskName(a.win) == TaskName(b.win) || Label(a.unix) == Label(b.unix) || unitName(a.unix) == unitName(b.unix) || cronBegin(a.unix) == cronBegin(b.unix) {
		t.Error("two homes share an entry name")
	}
	up := a.win
	up.Home = strings.ToUpper(up.Home)
	if TaskName(up) != TaskName(a.win) {
		t.Error("the same Windows home in capitals gets another task")
	}
}

// TestPlanRefusesWhatNoEntryCanHold: relative paths, a line break in the home, an unknown OS.
func TestPlanRefusesWhatNoEntryCanHold(t *testing.T) {
	linux := System{OS: "linux", User: linuxUser}
	for _, c := range []struct {
		s   Spec
		sys System
	}{
		{Spec{Executable: "almanac", Home: "/h"}, linux},
		{Spec{Executable: "/bin/almanac", Home: "h"}, linux},
		{Spec{Executable: "/bin/almanac", Home: "/h\nx"}, linux},
		{Spec{Executable: "/bin/almanac", Home: "/h", Args: []string{"a\x01"}}, linux},
		{Spec{Executable: "/bin/almanac", Home: `/h`}, System{OS: "windows"}},
		{Spec{Executable: "/bin/almanac", Home: "/h"}, System{OS: "plan9"}},
	} {
		if _, err := PlanInstall(c.s, c.sys); err == nil {
			t.Errorf("%+v on %s was planned", c.s, c.sys.OS)
		}
	}
	if _, err := PlanInstall(Spec{Executable: `\\srv\share\Almanac.exe`, Home: `c:/Users/z`}, System{OS: "windows"}); err != nil {
		t.Errorf("a UNC program and a c:/ home: %v", err)
	}
}

// TestFailedInstallLeavesNoEntry: when enabling the timer fails, InstallOn removes the units
// it wrote, so Status does not report a timer that never runs.
func TestFailedInstallLeavesNoEntry(t *testing.T) {
	u := linuxUser
	u.ConfigDir = looseTempDir(t)
	sys := System{OS: "linux", User: u}
	s := withArgs(goldenCases[1].unix)
	enable := "systemctl --user enable --now " + unitName(s) + ".timer"
	f := &fakeRunner{systemd: true, fail: map[string]string{enable: "Failed to enable unit: Access denied"}}
	_, err := InstallOn(context.Background(), s, sys, f)
	if err == nil || !strings.Contains(err.Error(), "Access denied") {
		t.Fatalf("err %v", err)
	}
	if got := listFiles(t, u.ConfigDir); len(got) != 0 {
		t.Errorf("a failed install left %q", got)
	}
	if st, _ := StatusOf(context.Background(), s, sys, f); st.Installed {
		t.Error("status says installed after a failed install")
	}
	if last := f.ran[len(f.ran)-1]; last != "systemctl --user daemon-reload" {
		t.Errorf("the undo ended with %q, want a daemon-reload", last)
	}
}

// TestSystemdInstallMovesAnOldCronBlock: a home installed by cron (no user systemd then) and
// installed again with systemd keeps one entry: the timer, its crontab block removed and the
// user's own lines kept; Status sees a lone block; uninstall removes a block left behind.
func TestSystemdInstallMovesAnOldCronBlock(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Inspect reads systemd and cron on Linux only")
	}
	t.Setenv("XDG_CONFIG_HOME", looseTempDir(t))
	s := withArgs(goldenCases[1].unix)
	own := "0 1 * * * backup\n"
	tab := WithCronBlock(own, s)
	f := &fakeRunner{systemd: true, crontab: &tab}
	ctx := context.Background()
	if st, err := Status(ctx, s, f); err != nil || !st.Installed {
		t.Fatalf("a lone crontab block: %+v, %v", st, err)
	}
	if _, err := Install(ctx, s, f); err != nil {
		t.Fatal(err)
	}
	if *f.crontab != own {
		t.Errorf("after the systemd install the crontab is %q, want %q", *f.crontab, own)
	}
	tab = WithCronBlock(own, s) // the block again, beside the timer
	f.crontab = &tab
	if _, err := Uninstall(ctx, s, f); err != nil {
		t.Fatal(err)
	}
	if st, _ := Status(ctx, s, f); st.Installed || *f.crontab != own {
		t.Errorf("after uninstall: %+v, crontab %q", st, *f.crontab)
	}
}
