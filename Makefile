# Almanac build. `make run` and `make test` work on a fresh Debian/Ubuntu machine: the deps
# target installs the system packages Fyne and the journey (make smoke) need.
SHELL := /bin/bash
GO ?= go
BIN := bin
MODULE := github.com/almanac-app/almanac
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.Version=$(VERSION)

FYNE_PKGS := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev
TOOL_PKGS := xvfb imagemagick xdotool xclip iproute2 poppler-utils unzip
BENCH_PKGS := sqlite3 time x11-apps
# The Windows build (mingw-w64 for cgo), its installers (NSIS, wixl), signing, and the wine test
# (wine, wine64; jq, unzip and icoutils compare outputs and read the programs' resources).
WINDOWS_PKGS := gcc-mingw-w64-x86-64 nsis wixl osslsigncode wine wine64 jq unzip icoutils openssl

.PHONY: all deps bench-deps build run test test-go smoke screenshots soak bench bench-table bench-startup bench-scale lint package release clean fuzz \
	windows-deps windows windows-installer windows-sign test-windows test-windows-soak test-darwin-build docs-check

# docs-check opens every report workbook in LibreOffice (not part of make test: a 100 MB install).
DOCS_PKGS := libreoffice-calc poppler-utils

all: build

# deps installs whatever of the build and test packages are missing (as root with apt-get),
# else prints the exact command to run.
deps:
	@./.ci/install-packages $(FYNE_PKGS) $(TOOL_PKGS)

bench-deps: deps
	@./.ci/install-packages $(BENCH_PKGS)

build: deps
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/almanac ./cmd/almanac
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/almanac-license ./cmd/almanac-license
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/tenantd ./cmd/tenantd

run: build
	./$(BIN)/almanac

test: deps test-go test-darwin-build smoke test-windows

test-go:
	$(GO) vet ./...
	$(GO) test -race -timeout 30m ./...

# smoke is the journey: the real app under Xvfb, driven with xdotool from a first start on an
# empty home through every screen, activation, a scheduled job (saved, edited, deleted), an export,
# Analytics (Compare with, Save as PDF and Excel, the Customers and Staff tabs), a sync with Cancel
# and resume, the failed automatic sync's banner, in both
# themes at 1280x800 and 1024x768 (.ci/journey says how). Its PNGs and logs stay in out/journey/
# (JOURNEY_OUT) for CI artifacts; JOURNEY_SKIP lists the steps left out.
smoke: build
	./.ci/journey ./$(BIN)

