package models

import (
	"context"
	"encoding/json"
	"fmt"
)

// EventsFrom reads a community's events from a sequence number on, in order: the real-time feed
// reads the log itself, so every server instance delivers every committed event, in the order
// the chain gives them, whoever wrote it.
func (s *Store) EventsFrom(ctx context.Context, communityID, fromSeq uint64, limit int) ([]Event, error) {
	var out []Event
	if err := s.rdb(ctx).Where("community_id = ? AND seq >= ?", communityID, fromSeq).
		Order("seq").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read events of community %d: %w", communityID, err)
	}
	for i := range out {
		out[i].Data = json.RawMessage(out[i].Payload)
		_ = json.Unmarshal(out[i].Data, &out[i].Refs) // a payload without references leaves them zero
	}
	return out, nil
}

// HeadSeq is the sequence number of a community's newest event (0 when it has none).
func (s *Store) HeadSeq(ctx context.Context, communityID uint64) (uint64, error) {
	var h eventHead
	err := s.rdb(ctx).Where("community_id = ?", communityID).Limit(1).Find(&h).Error
	return h.Seq, err
}

// EventSeq finds the community and sequence number of an event id, for a client that resumes
// with Last-Event-ID.
func (s *Store) EventSeq(ctx context.Context, id uint64) (communityID, seq uint64, err error) {
	var e Event
	err = s.rdb(ctx).Select("community_id", "seq").Where("id = ?", id).Limit(1).Find(&e).Error
	return e.CommunityID, e.Seq, err
}
