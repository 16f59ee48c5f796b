package models

import "context"

// Tx lets the external tests run a write transaction directly.
func (s *Store) Tx(ctx context.Context, fn func(tx *Tx) error) error { return s.tx(ctx, fn) }
