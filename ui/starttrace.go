package ui

import (
	"fmt"
	"image"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// StartTraceEnv turns on the start-up trace: ALMANAC_TRACE_START=1 logs, on stderr, when each
// phase of the app's start was reached, in seconds since the process started (and the wall
// clock in ms, to line the phases up with .ci/startup-time's screenshots).
const StartTraceEnv = "ALMANAC_TRACE_START"

var startTrace = struct {
	on   bool
	mu   sync.Mutex
	t0   time.Time // the process start, on the monotonic clock
	seen map[string]bool
}{on: os.Getenv(StartTraceEnv) == "1", t0: time.Now(), seen: map[string]bool{}}

func init() {
	if startTrace.on {
		startTrace.t0 = time.Now().Add(-processAge())
		TraceStart("package ui initialised (the imports' init done)")
	}
}

// TraceStart logs that the start reached phase (once per phase) when the trace is on.
func TraceStart(phase string) {
	if !startTrace.on {
		return
	}
	now := time.Now()
	startTrace.mu.Lock()
	defer startTrace.mu.Unlock()
	if startTrace.seen[phase] {
		return
	}
	startTrace.seen[phase] = true
	fmt.Fprintf(os.Stderr, "start-trace %7.3f s  cpu %6.3f s  wall %d  %s\n", now.Sub(startTrace.t0).Seconds(), processCPU().Seconds(), now.UnixMilli(), phase)
}

// processAge is how long ago the process started, from /proc on Linux (10 ms steps); zero
// elsewhere, when the trace counts from the ui package's initialisation.
func processAge() time.Duration {
	if runtime.GOOS != "linux" {
		return 0
	}
	stat, err1 := os.ReadFile("/proc/self/stat")
	up, err2 := os.ReadFile("/proc/uptime")
	if err1 != nil || err2 != nil {
		return 0
	}
	// the command name (field 2) may hold spaces: the fields after its closing parenthesis
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(f) < 20 {
		return 0
	}
	ticks, err1 := strconv.ParseFloat(f[19], 64) // field 22, starttime, in clock ticks (100 a second)
	upf := strings.Fields(string(up))
	if err1 != nil || len(upf) == 0 {
		return 0
	}
	uptime, err := strconv.ParseFloat(upf[0], 64)
	if err != nil || uptime < ticks/100 {
		return 0
	}
	return time.Duration((uptime - ticks/100) * float64(time.Second))
}

// newPaintProbe is a transparent pixel whose image is made when the window first paints it:
// the trace's "first paint". Without the trace there is none (nil).
func newPaintProbe() fyne.CanvasObject {
	if !startTrace.on {
		return nil
	}
	r := canvas.NewRaster(func(w, h int) image.Image {
		TraceStart("first paint (the window draws its content)")
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	})
	r.SetMinSize(fyne.NewSize(1, 1))
	return r
}

// withPaintProbe is objs with the paint probe on top when the trace is on.
func withPaintProbe(objs ...fyne.CanvasObject) []fyne.CanvasObject {
	if p := newPaintProbe(); p != nil {
		return append(objs, p)
	}
	return objs
}

// WarmFonts loads the theme's regular and bold faces (and the fallbacks Fyne adds to them)
// off the UI goroutine, so the first layout does not parse fonts while the window waits; the
// returned channel closes when they are in Fyne's cache. Call it once the theme is set and
// wait for it before building the first window's content: a face is then never loaded by two
// goroutines at once. The text measured is ASCII, which the theme's faces hold.
func WarmFonts() <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, style := range []fyne.TextStyle{{}, {Bold: true}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fyne.MeasureText("Almanac", 14, style)
		}()
	}
	go func() {
		wg.Wait()
		TraceStart("fonts loaded (off the UI goroutine)")
		close(done)
	}()
	return done
}
