// Package sync is the sync client: it fetches a tenant's changes from its online system over
// the protocol in docs/sync-protocol.md, validates every page, applies it through the store's
// writer, and keeps the per-tenant sync settings in the home.
package sync
