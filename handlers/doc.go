// Package handlers is Yueyuetan's HTTP layer on Echo v4: routes, one request struct per endpoint
// with its own bind, the JWT middleware, the error renderer (RFC 9457 problem+json, localized by
// Accept-Language with zh-CN first) and the embedded UI. It knows nothing of SQL: every route calls
// one models.Store operation, which checks roles and tenants itself.
package handlers
