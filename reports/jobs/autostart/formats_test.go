package autostart

import (
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// taskDoc is the part of the Task Scheduler schema (task.xsd, version 1.2) the task relies on.
type taskDoc struct {
	XMLName  xml.Name `xml:"http://schemas.microsoft.com/windows/2004/02/mit/task Task"`
	Version  string   `xml:"version,attr"`
	URI      string   `xml:"RegistrationInfo>URI"`
	Triggers struct {
		Time []struct {
			Interval      string `xml:"Repetition>Interval"`
			StartBoundary string `xml:"StartBoundary"`
			Enabled       string `xml:"Enabled"`
		} `xml:"TimeTrigger"`
		Logon []struct {
			UserID string `xml:"UserId"`
		} `xml:"LogonTrigger"`
	} `xml:"Triggers"`
	Principals []struct {
		ID        string `xml:"id,attr"`
		UserID    string `xml:"UserId"`
		LogonType string `xml:"LogonType"`
		RunLevel  string `xml:"RunLevel"`
	} `xml:"Principals>Principal"`
	Settings struct {
		Multiple           string `xml:"MultipleInstancesPolicy"`
		StartWhenAvailable string `xml:"StartWhenAvailable"`
		Enabled            string `xml:"Enabled"`
	} `xml:"Settings"`
	Actions struct {
		Context string `xml:"Context,attr"`
		Exec    []struct {
			Command   string `xml:"Command"`
			Arguments string `xml:"Arguments"`
		} `xml:"Exec"`
	} `xml:"Actions"`
}

// decodeUTF16 reads what Step.Bytes stored for a UTF-16 file: a little-endian BOM, then text.
func decodeUTF16(t *testing.T, b []byte) string {
	t.Helper()
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xFE || len(b)%2 != 0 {
		t.Fatalf("not UTF-16LE with a BOM: % x", b[:min(len(b), 8)])
	}
	u := make([]uint16, 0, len(b)/2-1)
	for i := 2; i < len(b); i += 2 {
		u = append(u, uint16(b[i])|uint16(b[i+1])<<8)
	}
	return string(utf16.Decode(u))
}

// parseTask checks the stored bytes are well-formed XML (every token read) and decodes them.
func parseTask(t *testing.T, stored []byte) taskDoc {
	t.Helper()
	text := decodeUTF16(t, stored)
	dec := xml.NewDecoder(strings.NewReader(text))
	dec.CharsetReader = func(cs string, r io.Reader) (io.Reader, error) { return r, nil } // already decoded
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the task XML is not well-formed: %v", err)
		}
	}
	var doc taskDoc
	dec = xml.NewDecoder(strings.NewReader(text))
	dec.CharsetReader = func(cs string, r io.Reader) (io.Reader, error) { return r, nil }
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestTaskXMLIsAValidTask: the XML install writes decodes as a task with the schema's required
// parts (a trigger's StartBoundary, a principal, an Exec action with its Command) and what
// the issue asks: every 15 minutes, at this user's log-on, StartWhenAvailable, IgnoreNew,
// least privilege; its Command and Arguments give back the program and its arguments.
func TestTaskXMLIsAValidTask(t *testing.T) {
	for _, c := range goldenCases {
		s := withArgs(c.win)
		p, err := PlanInstall(s, System{OS: "windows", User: windowsUser})
		if err != nil {
			t.Fatal(err)
		}
		w := p.Steps[0]
		if w.Op != OpWrite || !w.UTF16 || !strings.Contains(w.Text, "\r\n") || strings.Contains(strings.ReplaceAll(w.Text, "\r\n", ""), "\n") {
			t.Fatalf("%s: the first step is not the task's UTF-16 CRLF file: %+v", c.name, w)
		}
		doc := parseTask(t, w.Bytes())
		tt, lt := doc.Triggers.Time, doc.Triggers.Logon
		switch {
		case doc.Version != "1.2" || doc.URI != `\`+TaskName(s):
			t.Errorf("%s: version %q, URI %q", c.name, doc.Version, doc.URI)
		case len(tt) != 1 || tt[0].Interval != "PT15M" || tt[0].StartBoundary == "" || tt[0].Enabled != "true":
			t.Errorf("%s: time triggers %+v", c.name, tt)
		case len(lt) != 1 || lt[0].UserID != windowsUser.Name:
			t.Errorf("%s: log-on triggers %+v", c.name, lt)
		case len(doc.Principals) != 1 || doc.Principals[0].RunLevel != "LeastPrivilege" || doc.Principals[0].LogonType != "InteractiveToken" ||
			doc.Principals[0].UserID != windowsUser.Name || doc.Principals[0].ID != doc.Actions.Context:
			t.Errorf("%s: principals %+v, actions' context %q", c.name, doc.Principals, doc.Actions.Context)
		case doc.Settings.Multiple != "IgnoreNew" || doc.Settings.StartWhenAvailable != "true" || doc.Settings.Enabled != "true":
			t.Errorf("%s: settings %+v", c.name, doc.Settings)
		case len(doc.Actions.Exec) != 1 || doc.Actions.Exec[0].Command != s.Executable:
			t.Errorf("%s: actions %+v", c.name, doc.Actions)
		}
		if got := commandLineToArgv(doc.Actions.Exec[0].Arguments); !slices.Equal(got, s.Args) {
			t.Errorf("%s: the arguments read back as %q, want %q", c.name, got, s.Args)
		}
		want := []string{"schtasks", "/Create", "/TN", TaskName(s), "/XML", w.Path, "/F"}
		if len(p.Steps) != 2 || !slices.Equal(p.Steps[1].Command, want) {
			t.Errorf("%s: steps %+v, want the file then %q", c.name, p.Steps, want)
		}
	}
}

// commandLineToArgv splits a command line's arguments as CommandLineToArgvW does (after the
// program name): 2n backslashes before a quote are n and the quote toggles quoting, 2n+1
// are n and a literal quote; other backslashes are literal.
func commandLineToArgv(s string) []string {
	var args []string
	var cur strings.Builder
	inArg, quoted, slashes := false, false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			slashes++
			inArg = true
			continue
		case c == '"':
			cur.WriteString(strings.Repeat(`\`, slashes/2))
			if slashes%2 == 1 {
				cur.WriteByte('"')
			} else {
				quoted = !quoted
			}
			inArg = true
		case (c == ' ' || c == '\t') && !quoted:
			cur.WriteString(strings.Repeat(`\`, slashes))
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
			}
			inArg = false
		default:
			cur.WriteString(strings.Repeat(`\`, slashes))
			cur.WriteByte(c)
			inArg = true
		}
		slashes = 0
	}
	cur.WriteString(strings.Repeat(`\`, slashes))
	if inArg {
		args = append(args, cur.String())
	}
	return args
}

// FuzzWindowsArg: any argument (without NUL) quoted by windowsArg reads back unchanged, alone
// and between two others.
func FuzzWindowsArg(f *testing.F) {
	for _, s := range []string{"", "a b", `C:\x\`, `a\"b`, `\\server\share\`, `"`, `\\"`, "tab\there"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, a string) {
		if strings.ContainsRune(a, 0) {
			return
		}
		line := windowsArg("x") + " " + windowsArg(a) + " " + windowsArg("y z")
		if got := commandLineToArgv(line); !slices.Equal(got, []string{"x", a, "y z"}) {
			t.Fatalf("%q reads back as %q from %q", a, got, line)
		}
	})
}

