package main

// The zone database is linked into every build: Windows has no zone files Go can read, and a
// -trimpath build has no path to a Go tree's, so without it `almanac demo` failed there with
// "America/New_York is not a time zone".
import _ "time/tzdata"
