package ui

import (
	"bytes"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// visibleTexts is every canvas.Text drawn under o, through widget renderers and scrollers.
func visibleTexts(o fyne.CanvasObject) []*canvas.Text {
	var out []*canvas.Text
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *canvas.Text:
			out = append(out, x)
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(x.Content)
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

// The License screen's feature table wraps Details in a narrow window instead of cutting it
// with "…": every word of every row's details is drawn.
func TestLicenseTableWrapsDetails(t *testing.T) {
	f := newLicShell(t, licTenant(true), licPlan(t, license.Professional))
	f.s.Win.Resize(fyne.NewSize(900, 700))
	f.s.ShowID("license")
	f.s.Win.Resize(fyne.NewSize(900, 701)) // lay out once more: wrapped labels know their width now
	var drawn strings.Builder
	for _, tx := range visibleTexts(f.s.Content()) {
		if strings.Contains(tx.Text, "…") {
			t.Errorf("cut text %q", tx.Text)
		}
		drawn.WriteString(tx.Text + " ")
	}
	words := strings.Fields(drawn.String())
	for _, r := range featureRows(f.s.Entitlements()) {
		for _, w := range strings.Fields(r.Details) {
			if !contains(words, w) {
				t.Errorf("%s: details word %q is not drawn", r.Name, w)
			}
		}
	}
}

// cards is every KPI card under o.
func cards(o fyne.CanvasObject) []*Card {
	var out []*Card
	licWalk(o, func(o fyne.CanvasObject) {
		if c, ok := o.(*Card); ok {
			out = append(out, c)
		}
	})
	return out
}

// withinWindow reports whether o lies horizontally inside the window's canvas.
func withinWindow(s *Shell, o fyne.CanvasObject) (left, right, width float32, ok bool) {
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	width = s.Win.Canvas().Size().Width
	return pos.X, pos.X + o.Size().Width, width, pos.X >= 0 && pos.X+o.Size().Width <= width+0.5
}

// At 900 px wide every screen fits: the content's minimum width is within the window, every
// card, chart and the header's plan badge lie inside it, and the sidebar keeps one width.
func TestScreensReflowAt900(t *testing.T) {
	for _, plan := range []string{"FREE", "ENTERPRISE"} {
		t.Run(plan, func(t *testing.T) {
			s, m := newTestShell(t, demoReports(t, licNow))
			if plan != "FREE" {
				if _, err := m.Activate(shellTestLicense(t, plan, time.Now())); err != nil {
					t.Fatal(err)
				}
				waitFor(t, "the license", func() bool { return s.plan.Text == "Plan: "+plan })
			}
			var sidebar float32
			for _, sc := range Screens() {
				s.ShowID(sc.ID)
				settleLayout(t, s, 900, 700)
				if got := s.Win.Content().MinSize().Width; got > 900 {
					t.Errorf("%s: content needs %.0f px, more than the 900 px window", sc.ID, got)
				}
				if l, r, w, ok := withinWindow(s, s.plan); !ok {
					t.Errorf("%s: plan badge spans %.0f..%.0f in a %.0f px window", sc.ID, l, r, w)
				}
				for _, c := range cards(s.Content()) {
					if l, r, w, ok := withinWindow(s, c); !ok {
						t.Errorf("%s: card %q spans %.0f..%.0f in a %.0f px window", sc.ID, c.Title.Text, l, r, w)
					}
				}
				licWalk(s.Content(), func(o fyne.CanvasObject) {
					if c, ok := o.(*chartView); ok {
						if l, r, w, ok := withinWindow(s, c); !ok {
							t.Errorf("%s: chart spans %.0f..%.0f in a %.0f px window", sc.ID, l, r, w)
						}
					}
				})
				if w := s.nav.Size().Width; sidebar == 0 {
					sidebar = w
				} else if w != sidebar {
					t.Errorf("%s: sidebar %.0f px wide, %.0f on the first screen", sc.ID, w, sidebar)
				}
			}
		})
	}
}

// settleLayout runs queued work and lays the window out at w×h until nothing changes.
func settleLayout(t *testing.T, s *Shell, w, h float32) {
	t.Helper()
	for range 3 {
		time.Sleep(50 * time.Millisecond)
		testPump.drain()
		s.Win.Resize(fyne.NewSize(w, h+1))
		s.Win.Resize(fyne.NewSize(w, h))
	}
}

// Cards drop to fewer columns as the width shrinks, and every row is as tall as its tallest
// card at the width it gets.
func TestFlowGridColumns(t *testing.T) {
	test.NewTempApp(t)
	var objs []fyne.CanvasObject
	for range 8 {
		objs = append(objs, NewCard("Appointments this month", "A caption long enough to wrap onto a second line in a narrow card."))
	}
	g := newCardGrid(4, objs...)
	for _, tc := range []struct {
		width float32
		cols  int
	}{{1000, 4}, {700, 3}, {600, 2}, {300, 1}} {
		g.Resize(fyne.NewSize(tc.width, g.MinSize().Height))
		g.Layout.Layout(g.Objects, g.Size())
		xs := map[float32]bool{}
		for _, o := range objs {
			xs[o.Position().X] = true
			if r := o.Position().X + o.Size().Width; r > tc.width+0.5 {
				t.Errorf("width %.0f: a card ends at %.0f", tc.width, r)
			}
			if o.Size().Height < o.MinSize().Height {
				t.Errorf("width %.0f: a card is %.0f tall, needs %.0f", tc.width, o.Size().Height, o.MinSize().Height)
			}
		}
		if len(xs) != tc.cols {
			t.Errorf("width %.0f: %d columns, want %d", tc.width, len(xs), tc.cols)
		}
		if got := g.MinSize().Width; got > 300 {
			t.Errorf("the grid needs %.0f px; one card's width is enough", got)
		}
	}
	// Four cards where three fit go two by two.
	four := newCardGrid(4, objs[:4]...)
	four.Resize(fyne.NewSize(700, four.MinSize().Height))
	four.Layout.Layout(four.Objects, four.Size())
	if a, b := objs[1].Position(), objs[2].Position(); a.Y == b.Y || b.X != objs[0].Position().X {
		t.Errorf("four cards at 700 px are not two by two: %v %v %v", objs[0].Position(), a, b)
	}
}

// A chart with a render function is drawn at the size it is given, again after a resize.
func TestChartRendersAtItsSize(t *testing.T) {
	s, _ := newTestShell(t, demoReports(t, licNow))
	c := newChartView(fyne.NewSize(100, 80))
	s.Win.SetContent(container.NewStack(c))
	c.SetRender(s.Ctx(), "t.png", func(w, h int) ([]byte, error) {
		return reports.DailyAppointmentsChart(reports.AppointmentAnalytics{}, reports.ChartOptions{Width: w, Height: h})
	})
	drawn := func() fyne.Size {
		if c.img.Resource == nil {
			return fyne.Size{}
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(c.img.Resource.Content()))
		if err != nil {
			t.Fatal(err)
		}
		return fyne.NewSize(float32(cfg.Width), float32(cfg.Height))
	}
	for _, size := range []fyne.Size{fyne.NewSize(640, 300), fyne.NewSize(420, 300)} {
		s.Win.Resize(size)
		if c.Size().Width > size.Width || c.Size().Width < size.Width/2 {
			t.Fatalf("chart laid out at %v in a %v window", c.Size(), size)
		}
		waitFor(t, fmt.Sprintf("a chart drawn at %v", c.pixels()), func() bool { return drawn() == c.pixels() })
	}
}
