package autostart

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// argsFor are the arguments the CLI gives (this package names no flags; tests may).
func argsFor(home string) []string { return []string{"--home", home, "jobs", "run", "--due"} }

// goldenCases: a plain home, and one with spaces, an ampersand, a percent sign, angle
// brackets, a dollar and quotes (each special somewhere: XML, systemd, cron, the shell).
var goldenCases = []struct {
	name      string
	unix, win Spec
}{
	{"plain",
		Spec{Executable: "/usr/bin/almanac", Home: "/home/zoe/.config/almanac"},
		Spec{Executable: `C:\Users\zoe\AppData\Local\Programs\Almanac\Almanac.exe`, Home: `C:\Users\zoe\AppData\Roaming\Almanac`}},
	{"tricky",
		Spec{Executable: "/opt/Almanac & Co/bin/almanac", Home: `/home/zoë/Almanac & Co/50% <data> $HOME "q" it's`},
		Spec{Executable: `C:\Program Files\Almanac & Co\Almanac.exe`, Home: `C:\Users\Zoë Müller\Almanac & Co\50% <data>\`}},
}

var (
	linuxUser   = User{UID: "1000", Name: "zoe", HomeDir: "/home/zoe", ConfigDir: "/home/zoe/.config", SystemdUser: true}
	windowsUser = User{Name: `ZOE-PC\Zoë Müller`}
	macUser     = User{UID: "501", Name: "zoe", HomeDir: "/Users/zoe"}
)

func withArgs(s Spec) Spec { s.Args = argsFor(s.Home); return s }

// TestGoldenFiles compares each generated file with testdata/CASE/FILE (go test -update
// rewrites them; read the diff before committing).
func TestGoldenFiles(t *testing.T) {
	for _, c := range goldenCases {
		u, w := withArgs(c.unix), withArgs(c.win)
		files := map[string]string{
			"almanac-jobs.service": ServiceUnit(u),
			"almanac-jobs.timer":   TimerUnit(u),
			"crontab":              CronBlock(u),
			"task.xml":             TaskXML(w, windowsUser),
			"agent.plist":          Plist(u),
		}
		for name, got := range files {
			golden(t, filepath.Join("testdata", c.name, name), got)
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from what is generated now:\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
