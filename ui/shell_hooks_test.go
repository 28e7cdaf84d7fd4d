package ui

import "fyne.io/fyne/v2"

// Test hooks on the Shell: the app switches screens by index (Show) and never asks what is on
// show, so these live with the tests.

// ShowID switches to the screen with id; it reports whether one exists.
func (s *Shell) ShowID(id string) bool {
	for i, sc := range s.screens {
		if sc.ID == id {
			s.Show(i)
			return true
		}
	}
	return false
}

// Current is the id of the screen on show.
func (s *Shell) Current() string { return s.screens[s.current].ID }

// Content is the current screen's content (for tests).
func (s *Shell) Content() fyne.CanvasObject { return s.content.Objects[0] }
