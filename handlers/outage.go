package handlers

import (
	"context"
	"errors"

	"github.com/yueyuetan/yueyuetan/models"
)

// outageOf turns an error that says the database is unreachable or cannot take writes into the
// 503 `unavailable` answer with Retry-After (docs/operations.md "Database outages"), and tells
// the store, which logs the outage's start and end. A request that ran out of time while the
// store is down is the same outage.
func outageOf(store *models.Store, err error) error {
	if store == nil {
		if models.IsOutage(err) {
			return models.Unavailable(err)
		}
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) && store.Down() {
		return models.Unavailable(err)
	}
	return store.NoteOutage(err)
}