# screenshots re-takes the README's screenshots: the journey keeps them under stable names.
screenshots: smoke
	cp out/journey/readme/*.png docs/screenshots/
	@ls out/journey/readme/

# soak SIGKILLs the real binaries during demo, sync and export (25 times each) and syncs through
# a failing server; `make test` runs a short version of the same test.
soak: deps
	$(GO) test -count=1 -timeout 60m -run '^TestSoak$$' -v ./cmd/almanac -soak.kills 25

bench: bench-deps build
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./...
	./.ci/bench-table

# bench-table prints issue 17's table (docs/performance.md): whole processes beside their
# references, medians of paired rounds; ALMANAC_BENCH_APPOINTMENTS (default 1000000).
bench-table: bench-deps
	./.ci/bench-table

# bench-scale (not in make test): cost per row at 100k, 1M and 10M appointments
# (ALMANAC_BENCH_SIZES); the 10M tenant takes minutes and several GB, cached between runs.
bench-scale: bench-deps
	./.ci/bench-table --scale

# bench-startup times the real app's first frame and its dashboard's numbers on a 1M-appointment
# demo tenant under Xvfb (.ci/startup-time says how; goals 1 s and 1.5 s). Not part of make test.
bench-startup: bench-deps build
	./.ci/startup-time ./$(BIN)

# docs-check opens every report workbook in LibreOffice Calc and renders its pages with poppler
# (about 100 MB of packages, so not part of `make test`); DOCS_UPDATE=1 also refreshes the
# pictures in docs/reports/.
docs-check:
	@./.ci/install-packages $(DOCS_PKGS)
	ALMANAC_DOCS_CHECK=1 ALMANAC_DOCS_UPDATE=$(DOCS_UPDATE) $(GO) test -count=1 -run 'InLibreOffice' -v ./reports

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./license

lint: deps
	$(GO) vet ./...
	@if $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.6.1 -version >/dev/null 2>&1; then \
		$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.6.1 ./...; \
	else echo "lint: staticcheck could not be fetched; ran go vet only"; fi
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "lint: run gofmt -w"; exit 1; }

# package builds a Linux bundle with the fyne tool; it reads FyneApp.toml from the main
# package's folder, so the root file is copied there for the build.
package: deps
	cp FyneApp.toml cmd/almanac/FyneApp.toml
	cd cmd/almanac && $(GO) tool fyne package -os linux --icon ../../assets/icon.png --release=false; \
		status=$$?; rm -f FyneApp.toml; exit $$status
	mkdir -p dist && mv cmd/almanac/*.tar.xz dist/
	@ls -l dist/*.tar.xz

# release builds dist/almanac trusting only the public keys in LICENSE_PUBKEYS (KID BASE64 lines).
# The binary checks its key list when it starts (it refuses the committed development key under
# any id, comparing key bytes); release runs that check on the new binary and keeps it only if it
# passes.
release: deps
	@test -n "$(LICENSE_PUBKEYS)" || { echo "release: set LICENSE_PUBKEYS=FILE (one 'KID BASE64' line per key)"; exit 2; }
	@test -r "$(LICENSE_PUBKEYS)" || { echo "release: cannot read $(LICENSE_PUBKEYS)"; exit 2; }
	$(GO) build -tags release -ldflags "$(LDFLAGS) -X $(MODULE)/license.releaseKeys=$$(base64 -w0 < $(LICENSE_PUBKEYS))" -o dist/almanac.new ./cmd/almanac
	@dist/almanac.new version || { rm -f dist/almanac.new; echo "release: refused: the key list in $(LICENSE_PUBKEYS) is unusable (see above); nothing was written to dist/almanac"; exit 2; }
	@mv dist/almanac.new dist/almanac

# ---- Windows (docs in README.md#windows) --------------------------------------------------------
windows-deps: deps
	@./.ci/install-packages $(WINDOWS_PKGS)

# windows cross-builds dist/windows/: Almanac.exe (the desktop app) and bin/almanac.exe (the
# command line), with icon, version information and manifest (.ci/windows/build says why two).
windows: windows-deps
	./.ci/windows/build dist/windows $(VERSION)

# windows-installer builds dist/Almanac-$(VERSION)-setup.exe (NSIS, per user) and
# dist/Almanac-$(VERSION).msi (wixl, per machine, for group policy) from dist/windows/.
windows-installer: windows
	./.ci/windows/installer dist/windows dist

# windows-sign signs the programs, then rebuilds the installers (the NSIS uninstaller signed as it
# is written) and signs them, with SIGN_CERT and SIGN_KEY (SIGN_PASS, SIGN_TIMESTAMP optional);
# without them it says so and signs nothing.
export SIGN_CERT SIGN_KEY SIGN_PASS SIGN_TIMESTAMP
windows-sign: windows
	@if [ -z "$(SIGN_CERT)" ] || [ -z "$(SIGN_KEY)" ]; then ./.ci/windows/sign; else \
		./.ci/windows/sign dist/windows/Almanac.exe dist/windows/bin/almanac.exe && \
		./.ci/windows/installer dist/windows dist "$(CURDIR)/.ci/windows/sign" && \
		./.ci/windows/sign dist/Almanac-$(VERSION)-setup.exe dist/Almanac-$(VERSION).msi; fi

# test-windows runs the Windows build under wine (.ci/windows/test lists the steps): outputs
# against the Linux build's, the installers, signing and the GUI; part of `make test`.
test-windows: build windows-installer
	timeout 15m ./.ci/windows/test dist $(BIN)
	timeout 5m ./.ci/windows/test-autostart

# test-windows-soak is test-windows on a 200,000-appointment demo tenant (longer: not in CI).
test-windows-soak: build windows-installer
	WINDOWS_APPOINTMENTS=200000 timeout 60m ./.ci/windows/test dist $(BIN)

# test-darwin-build: every package that needs no Fyne (the GUI) builds for macOS with
# CGO_ENABLED=0, for arm64 and amd64 (docs/macos.md says how the app itself is built there).
test-darwin-build:
	@pkgs=$$(GOOS=darwin CGO_ENABLED=0 $(GO) list -e -f '{{.ImportPath}} {{join .Deps " "}}' ./... 2>/dev/null | grep -v ' fyne.io/fyne/v2' | cut -d' ' -f1); \
	for arch in arm64 amd64; do CGO_ENABLED=0 GOOS=darwin GOARCH=$$arch $(GO) build $$pkgs || exit 1; done; \
	echo "test-darwin-build: $$(echo $$pkgs | wc -w) non-GUI packages build for darwin/arm64 and darwin/amd64"

clean:
	rm -rf $(BIN) dist out
