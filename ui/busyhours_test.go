package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// hasImage reports whether o shows an image resource named name.
func hasImage(o fyne.CanvasObject, name string) bool {
	return find(o, func(o fyne.CanvasObject) bool {
		img, ok := o.(*canvas.Image)
		return ok && img.Resource != nil && img.Resource.Name() == name
	}) != nil
}

// The busy-hours heatmap keeps its place with the prompt on FREE and draws on STARTER, on the
// Dashboard and on the Analytics screen.
func TestBusyHoursHeatmapFollowsThePlan(t *testing.T) {
	s, m := newTestShell(t, demoReports(t, time.Now()))
	s.ShowID("dashboard")
	testPump.drain()
	if !anyLabelContains(s.Content(), "Busy hours") || hasImage(s.Content(), "busy-hours.png") {
		t.Errorf("FREE dashboard: want the Busy hours section without its chart; labels %v", labels(s.Content()))
	}
	activate(t, m, "STARTER")
	waitFor(t, "the dashboard heatmap", func() bool { return hasImage(s.Content(), "busy-hours.png") })
	s.ShowID("analytics")
	waitFor(t, "the analytics heatmap", func() bool { return hasImage(s.Content(), "busy-hours.png") })
}
