package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/stream"
)

// The event streams are served by the broker of package stream (docs/architecture.md "Real
// time"); the handlers authorize a stream, find where it resumes and choose its filter.

// errShuttingDown answers a stream asked for while the broker closes, at shutdown.
var errShuttingDown = &httpError{status: http.StatusServiceUnavailable, title: "unavailable", reason: "shutting_down"}

// serveStream answers a Server-Sent Events stream of a community's events that accept keeps,
// starting after Last-Event-ID (or from now).
func (a *App) serveStream(c echo.Context, communityID uint64, accept func(*models.Event) bool) error {
	next, err := a.resumePoint(c.Request().Context(), c, communityID)
	if err != nil {
		return err
	}
	return a.streamFrom(c, communityID, next, accept, nil)
}

// streamFrom is serveStream from a known sequence number, each accepted event passed through
// shape (when not nil); see stream.Broker.Serve.
func (a *App) streamFrom(c echo.Context, communityID, next uint64, accept func(*models.Event) bool,
	shape *stream.Shaper) error {
	err := a.broker.Serve(c, communityID, next, accept, shape)
	if errors.Is(err, stream.ErrShuttingDown) {
		return errShuttingDown
	}
	return err
}

// resumePoint is the first sequence number a new stream needs: after the event named by
// Last-Event-ID (header, or the last_event_id query parameter for clients that cannot set
// headers), else after the community's newest event.
func (a *App) resumePoint(ctx context.Context, c echo.Context, communityID uint64) (uint64, error) {
	last := c.Request().Header.Get("Last-Event-ID")
	if last == "" {
		last = c.QueryParam("last_event_id")
	}
	if last != "" {
		id, err := strconv.ParseUint(last, 10, idBits)
		if err == nil {
			cid, seq, err := a.store.EventSeq(ctx, id)
			if err != nil {
				return 0, err
			}
			if cid == communityID && seq > 0 {
				return seq + 1, nil
			}
		}
	}
	head, err := a.store.HeadSeq(ctx, communityID)
	if err != nil {
		return 0, err
	}
	return head + 1, nil
}
