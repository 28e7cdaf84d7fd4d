package reports

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	chart "github.com/wcharczuk/go-chart/v2"

	"github.com/almanac-app/almanac/license"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden chart images in testdata")

func fixtureReports(t *testing.T, p Period) (AppointmentAnalytics, RevenueAnalytics) {
	t.Helper()
	s := openFixture(t)
	g, err := s.Appointments(context.Background(), ents(license.Enterprise), AppointmentQuery{Period: p, Window: windowAt(license.Enterprise)})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Revenue(context.Background(), ents(license.Enterprise), RevenueQuery{Period: p})
	if err != nil {
		t.Fatal(err)
	}
	return g.AppointmentAnalytics, r
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

func TestChartsArePNGsOfTheRequestedSize(t *testing.T) {
	periods := map[string]Period{
		"week":  {From: "2026-03-01", To: "2026-03-08"},
		"empty": {From: "2026-02-01", To: "2026-02-03"}, // zero totals: axes must still render
		"day":   {From: "2026-03-08", To: "2026-03-08"}, // one point
	}
	for name, p := range periods {
		a, r := fixtureReports(t, p)
		for _, o := range []ChartOptions{{}, {Width: 425, Height: 300, Dark: true}, {Width: 1000, Height: 500}} {
			w, h := o.size()
			charts := map[string]func() ([]byte, error){
				"daily":   func() ([]byte, error) { return DailyAppointmentsChart(a, o) },
				"status":  func() ([]byte, error) { return ByStatusChart(a, o) },
				"service": func() ([]byte, error) { return ByServiceChart(a, o) },
				"revenue": func() ([]byte, error) { return DailyRevenueChart(r, o) },
			}
			for kind, render := range charts {
				b, err := render()
				if err != nil {
					t.Fatalf("%s %s %+v: %v", name, kind, o, err)
				}
				if got := decodePNG(t, b).Bounds().Size(); got != image.Pt(w, h) {
					t.Errorf("%s %s: size %v, want %dx%d", name, kind, got, w, h)
				}
			}
		}
	}
}

func TestByServiceChartFoldsTheRestIntoOther(t *testing.T) {
	a := AppointmentAnalytics{From: "2026-03-01", To: "2026-03-02"}
	for i := range 14 {
		a.ByService = append(a.ByService, NamedCount{ID: int64(i + 1), Name: "Service", Count: int64(100 - i)})
	}
	if _, err := ByServiceChart(a, ChartOptions{}); err != nil {
		t.Fatal(err)
	}
}

// runeWidth measures text as 1 pixel a rune, so wrapping can be checked by hand.
type runeWidth struct{}

func (runeWidth) MeasureText(s string) chart.Box { return chart.Box{Right: len([]rune(s))} }

// Names under the by-service bars are whole: wrapped at spaces, cut only when a word alone is
// wider than the column.
func TestByServiceLabelsKeepWholeNames(t *testing.T) {
	cases := []struct {
		in    string
		width int
		want  []string
	}{
		{"Physiotherapy Assessment", 30, []string{"Physiotherapy Assessment"}},
		{"Physiotherapy Assessment", 15, []string{"Physiotherapy", "Assessment"}},
		{"Deep Tissue Massage 90", 12, []string{"Deep Tissue", "Massage 90"}},
		{"A very long service name indeed", 12, []string{"A very long", "service nam…"}},
		{"Supercalifragilistic", 10, []string{"Supercali…"}},
		{"", 10, []string{""}},
	}
	for _, c := range cases {
		if got := wrapLabel(runeWidth{}, c.in, c.width, 2); !reflect.DeepEqual(got, c.want) {
			t.Errorf("wrapLabel(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
	// With the chart's real font, every demo-length name fits the name column whole.
	r, _ := chart.PNG(425, 300)
	font, _ := chart.GetDefaultFont()
	r.SetFont(font)
	r.SetFontSize(10)
	for _, name := range []string{"Physiotherapy Assessment", "Deep Tissue Massage 90", "Massage", "Facial"} {
		if got := strings.Join(wrapLabel(r, name, labelColumn(425), 2), " "); got != name {
			t.Errorf("%q drawn as %q", name, got)
		}
	}
}

// The by-service bars are horizontal: the largest bar is much wider than it is tall.
func TestByServiceChartIsHorizontal(t *testing.T) {
	a := AppointmentAnalytics{}
	for i := range 11 {
		a.ByService = append(a.ByService, NamedCount{ID: int64(i + 1), Name: "Physiotherapy Assessment", Count: int64(100 - i)})
	}
	b, err := ByServiceChart(a, ChartOptions{Width: 425, Height: 300})
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, b)
	minX, minY, maxX, maxY := 1<<30, 1<<30, -1, -1
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 == uint32(accent.R) && g>>8 == uint32(accent.G) && bl>>8 == uint32(accent.B) {
				if maxY >= 0 && y > maxY+1 { // past the first bar
					break
				}
				minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
			}
		}
	}
	if maxX < 0 || maxX-minX < 4*(maxY-minY) {
		t.Errorf("first bar spans x %d..%d, y %d..%d: not a horizontal bar", minX, maxX, minY, maxY)
	}
}

// TestGoldenChart pins the look of the daily appointments chart (colours per status, axes from
// zero, local date ticks, title and legend). Run with -update after an intended change and look
// at the new image.
func TestGoldenChart(t *testing.T) {
	a, _ := fixtureReports(t, Period{From: "2026-03-01", To: "2026-03-08"})
	b, err := DailyAppointmentsChart(a, ChartOptions{Width: 640, Height: 320})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "golden_daily_appointments.png")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -run TestGoldenChart -update)", err)
	}
	got, exp := decodePNG(t, b), decodePNG(t, want)
	if got.Bounds() != exp.Bounds() {
		t.Fatalf("size %v, golden %v", got.Bounds(), exp.Bounds())
	}
	diff := 0
	for y := got.Bounds().Min.Y; y < got.Bounds().Max.Y; y++ {
		for x := got.Bounds().Min.X; x < got.Bounds().Max.X; x++ {
			if got.At(x, y) != exp.At(x, y) {
				diff++
			}
		}
	}
	if diff > 0 {
		_ = os.WriteFile(filepath.Join(t.TempDir(), "got.png"), b, 0o644)
		t.Errorf("%d pixels differ from %s", diff, path)
	}
	// Rendering twice gives the same bytes: the chart is deterministic.
	again, _ := DailyAppointmentsChart(a, ChartOptions{Width: 640, Height: 320})
	if !bytes.Equal(again, b) {
		t.Error("two renders of the same report differ")
	}
}
