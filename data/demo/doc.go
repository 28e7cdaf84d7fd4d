// Package demo generates the built-in demo tenant: the same options always give the same rows,
// which Build loads into the demo's store and the reference server serves.
package demo
