// Package license decides what the current user may do: plans, features, history windows and signed offline license files.
package license
