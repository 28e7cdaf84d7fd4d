package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The programs the harness runs tell it three things on their output, each read by one parser
// below: a floor process's times, a server's address, and an export's row count.

// parseFloor reads the "floor-insert-seconds S" line BenchmarkSyncFloorProcess prints among the
// test binary's other output.
func parseFloor(out []byte) (time.Duration, error) { return parseSeconds(out, "floor-insert-seconds") }

// parseSeconds reads the first "KEY S" line among a floor process's output: S seconds, with
// anything after it on the line (a count in parentheses) ignored.
func parseSeconds(out []byte, key string) (time.Duration, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), key+" ")
		if !ok {
			continue
		}
		f := append(strings.Fields(v), "")
		s, err := strconv.ParseFloat(f[0], 64)
		if err != nil || math.IsNaN(s) || s <= 0 || s > 1e6 {
			return 0, fmt.Errorf("floor process: %q is not a time in seconds", v)
		}
		return time.Duration(s * float64(time.Second)), nil
	}
	return 0, fmt.Errorf("floor process: no %s line in its output", key)
}

// parseAddress finds the base URL in one line of a server's output: tenantd's "… serving on
// http://HOST:PORT" or the sync test binary's "listening HOST:PORT".
func parseAddress(line string) (string, bool) {
	line = strings.TrimSpace(line)
	var hostPort string
	if _, after, ok := strings.Cut(line, "serving on http://"); ok {
		hostPort = after
	} else if after, ok := strings.CutPrefix(line, "listening "); ok {
		hostPort = after
	} else {
		return "", false
	}
	host, port, ok := strings.Cut(hostPort, ":")
	p, err := strconv.Atoi(port)
	if !ok || host == "" || strings.IndexFunc(host, badHostRune) >= 0 || err != nil || p <= 0 || p > 65535 || strconv.Itoa(p) != port {
		return "", false
	}
	return "http://" + host + ":" + port, true
}

// parseExportRows reads the row count from `almanac export --json`'s {"path",…,"rows"} line.
func parseExportRows(out []byte) (int64, error) {
	var res struct {
		Rows *int64 `json:"rows"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &res); err != nil {
		return 0, fmt.Errorf("export --json: %v", err)
	}
	if res.Rows == nil || *res.Rows < 0 {
		return 0, errors.New("export --json: no row count in its output")
	}
	return *res.Rows, nil
}

// badHostRune is a rune no host name holds: a space of any kind, a control character or a slash.
func badHostRune(r rune) bool { return r == '/' || unicode.IsSpace(r) || unicode.IsControl(r) }
