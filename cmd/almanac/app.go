package main

import (
	"context"
	"errors"
	"fmt"
	"log"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/assets"
	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
	"github.com/almanac-app/almanac/ui"
)

// appID matches FyneApp.toml.
const appID = "app.almanac.desktop"

// runApp opens the desktop app on the active tenant, building the demo tenant first when the
// home has none.
func runApp(env *Env) error {
	a := app.NewWithID(appID)
	a.SetIcon(assets.Icon)
	ui.ApplyThemePreference(a)
	if _, err := env.home().ActiveTenant(); errors.Is(err, data.ErrNoTenant) {
		buildDemoThenOpen(a, env)
	} else if err := openShell(a, env); err != nil {
		return err
	}
	a.Run()
	return nil
}

// buildDemoThenOpen shows progress while the demo tenant is built off the UI goroutine.
func buildDemoThenOpen(a fyne.App, env *Env) {
	w := a.NewWindow("Almanac: preparing demo data")
	bar := widget.NewProgressBar()
	msg := widget.NewLabel("Building the demo tenant so you can explore Almanac…")
	w.SetContent(container.NewPadded(container.NewVBox(msg, bar)))
	w.Resize(fyne.NewSize(480, 120))
	w.Show()
	go func() {
		o := data.DemoOptions{Progress: func(done, total int) {
			fyne.Do(func() { bar.SetValue(float64(done) / float64(total)) })
		}}
		_, err := data.BuildDemo(context.Background(), env.home(), o)
		if errors.Is(err, data.ErrActiveChanged) {
			err = nil // a sync finished meanwhile: open its tenant
		}
		fyne.Do(func() {
			if err == nil {
				err = openShell(a, env)
			}
			if err != nil {
				msg.SetText("Could not build the demo tenant: " + err.Error())
				return
			}
			w.Close()
		})
	}()
}

func openShell(a fyne.App, env *Env) error {
	st, _, err := env.OpenStore()
	if err != nil {
		return fmt.Errorf("open the app: %w", err)
	}
	syncer := &appSyncer{env: env, st: st} // owns st: a sync may swap in a new tenant's store
	shell := ui.NewShell(a, ui.Config{
		Reports:  reports.New(st, env.Now),
		Licenses: env.Licenses(),
		Version:  Version,
		Home:     env.Home,
		Syncer:   syncer,
		OnClose: func() {
			if err := syncer.Close(); err != nil {
				log.Printf("close store: %v", err)
			}
		},
	})
	shell.Win.SetMaster()
	shell.Win.Show()
	return nil
}
