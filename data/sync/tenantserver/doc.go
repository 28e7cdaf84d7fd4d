// Package tenantserver is the reference sync server: a tenant's online system in memory, with
// fault injection, serving the protocol in docs/sync-protocol.md. Only cmd/tenantd and tests
// import it.
package tenantserver
