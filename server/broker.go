package main

import (
	"log/slog"

	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/stream"
)

// newBroker makes the process's event broker (docs/architecture.md "Real time") and wires the
// store's commits to it: every transaction that appended events wakes it at once, so local
// streams hear of a change without waiting for the broker's poll (which remains for commits of
// other instances). A hook already set on the store still runs, first.
func newBroker(store *models.Store, log *slog.Logger) *stream.Broker {
	b := stream.New(store, log, stream.Options{})
	notifyOnCommit(store, b)
	return b
}

// notifyOnCommit chains the broker's wake-up after the store's after-commit hook.
func notifyOnCommit(store *models.Store, b interface{ Notify() }) {
	prev := store.AfterCommit
	store.AfterCommit = func(evs []models.Event) {
		if prev != nil {
			prev(evs)
		}
		b.Notify()
	}
}
