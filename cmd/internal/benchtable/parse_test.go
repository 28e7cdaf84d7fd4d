package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseFloor(t *testing.T) {
	out := "goos: linux\nBenchmarkSyncFloorProcess \nfloor-insert-seconds 4.125000\nBenchmarkSyncFloorProcess 1 4.3 s\nPASS\n"
	d, err := parseFloor([]byte(out))
	if err != nil || d != 4125*time.Millisecond {
		t.Fatalf("parseFloor = %v, %v; want 4.125s", d, err)
	}
	for _, bad := range []string{"", "PASS\n", "floor-insert-seconds\n", "floor-insert-seconds abc\n", "floor-insert-seconds -1\n",
		"floor-insert-seconds 0\n", "floor-insert-seconds NaN\n", "floor-insert-seconds 1e9\n"} {
		if d, err := parseFloor([]byte(bad)); err == nil {
			t.Errorf("parseFloor(%q) = %v, want an error", bad, d)
		}
	}
}

func TestParseSeconds(t *testing.T) {
	out := "incr-floor-store-apply-seconds 1.25\nincr-floor-store-commit-seconds 0.5 (4 transactions)\nincr-floor-store-total-seconds 2.0\n"
	for key, want := range map[string]time.Duration{"incr-floor-store-apply-seconds": 1250 * time.Millisecond,
		"incr-floor-store-commit-seconds": 500 * time.Millisecond, "incr-floor-store-total-seconds": 2 * time.Second} {
		if d, err := parseSeconds([]byte(out), key); err != nil || d != want {
			t.Errorf("parseSeconds(%s) = %v, %v; want %v", key, d, err, want)
		}
	}
	if d, err := parseSeconds([]byte(out), "incr-floor-bare-total-seconds"); err == nil {
		t.Errorf("parseSeconds of a missing key = %v, want an error", d)
	}
	if d, err := parseSeconds([]byte("k (4)\n"), "k"); err == nil {
		t.Errorf("parseSeconds of a count alone = %v, want an error", d)
	}
}

func TestParseAddress(t *testing.T) {
	for line, want := range map[string]string{
		`tenantd: tenant "maple" with 5000 appointments, 4100 payments, 800 customers built in 0.1s; serving on http://127.0.0.1:40123`: "http://127.0.0.1:40123",
		"listening 127.0.0.1:8417\n": "http://127.0.0.1:8417",
	} {
		if got, ok := parseAddress(line); !ok || got != want {
			t.Errorf("parseAddress(%q) = %q, %v; want %q", line, got, ok, want)
		}
	}
	for _, bad := range []string{"", "listening", "listening 127.0.0.1", "listening 127.0.0.1:0", "listening :80", "listening 127.0.0.1:99999",
		"serving on http://127.0.0.1:80/x", "listening 127.0.0.1:+80", "=== RUN TestSyncServerProcess", "listening a b:80"} {
		if got, ok := parseAddress(bad); ok {
			t.Errorf("parseAddress(%q) = %q, want no address", bad, got)
		}
	}
}

func TestParseExportRows(t *testing.T) {
	n, err := parseExportRows([]byte(`{"path":"/tmp/a.csv","dataset":"appointments","format":"csv","rows":1000000}` + "\n"))
	if err != nil || n != 1_000_000 {
		t.Fatalf("parseExportRows = %d, %v; want 1000000", n, err)
	}
	for _, bad := range []string{"", "/tmp/a.csv\n", `{"path":"a"}`, `{"rows":-1}`, `{"rows":"1"}`} {
		if n, err := parseExportRows([]byte(bad)); err == nil {
			t.Errorf("parseExportRows(%q) = %d, want an error", bad, n)
		}
	}
}

// The parsers read other programs' output: whatever it is, they return a value that passes
// their own checks or an error, and never panic.
func FuzzParse(f *testing.F) {
	f.Add("floor-insert-seconds 4.1\nlistening 127.0.0.1:8417\n{\"rows\":3}")
	f.Add("serving on http://127.0.0.1:1")
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := parseFloor([]byte(s)); err == nil && (d <= 0 || d > 1e6*time.Second) {
			t.Errorf("parseFloor(%q) = %v", s, d)
		}
		if d, err := parseSeconds([]byte(s), "incr-floor-store-total-seconds"); err == nil && (d <= 0 || d > 1e6*time.Second) {
			t.Errorf("parseSeconds(%q) = %v", s, d)
		}
		for _, line := range strings.Split(s, "\n") {
			if url, ok := parseAddress(line); ok && (!strings.HasPrefix(url, "http://") || strings.ContainsAny(url[7:], " /\t\r\n")) {
				t.Errorf("parseAddress(%q) = %q", line, url)
			}
		}
		if n, err := parseExportRows([]byte(s)); err == nil && n < 0 {
			t.Errorf("parseExportRows(%q) = %d", s, n)
		}
	})
}

func TestParseOnly(t *testing.T) {
	c, err := parseConfig([]string{"--only", "csv, demo"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.wants("csv") || !c.wants("demo") || c.wants("xlsx") || c.wants("reports") {
		t.Fatalf("--only csv,demo: wants %v", c.only)
	}
	if c, _ := parseConfig(nil); !c.wants("reports") {
		t.Fatal("no --only: every row runs")
	}
	if _, err := parseConfig([]string{"--only", "csv,bogus"}); err == nil || !strings.Contains(err.Error(), `"bogus" is not a row`) {
		t.Fatalf("--only bogus: err %v", err)
	}
}
