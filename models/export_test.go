package models

import "context"

// TxBatched lets the external tests drive the group commit directly.
func (s *Store) TxBatched(ctx context.Context, fn func(tx *Tx) error) error {
	return s.txBatched(ctx, 0, fn)
}
