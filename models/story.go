package models

import (
	"context"
	"fmt"
	"strings"
)

// ResolutionStory is a resolution's whole story on one page (docs/audit-trail.md "A
// resolution's story"): the topic the month chose, the cards it stands on, the groups they were
// put in, the vote with its result, the resolution with its publicity and objections, its items
// with their updates and escalations, the survey and the sign-off — each as its own read shows it
// to the reader (anonymous authors stay unnamed, secret choices secret) — and, for those who may
// read the log, every event about it in order.
type ResolutionStory struct {
	Topic      *StoryTopic  `json:"topic"`
	Cards      []Card       `json:"cards"`
	Groups     []StoryGroup `json:"groups"`
	Poll       *Poll        `json:"poll"`
	Resolution *Resolution  `json:"resolution"`
	Items      []ItemView   `json:"items"`
	Survey     *SurveyStats `json:"survey"`
	Events     []EventView  `json:"events"`
	EventsShow bool         `json:"events_shown"`
}

// StoryTopic is the month's topic the resolution came from.
type StoryTopic struct {
	ID          uint64 `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// StoryGroup is a group of cards at the round table.
type StoryGroup struct {
	ID    uint64 `json:"id"`
	Label string `json:"label"`
}

// ResolutionStory gathers a resolution's story for a member of its community.
func (s *Store) ResolutionStory(ctx context.Context, a Actor, id uint64) (*ResolutionStory, error) {
	r, err := s.GetResolution(ctx, a, id)
	if err != nil {
		return nil, err
	}
	db := s.rdb(ctx)
	acc, err := access(db, a, r.CommunityID)
	if err != nil {
		return nil, err
	}
	st := &ResolutionStory{Resolution: r, Cards: []Card{}, Groups: []StoryGroup{}, Items: []ItemView{}, Events: []EventView{}}
	var cy Cycle
	if err := db.Select("id", "selected_topic_id").Take(&cy, r.CycleID).Error; err != nil {
		return nil, notFound(err)
	}
	if cy.SelectedTopicID != nil {
		var t StoryTopic
		if err := db.Table("topics").Select("id", "title", "description").Where("id = ?", *cy.SelectedTopicID).
			Take(&t).Error; err == nil {
			st.Topic = &t
		}
	}
	for _, cid := range r.CardIDs {
		c, err := s.GetCard(ctx, a, cid)
		if err != nil {
			if ErrorCode(err) == ENOTFOUND || ErrorCode(err) == EFORBIDDEN {
				continue // withdrawn or hidden from this reader
			}
			return nil, err
		}
		st.Cards = append(st.Cards, *c)
	}
	// The groups: those the resolution names, and those its cards were put in at the table.
	groupIDs := append([]uint64{}, r.ClusterIDs...)
	if len(r.CardIDs) > 0 {
		var placed []uint64
		if err := db.Table("cluster_cards").Where("card_id IN ?", r.CardIDs).Pluck("cluster_id", &placed).Error; err != nil {
			return nil, fmt.Errorf("read groups of the cards of resolution %d: %w", r.ID, err)
		}
		groupIDs = uniqueIDs(append(groupIDs, placed...))
	}
	if len(groupIDs) > 0 {
		if err := db.Table("clusters").Select("id", "label").Where("id IN ?", groupIDs).Order("position, id").
			Find(&st.Groups).Error; err != nil {
			return nil, fmt.Errorf("read groups of resolution %d: %w", r.ID, err)
		}
	}
	if st.Poll, err = s.GetPoll(ctx, a, r.PollID); err != nil {
		return nil, err
	}
	items, err := s.ListItems(ctx, a, r.ID)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		full, err := s.GetItem(ctx, a, it.ID)
		if err != nil {
			return nil, err
		}
		full.Progress = it.Progress
		st.Items = append(st.Items, *full)
	}
	if st.Survey, err = s.Survey(ctx, a, r.ID); err != nil {
		if ErrorCode(err) != ECONFLICT {
			return nil, err
		}
		st.Survey = nil
	}
	if acc.Has(RoleAdmin, RoleCommittee) {
		st.EventsShow = true
		if st.Events, err = s.storyEvents(ctx, r, items); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// storyEvents lists every event about a resolution, oldest first: those of the resolution, its
// vote, its cards, and those whose payload names it (objections, items, claims, updates,
// escalations, the survey).
func (s *Store) storyEvents(ctx context.Context, r *Resolution, items []ItemView) ([]EventView, error) {
	db := s.rdb(ctx)
	named := fmt.Sprintf(`%%"resolution_id":%d,%%`, r.ID)
	namedLast := fmt.Sprintf(`%%"resolution_id":%d}`, r.ID)
	q := db.Where("community_id = ?", r.CommunityID).Where(
		db.Where("subject_type = 'resolution' AND subject_id = ?", r.ID).
			Or("subject_type = 'poll' AND subject_id = ?", r.PollID).
			Or("payload LIKE ? OR payload LIKE ?", named, namedLast))
	if len(r.CardIDs) > 0 {
		q = q.Or("community_id = ? AND subject_type = 'card' AND subject_id IN ?", r.CommunityID, r.CardIDs)
	}
	var evs []Event
	if err := q.Order("id").Limit(2000).Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("read the story of resolution %d: %w", r.ID, err)
	}
	// Ballots are the voters' own: the story shows the vote's result, not who cast what.
	kept := evs[:0]
	for _, e := range evs {
		if strings.HasPrefix(string(e.Type), "poll.ballot_") || strings.HasPrefix(string(e.Type), "poll.paper_ballot_") {
			continue
		}
		kept = append(kept, e)
	}
	return s.viewEvents(ctx, r.CommunityID, kept)
}
