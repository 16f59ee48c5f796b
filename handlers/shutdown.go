package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/yueyuetan/yueyuetan/stream"
)

// ShutdownGrace is how long in-flight requests get to finish at shutdown.
const ShutdownGrace = 10 * time.Second

// Shutdown stops a server gracefully (docs/operations.md "Graceful shutdown"): it stops
// accepting connections, tells every open event stream to reconnect and closes it, and waits
// up to grace for the requests in flight to finish — each of them answers only after its write
// committed, so no acknowledged write is lost. Requests still running after grace are cut. The
// caller closes the database afterwards.
func Shutdown(srv *http.Server, broker *stream.Broker, grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if broker != nil {
		// The streams would keep Shutdown waiting; end them at once (also for the hijacked
		// connections, which net/http no longer tracks).
		srv.RegisterOnShutdown(broker.Close)
	}
	err := srv.Shutdown(ctx)
	if broker != nil {
		// Shutdown does not wait for its hooks: wait for the broker before the store closes.
		broker.Close()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		_ = srv.Close()
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
