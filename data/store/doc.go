// Package store is the only place that speaks SQL: it opens a tenant's SQLite file, migrates
// it, writes rows (one writer, bulk loads, sync pages), keeps the rollups, verifies the file,
// and answers every read reports and exports need through typed Snapshot methods.
package store
