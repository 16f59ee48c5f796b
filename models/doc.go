// Package models holds Yueyuetan's domain types, rules and the transactional operations on them
// (docs/domain.md, docs/architecture.md "The event log"). It knows nothing of HTTP: handlers call a Store method with the acting user,
// the method opens one transaction, checks the actor's role in the community that owns the object,
// validates, changes the rows, appends an event to the community's hash-chained log, and commits.
// Errors are *Error values with a stable code that the HTTP layer maps to a status and localizes.
package models