// plistValue is one value of a property list, read with encoding/xml (plutil is macOS-only).
type plistValue struct {
	XMLName xml.Name
	Text    string       `xml:",chardata"`
	Items   []plistValue `xml:",any"`
}

// TestPlistParsesBack: the agent's plist reads back as a dict with its Label, the program and
// its arguments exactly, StartInterval 900 and RunAtLoad true; install writes it under
// ~/Library/LaunchAgents and bootstraps it into gui/UID.
func TestPlistParsesBack(t *testing.T) {
	for _, c := range goldenCases {
		s := withArgs(c.unix)
		p, err := PlanInstall(s, System{OS: "darwin", User: macUser})
		if err != nil {
			t.Fatal(err)
		}
		w := p.Steps[1]
		var root struct {
			XMLName xml.Name   `xml:"plist"`
			Dict    plistValue `xml:"dict"`
		}
		if err := xml.Unmarshal([]byte(w.Text), &root); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := map[string]plistValue{}
		items := root.Dict.Items
		for i := 0; i+1 < len(items); i += 2 {
			if items[i].XMLName.Local != "key" {
				t.Fatalf("%s: %s where a key belongs", c.name, items[i].XMLName.Local)
			}
			got[items[i].Text] = items[i+1]
		}
		var argv []string
		for _, v := range got["ProgramArguments"].Items {
			argv = append(argv, v.Text)
		}
		if got["Label"].Text != Label(s) || got["StartInterval"].XMLName.Local != "integer" || got["StartInterval"].Text != "900" ||
			got["RunAtLoad"].XMLName.Local != "true" || !slices.Equal(argv, append([]string{s.Executable}, s.Args...)) {
			t.Errorf("%s: read back %+v", c.name, got)
		}
		wantPath := "/Users/zoe/Library/LaunchAgents/" + Label(s) + ".plist"
		if w.Path != wantPath || !slices.Equal(p.Steps[2].Command, []string{"launchctl", "bootstrap", "gui/501", wantPath}) {
			t.Errorf("%s: writes %s then runs %q", c.name, w.Path, p.Steps[2].Command)
		}
	}
}

