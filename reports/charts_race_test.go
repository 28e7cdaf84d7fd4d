package reports

import (
	"os"
	"os/exec"
	"sync"
	"testing"
)

// TestFirstChartsDrawnAtOnce draws the first charts of a fresh process on two goroutines at
// once, as the Dashboard does. go-chart's lazy font load is not safe for that; under -race the
// child process fails when a chart reaches it unguarded (without -race it only draws). The child is this test binary, so it
// is a race build exactly when this one is.
func TestFirstChartsDrawnAtOnce(t *testing.T) {
	if os.Getenv("ALMANAC_CHARTS_CHILD") == "1" {
		drawTwoChartsAtOnce(t)
		return
	}
	// The race detector sees an unguarded first load in about half the runs: ten fresh
	// processes miss it once in a thousand.
	for range 10 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFirstChartsDrawnAtOnce$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ALMANAC_CHARTS_CHILD=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("drawing two first charts at once: %v\n%s", err, out)
		}
	}
}

func drawTwoChartsAtOnce(t *testing.T) {
	a := AppointmentAnalytics{
		ByStatus: map[string]int64{"completed": 3, "cancelled": 1},
		DailyBreakdown: []DayCount{{Date: "2026-03-01", Count: 2, StatusBreakdown: map[string]int64{"completed": 2}},
			{Date: "2026-03-02", Count: 2, StatusBreakdown: map[string]int64{"completed": 1, "cancelled": 1}}},
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, draw := range []func() ([]byte, error){
		func() ([]byte, error) { return DailyAppointmentsChart(a, ChartOptions{}) },
		func() ([]byte, error) { return ByStatusChart(a, ChartOptions{}) },
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = draw()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
