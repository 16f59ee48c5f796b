package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Topic sources: online by residents, or typed in by staff from offline channels.
var TopicSources = []string{"online", "home_visit", "hotline", "property_log", "party_branch"}

// Topic statuses.
const (
	TopicOpen        = "open"
	TopicShortlisted = "shortlisted"
	TopicSelected    = "selected"
	TopicMerged      = "merged"
	TopicRejected    = "rejected"
)

// Topic 议题 is a problem proposed for a cycle.
type Topic struct {
	ID               uint64    `gorm:"primaryKey" json:"id"`
	CycleID          uint64    `json:"cycle_id"`
	CommunityID      uint64    `json:"community_id"`
	Title            string    `json:"title"`
	Description      string    `json:"description"`
	Source           string    `json:"source"`
	ProposerID       *uint64   `json:"proposer_id"`
	ProposerName     string    `gorm:"->;-:migration" json:"proposer_name"`
	EnteredBy        uint64    `json:"entered_by"`
	Status           string    `json:"status"`
	MergedIntoID     *uint64   `json:"merged_into_id"`
	StatusReason     string    `json:"status_reason"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	EndorsementCount int64     `gorm:"->;-:migration" json:"endorsement_count"`
	EndorsedByMe     bool      `gorm:"->;-:migration" json:"endorsed_by_me"`
	// CarriedFromTopicID is the topic of the compound's earlier cycle this one was carried over
	// from, and CarriedEndorsements how many endorsements came with it (docs/phases.md "Topics
	// carried into the next cycle").
	CarriedFromTopicID  *uint64 `json:"carried_from_topic_id"`
	CarriedEndorsements int64   `json:"carried_endorsements"`
}

// TableName pins the table.
func (Topic) TableName() string { return "topics" }

type endorsement struct {
	TopicID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	UserID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	CreatedAt time.Time
}

func (endorsement) TableName() string { return "endorsements" }

// topicQuery selects topics with proposer name, endorsement count and whether viewer endorsed.
func topicQuery(db *gorm.DB, viewer uint64) *gorm.DB {
	return db.Table("topics").Select(`topics.*, COALESCE(users.name, '') AS proposer_name,
		(SELECT COUNT(*) FROM endorsements e WHERE e.topic_id = topics.id) AS endorsement_count,
		EXISTS (SELECT 1 FROM endorsements m WHERE m.topic_id = topics.id AND m.user_id = ?) AS endorsed_by_me`, viewer).
		Joins("LEFT JOIN users ON users.id = topics.proposer_id")
}

func findTopic(db *gorm.DB, id, viewer uint64) (*Topic, error) {
	var t Topic
	if err := topicQuery(db, viewer).Where("topics.id = ?", id).Take(&t).Error; err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// TopicInput proposes a topic. Source empty or "online" is a member speaking for themselves;
// other sources are staff typing in what they gathered, optionally naming the resident.
type TopicInput struct {
	Title, Description, Source string
	ProposerID                 *uint64
}

// staffRoles may type in what residents said offline.
var staffRoles = []string{RoleGridWorker, RoleFacilitator, RoleAdmin}

// ProposeTopic adds a topic during topic collection.
func (s *Store) ProposeTopic(ctx context.Context, a Actor, cycleID uint64, in TopicInput) (*Topic, error) {
	if in.Source == "" {
		in.Source = "online"
	}
	if !slices.Contains(TopicSources, in.Source) {
		return nil, FieldError("source", "unknown_source")
	}
	t := &Topic{CycleID: cycleID, Title: strings.TrimSpace(in.Title), Description: strings.TrimSpace(in.Description),
		Source: in.Source, EnteredBy: a.UserID, Status: TopicOpen}
	err := s.tx(ctx, func(tx *Tx) error {
		c, err := tx.lockCycle(cycleID)
		if err != nil {
			return err
		}
		acc, err := tx.writeAccess(a, c.CommunityID)
		if err != nil {
			return err
		}
		t.CommunityID = c.CommunityID
		if in.Source == "online" {
			if in.ProposerID != nil && *in.ProposerID != a.UserID {
				return FieldError("proposer_id", "offline_source_needed")
			}
			if err := acc.requireVerified(); err != nil {
				return err
			}
			t.ProposerID = a.ref()
		} else {
			if err := acc.require(staffRoles...); err != nil {
				return err
			}
			if in.ProposerID != nil {
				if _, err := access(tx.DB, Actor{UserID: *in.ProposerID}, c.CommunityID); err != nil {
					return FieldError("proposer_id", "not_a_member")
				}
				t.ProposerID = in.ProposerID
			}
		}
		if err := c.allow(StepProposeTopic); err != nil {
			return err
		}
		if err := tx.Create(t).Error; err != nil {
			return fmt.Errorf("create topic: %w", err)
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: c.CommunityID, Type: EvTopicProposed, SubjectType: "topic",
			SubjectID: t.ID, Actor: a.ref(), Visibility: VisMembers,
			Payload: TopicProposedPayload{CycleID: cycleID, Title: t.Title, Source: t.Source}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return findTopic(s.write.WithContext(ctx), t.ID, a.UserID)
}

// ListTopics lists a cycle's topics, most endorsed first, to members of its community.
func (s *Store) ListTopics(ctx context.Context, a Actor, cycleID uint64) ([]Topic, error) {
	c, err := findCycle(s.rdb(ctx), cycleID)
	if err != nil {
		return nil, err
	}
	if _, err := s.readAccess(ctx, a, c.CommunityID); err != nil {
		return nil, err
	}
	var out []Topic
	if err := topicQuery(s.rdb(ctx), a.UserID).Where("topics.cycle_id = ?", cycleID).
		Order("endorsement_count DESC, topics.id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	return out, nil
}

// errAlreadyDone rolls back a transaction whose change another request already made.
var errAlreadyDone = errors.New("already done")

// Endorse adds the caller's 附议 to a topic; a second endorsement is a no-op, also under
// concurrent clicks (the primary key decides).
func (s *Store) Endorse(ctx context.Context, a Actor, topicID uint64, on bool) (*Topic, error) {
	err := s.tx(ctx, func(tx *Tx) error {
		var t Topic
		if err := tx.Omit("ProposerName", "EndorsementCount", "EndorsedByMe").Take(&t, topicID).Error; err != nil {
			return notFound(err)
		}
		c, err := tx.lockCycle(t.CycleID)
		if err != nil {
			return err
		}
		acc, err := tx.writeAccess(a, c.CommunityID)
		if err != nil {
			return err
		}
		if err := acc.requireVerified(); err != nil {
			return err
		}
		if err := c.allow(StepEndorse); err != nil {
			return err
		}
		if t.Status != TopicOpen && t.Status != TopicShortlisted {
			return Errorf(ECONFLICT, "topic_closed")
		}
		typ := EvTopicEndorsed
		if on {
			if err := tx.Create(&endorsement{TopicID: t.ID, UserID: a.UserID}).Error; err != nil {
				if isDuplicate(err) {
					return errAlreadyDone
				}
				return fmt.Errorf("endorse topic %d: %w", t.ID, err)
			}
		} else {
			res := tx.Where("topic_id = ? AND user_id = ?", t.ID, a.UserID).Delete(&endorsement{})
			if res.Error != nil {
				return fmt.Errorf("withdraw endorsement: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				return errAlreadyDone
			}
			typ = EvTopicEndorsementWithdrawn
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: c.CommunityID, Type: typ, SubjectType: "topic", SubjectID: t.ID,
			Actor: a.ref(), Visibility: VisMembers, Payload: TopicEndorsementPayload{CycleID: t.CycleID}})
		return err
	})
	if err != nil && !errors.Is(err, errAlreadyDone) {
		return nil, err
	}
	return findTopic(s.write.WithContext(ctx), topicID, a.UserID)
}

// facilitateTopic runs fn on a topic and its locked cycle after checking that the actor
// facilitates in the community and the cycle is in topic collection or selection.
func (s *Store) facilitateTopic(ctx context.Context, a Actor, topicID uint64, fn func(tx *Tx, c *Cycle, t *Topic) error) (*Topic, error) {
	err := s.tx(ctx, func(tx *Tx) error {
		var t Topic
		if err := tx.Take(&t, topicID).Error; err != nil {
			return notFound(err)
		}
		c, err := tx.lockCycle(t.CycleID)
		if err != nil {
			return err
		}
		if _, err := tx.writeAccess(a, c.CommunityID, RoleFacilitator, RoleAdmin); err != nil {
			return err
		}
		if err := c.allow(StepTriageTopic); err != nil {
			return err
		}
		return fn(tx, c, &t)
	})
	if err != nil {
		return nil, err
	}
	return findTopic(s.write.WithContext(ctx), topicID, a.UserID)
}

// SetTopicStatus shortlists, rejects (with a reason) or reopens a topic; facilitators only.
func (s *Store) SetTopicStatus(ctx context.Context, a Actor, topicID uint64, status, reason string) (*Topic, error) {
	reason = strings.TrimSpace(reason)
	if !slices.Contains([]string{TopicOpen, TopicShortlisted, TopicRejected}, status) {
		return nil, FieldError("status", "unknown_status")
	}
	if status == TopicRejected && reason == "" {
		return nil, FieldError("reason", "reason_required")
	}
	return s.facilitateTopic(ctx, a, topicID, func(tx *Tx, c *Cycle, t *Topic) error {
		if t.Status == TopicMerged || t.Status == TopicSelected {
			return Errorf(ECONFLICT, "topic_closed")
		}
		if t.Status == status {
			return nil
		}
		if err := tx.Model(&Topic{}).Where("id = ?", t.ID).Updates(map[string]any{"status": status, "status_reason": reason}).Error; err != nil {
			return fmt.Errorf("set topic status: %w", err)
		}
		typ := map[string]EventType{TopicOpen: EvTopicReopened, TopicShortlisted: EvTopicShortlisted, TopicRejected: EvTopicRejected}[status]
		_, err := tx.AppendEvent(EventInput{CommunityID: c.CommunityID, Type: typ, SubjectType: "topic", SubjectID: t.ID,
			Actor: a.ref(), Visibility: VisMembers, Payload: TopicStatusPayload{CycleID: c.ID, From: t.Status, Reason: reason}})
		return err
	})
}

// MergeTopic folds a duplicate topic into another of the same cycle: endorsements carry over
// (each person still counts once) and nothing is deleted.
func (s *Store) MergeTopic(ctx context.Context, a Actor, topicID, intoID uint64) (*Topic, error) {
	return s.facilitateTopic(ctx, a, topicID, func(tx *Tx, c *Cycle, t *Topic) error {
		if topicID == intoID {
			return FieldError("into_topic_id", "merge_into_self")
		}
		var into Topic
		if err := tx.Where("id = ? AND cycle_id = ?", intoID, c.ID).Take(&into).Error; err != nil {
			return FieldError("into_topic_id", "topic_not_in_cycle")
		}
		for _, st := range []string{t.Status, into.Status} {
			if st == TopicMerged || st == TopicSelected || st == TopicRejected {
				return Errorf(ECONFLICT, "topic_closed")
			}
		}
		if err := tx.Exec(`INSERT INTO endorsements (topic_id, user_id, created_at)
			SELECT ?, e.user_id, e.created_at FROM endorsements e WHERE e.topic_id = ?
			AND NOT EXISTS (SELECT 1 FROM endorsements x WHERE x.topic_id = ? AND x.user_id = e.user_id)`,
			into.ID, t.ID, into.ID).Error; err != nil {
			return fmt.Errorf("carry endorsements over: %w", err)
		}
		if err := tx.Model(&Topic{}).Where("id = ?", t.ID).Updates(map[string]any{"status": TopicMerged, "merged_into_id": into.ID}).Error; err != nil {
			return fmt.Errorf("merge topic: %w", err)
		}
		_, err := tx.AppendEvent(EventInput{CommunityID: c.CommunityID, Type: EvTopicMerged, SubjectType: "topic", SubjectID: t.ID,
			Actor: a.ref(), Visibility: VisMembers, Payload: TopicMergedPayload{CycleID: c.ID, IntoTopicID: into.ID}})
		return err
	})
}

// SelectTopic records the cycle's topic and the reason during topic selection; facilitators
// only. Choosing again puts the earlier choice back on the shortlist.
func (s *Store) SelectTopic(ctx context.Context, a Actor, cycleID, topicID uint64, reason string) (*Cycle, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, FieldError("reason", "reason_required")
	}
	err := s.tx(ctx, func(tx *Tx) error {
		c, err := tx.lockCycle(cycleID)
		if err != nil {
			return err
		}
		if _, err := tx.writeAccess(a, c.CommunityID, RoleFacilitator, RoleAdmin); err != nil {
			return err
		}
		if err := c.allow(StepSelectTopic); err != nil {
			return err
		}
		var t Topic
		if err := tx.Where("id = ? AND cycle_id = ?", topicID, c.ID).Take(&t).Error; err != nil {
			return FieldError("topic_id", "topic_not_in_cycle")
		}
		if t.Status != TopicOpen && t.Status != TopicShortlisted && t.Status != TopicSelected {
			return Errorf(ECONFLICT, "topic_closed")
		}
		if c.SelectedTopicID != nil && *c.SelectedTopicID != t.ID {
			if err := tx.Model(&Topic{}).Where("id = ?", *c.SelectedTopicID).Update("status", TopicShortlisted).Error; err != nil {
				return err
			}
		}
		if err := tx.Model(&Topic{}).Where("id = ?", t.ID).Update("status", TopicSelected).Error; err != nil {
			return err
		}
		if err := tx.Model(&Cycle{}).Where("id = ?", c.ID).Updates(map[string]any{"selected_topic_id": t.ID,
			"selection_reason": reason}).Error; err != nil {
			return fmt.Errorf("select topic: %w", err)
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: c.CommunityID, Type: EvCycleTopicSelected, SubjectType: "cycle",
			SubjectID: c.ID, Actor: a.ref(), Visibility: VisPublic,
			Payload: TopicSelectedPayload{TopicID: t.ID, Title: t.Title, Reason: reason}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return findCycle(s.write.WithContext(ctx), cycleID)
}