// TestCronLineRunsTheProgramWithItsArguments hands the crontab line's command to sh the way
// cron does (after turning \% into %): a program in a folder with spaces, & and % gets the
// tricky home as one argument, unchanged.
func TestCronLineRunsTheProgramWithItsArguments(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to run the line with")
	}
	dir := filepath.Join(t.TempDir(), "bin & 50% it's")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "argv")
	prog := filepath.Join(dir, "almanac")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" + out + "'\n"
	if err := os.WriteFile(prog, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	s := withArgs(Spec{Executable: prog, Home: goldenCases[1].unix.Home})
	var line string
	for _, l := range strings.Split(CronBlock(s), "\n") {
		if strings.HasPrefix(l, "*/15 * * * * ") {
			line = strings.TrimPrefix(l, "*/15 * * * * ")
		}
	}
	if strings.Contains(strings.ReplaceAll(line, `\%`, ""), "%") {
		t.Fatalf("an unescaped %% in %q: cron would cut the line there", line)
	}
	if b, err := exec.Command(sh, "-c", strings.ReplaceAll(line, `\%`, "%")).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	got, _ := os.ReadFile(out)
	if want := strings.Join(s.Args, "\n") + "\n"; string(got) != want {
		t.Errorf("the program got\n%s\nwant\n%s", got, want)
	}
}

// TestSystemdAnalyzeVerify runs systemd-analyze verify --user on the generated units, with the
// program in a folder whose name has spaces, & and %: it fails on a unit error or when
// ExecStart's quoting does not name the program.
func TestSystemdAnalyzeVerify(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed (Debian's systemd package): the units are checked against the golden files only")
	}
	root := t.TempDir()
	dir := filepath.Join(root, "Almanac & Co 50%")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(dir, "almanac")
	if err := os.WriteFile(prog, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	u := User{HomeDir: root, ConfigDir: filepath.Join(root, "config"), SystemdUser: true}
	s := withArgs(Spec{Executable: prog, Home: goldenCases[1].unix.Home})
	p, err := PlanInstall(s, System{OS: "linux", User: u})
	if err != nil {
		t.Fatal(err)
	}
	var units []string
	for _, st := range p.Steps {
		if st.Op == OpWrite {
			if err := os.MkdirAll(filepath.Dir(st.Path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(st.Path, st.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			units = append(units, st.Path)
		}
	}
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir()) // verify --user needs one, not a running manager
	t.Setenv("XDG_CONFIG_HOME", u.ConfigDir)
	out, err := exec.Command(sa, append([]string{"verify", "--user"}, units...)...).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// and the check can fail: a program that is not there is refused
	if err := os.Remove(prog); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(sa, append([]string{"verify", "--user"}, units...)...).CombinedOutput(); err == nil {
		t.Errorf("verify passed with the program missing: %s", out)
	}
}
