package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// MaxClusterLabelRunes is the longest group label, in characters: it must fit a column head on
// the wall.
const MaxClusterLabelRunes = 30

// Cluster 分组 is a labelled group of cards on one meeting's wall (KJ method). Grouping never
// deletes or edits a card; dissolving a group puts its cards back on the loose pile and keeps the
// row, with DissolvedAt, for the record.
type Cluster struct {
	ID          uint64     `gorm:"primaryKey" json:"id"`
	MeetingID   uint64     `json:"meeting_id"`
	CommunityID uint64     `json:"-"`
	Label       string     `json:"label"`
	Position    int        `json:"position"`
	CreatedBy   uint64     `json:"-"`
	DissolvedAt *time.Time `json:"-"`
	CreatedAt   time.Time  `json:"-"`
	UpdatedAt   time.Time  `json:"-"`
	// CardIDs are the group's visible cards in their order, filled for responses.
	CardIDs []uint64 `gorm:"-" json:"card_ids"`
}

// TableName pins the table.
func (Cluster) TableName() string { return "clusters" }

// clusterCard is a card's place on one meeting's wall; a card without one lies in the loose pile.
// Its primary key (meeting, card) keeps a card in at most one group of a meeting.
type clusterCard struct {
	MeetingID uint64 `gorm:"primaryKey;autoIncrement:false"`
	CardID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	ClusterID uint64
	Position  int
	MovedBy   uint64
	MovedAt   time.Time
}

func (clusterCard) TableName() string { return "cluster_cards" }

// ClusterBoard is a meeting's card wall: its groups in order and the visible cards of the cycle
// that are in none of them.
type ClusterBoard struct {
	Items []Cluster `json:"items"`
	Loose []uint64  `json:"loose"`
}

// CardPlacement says where a card lies on a meeting's wall: in a group at a position, or, with
// both nil, in the loose pile.
type CardPlacement struct {
	CardID    uint64  `json:"card_id"`
	MeetingID uint64  `json:"meeting_id"`
	ClusterID *uint64 `json:"cluster_id"`
	Position  *int    `json:"position"`
}

func cleanLabel(label string) (string, error) {
	label = strings.TrimSpace(label)
	switch {
	case label == "":
		return "", FieldError("label", "required")
	case utf8.RuneCountInString(label) > MaxClusterLabelRunes:
		return "", FieldError("label", "label_too_long")
	}
	return label, nil
}

// lockGroupingMeeting locks a meeting's cycle and then the meeting (the order every meeting
// operation locks them in, so the moves on one wall run one at a time) and checks that the actor
// facilitates it, the meeting is under way and the cycle holds the round table. On MySQL a plain
// read would see the snapshot the transaction took before it waited for the lock, so what the
// grouping operations read after it they read with forUpdate, which sees the latest rows.
func (tx *Tx) lockGroupingMeeting(a Actor, meetingID uint64) (*Meeting, error) {
	var m Meeting
	if err := tx.Select("id", "cycle_id", "community_id").Take(&m, meetingID).Error; err != nil {
		return nil, notFound(err)
	}
	cy, err := tx.lockCycle(m.CycleID)
	if err != nil {
		return nil, err
	}
	if _, err := tx.writeAccess(a, m.CommunityID, RoleFacilitator, RoleAdmin); err != nil {
		return nil, err
	}
	if err := tx.forUpdate().Take(&m, meetingID).Error; err != nil {
		return nil, notFound(err)
	}
	if err := cy.allowMeeting(StepGroupCards, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// lockCluster reads a group and locks its meeting for grouping.
func (tx *Tx) lockCluster(a Actor, id uint64) (*Cluster, *Meeting, error) {
	var c Cluster
	if err := tx.Select("id", "meeting_id").Take(&c, id).Error; err != nil {
		return nil, nil, notFound(err)
	}
	m, err := tx.lockGroupingMeeting(a, c.MeetingID)
	if err != nil {
		return nil, nil, err
	}
	if err := tx.forUpdate().Take(&c, id).Error; err != nil {
		return nil, nil, notFound(err)
	}
	return &c, m, nil
}

func liveClusters(db *gorm.DB, meetingID uint64) *gorm.DB {
	return db.Model(&Cluster{}).Where("meeting_id = ? AND dissolved_at IS NULL", meetingID)
}

func clusterEvent(tx *Tx, a Actor, c *Cluster, typ EventType, payload any) error {
	_, err := tx.AppendEvent(EventInput{CommunityID: c.CommunityID, Type: typ, SubjectType: "cluster", SubjectID: c.ID,
		Actor: a.ref(), Visibility: VisMembers, Payload: payload})
	return err
}

// cardEvent tells a card's timeline that it joined or left a group. The payload carries ids and
// the group's label only, so an anonymous card stays unlinked to its author.
func cardEvent(tx *Tx, a Actor, c *Cluster, cardID uint64, typ EventType, payload CardGroupPayload) error {
	payload.MeetingID, payload.ClusterID, payload.Label = c.MeetingID, c.ID, c.Label
	_, err := tx.AppendEvent(EventInput{CommunityID: c.CommunityID, Type: typ, SubjectType: "card", SubjectID: cardID,
		Actor: a.ref(), Visibility: VisMembers, Payload: payload})
	return err
}

// ClusterBoard returns a meeting's groups and loose pile to members of its community. Only
// visible cards show: a card hidden after it was grouped keeps its place and comes back with it
// when restored.
func (s *Store) ClusterBoard(ctx context.Context, a Actor, meetingID uint64) (*ClusterBoard, error) {
	db := s.rdb(ctx)
	var m Meeting
	if err := db.Select("id", "community_id", "cycle_id").Take(&m, meetingID).Error; err != nil {
		return nil, notFound(err)
	}
	if _, err := s.readAccess(ctx, a, m.CommunityID); err != nil {
		return nil, err
	}
	out := &ClusterBoard{Items: []Cluster{}, Loose: []uint64{}}
	if err := liveClusters(db, meetingID).Order("position, id").Find(&out.Items).Error; err != nil {
		return nil, fmt.Errorf("list clusters of meeting %d: %w", meetingID, err)
	}
	var placed []clusterCard
	if err := db.Table("cluster_cards").Select("cluster_cards.*").
		Joins("JOIN cards ON cards.id = cluster_cards.card_id").
		Where("cluster_cards.meeting_id = ? AND cards.status = ?", meetingID, CardVisible).
		Order("cluster_cards.position, cluster_cards.card_id").Find(&placed).Error; err != nil {
		return nil, fmt.Errorf("read grouped cards of meeting %d: %w", meetingID, err)
	}
	byCluster := map[uint64][]uint64{}
	for _, p := range placed {
		byCluster[p.ClusterID] = append(byCluster[p.ClusterID], p.CardID)
	}
	for i := range out.Items {
		out.Items[i].CardIDs = byCluster[out.Items[i].ID]
		if out.Items[i].CardIDs == nil {
			out.Items[i].CardIDs = []uint64{}
		}
	}
	if err := db.Model(&Card{}).Where("cycle_id = ? AND status = ?", m.CycleID, CardVisible).
		Where("id NOT IN (?)", db.Table("cluster_cards").Select("card_id").Where("meeting_id = ?", meetingID)).
		Order("id").Pluck("id", &out.Loose).Error; err != nil {
		return nil, fmt.Errorf("read loose cards of meeting %d: %w", meetingID, err)
	}
	return out, nil
}

// MaxNewClusterCards is the most cards a group can be made with in one request.
const MaxNewClusterCards = 50

// CreateCluster adds an empty group at the end of a meeting's wall; facilitators and admins,
// while the meeting is under way at the round table.
func (s *Store) CreateCluster(ctx context.Context, a Actor, meetingID uint64, label string) (*Cluster, error) {
	return s.CreateClusterWithCards(ctx, a, meetingID, label, nil)
}

// CreateClusterWithCards adds a group at the end of a meeting's wall and puts the given cards
// into it in that order, in one transaction: the events are those of CreateCluster followed by
// one MoveCard per card (cluster.created, then card.grouped for each card, with from_cluster_id
// when it leaves another group). Every card must be a visible card of the meeting's cycle, listed
// once; otherwise nothing changes.
func (s *Store) CreateClusterWithCards(ctx context.Context, a Actor, meetingID uint64, label string, cardIDs []uint64) (*Cluster, error) {
	label, err := cleanLabel(label)
	if err != nil {
		return nil, err
	}
	if len(cardIDs) > MaxNewClusterCards {
		return nil, FieldError("card_ids", fmt.Sprintf("max_items:%d", MaxNewClusterCards))
	}
	for i, id := range cardIDs {
		if slices.Contains(cardIDs[:i], id) {
			return nil, FieldError(fmt.Sprintf("card_ids[%d]", i), "duplicate_card")
		}
	}
	var c *Cluster
	err = s.tx(ctx, func(tx *Tx) error {
		m, err := tx.lockGroupingMeeting(a, meetingID)
		if err != nil {
			return err
		}
		if err := lockCardsForGrouping(tx, m, cardIDs); err != nil {
			return err
		}
		var n int64
		if err := liveClusters(tx.forUpdate(), m.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("count clusters: %w", err)
		}
		c = &Cluster{MeetingID: m.ID, CommunityID: m.CommunityID, Label: label, Position: int(n) + 1, CreatedBy: a.UserID}
		if err := tx.Create(c).Error; err != nil {
			return fmt.Errorf("create cluster: %w", err)
		}
		if err := clusterEvent(tx, a, c, EvClusterCreated, ClusterCreatedPayload{Label: c.Label, MeetingID: c.MeetingID, Position: c.Position}); err != nil {
			return err
		}
		for _, id := range cardIDs {
			if _, err := groupCard(tx, a, m, c, id, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.CardIDs = append([]uint64{}, cardIDs...)
	return c, nil
}

// lockCardsForGrouping locks the cards a new group is made with, in id order (the order any
// transaction that locks several cards takes them in, after the cycle and the meeting), and checks
// that each is a visible card of the meeting's cycle. A card of another cycle or community, or
// none at all, is refused alike, naming the first such entry; a hidden or withdrawn one as MoveCard
// refuses it.
func lockCardsForGrouping(tx *Tx, m *Meeting, cardIDs []uint64) error {
	if len(cardIDs) == 0 {
		return nil
	}
	sorted := slices.Clone(cardIDs)
	slices.Sort(sorted)
	var cards []Card
	if err := tx.forUpdate().Select("id", "status").Where("id IN ? AND cycle_id = ?", sorted, m.CycleID).
		Order("id").Find(&cards).Error; err != nil {
		return fmt.Errorf("lock cards for grouping: %w", err)
	}
	status := make(map[uint64]string, len(cards))
	for _, c := range cards {
		status[c.ID] = c.Status
	}
	for i, id := range cardIDs {
		if _, ok := status[id]; !ok {
			return FieldError(fmt.Sprintf("card_ids[%d]", i), "card_not_in_cycle")
		}
	}
	for _, id := range cardIDs {
		if status[id] != CardVisible {
			return Errorf(ECONFLICT, "card_not_visible")
		}
	}
	return nil
}

// ClusterChange renames or moves a group; nil leaves a field as it is.
type ClusterChange struct {
	Label    *string
	Position *int
}

// UpdateCluster renames a group or moves it to another position; the positions of the meeting's
// groups stay 1..n without gaps. Facilitators and admins, while the meeting is under way.
func (s *Store) UpdateCluster(ctx context.Context, a Actor, id uint64, in ClusterChange) (*Cluster, error) {
	var label string
	if in.Label != nil {
		var err error
		if label, err = cleanLabel(*in.Label); err != nil {
			return nil, err
		}
	}
	err := s.tx(ctx, func(tx *Tx) error {
		c, m, err := tx.lockCluster(a, id)
		if err != nil {
			return err
		}
		if c.DissolvedAt != nil {
			return Errorf(ECONFLICT, "cluster_dissolved")
		}
		if in.Label != nil && label != c.Label {
			from := c.Label
			if err := tx.Model(&Cluster{}).Where("id = ?", c.ID).Update("label", label).Error; err != nil {
				return fmt.Errorf("rename cluster %d: %w", id, err)
			}
			c.Label = label
			if err := clusterEvent(tx, a, c, EvClusterRenamed, ClusterRenamedPayload{Label: label, From: from, MeetingID: c.MeetingID}); err != nil {
				return err
			}
		}
		if in.Position == nil || *in.Position == c.Position {
			return nil
		}
		var n int64
		if err := liveClusters(tx.forUpdate(), m.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("count clusters: %w", err)
		}
		to, from := *in.Position, c.Position
		if to < 1 || int64(to) > n {
			return FieldError("position", "out_of_range")
		}
		q := liveClusters(tx.DB, m.ID).Where("id <> ?", c.ID)
		if to < from {
			q = q.Where("position >= ? AND position < ?", to, from).Update("position", gorm.Expr("position + 1"))
		} else {
			q = q.Where("position > ? AND position <= ?", from, to).Update("position", gorm.Expr("position - 1"))
		}
		if q.Error != nil {
			return fmt.Errorf("shift clusters: %w", q.Error)
		}
		if err := tx.Model(&Cluster{}).Where("id = ?", c.ID).Update("position", to).Error; err != nil {
			return fmt.Errorf("move cluster %d: %w", id, err)
		}
		return clusterEvent(tx, a, c, EvClusterReordered, ClusterReorderedPayload{From: from, To: to, MeetingID: c.MeetingID})
	})
	if err != nil {
		return nil, err
	}
	return s.clusterWithCards(s.write.WithContext(ctx), id)
}

func (s *Store) clusterWithCards(db *gorm.DB, id uint64) (*Cluster, error) {
	var c Cluster
	if err := db.Take(&c, id).Error; err != nil {
		return nil, notFound(err)
	}
	c.CardIDs = []uint64{}
	if err := db.Table("cluster_cards").Joins("JOIN cards ON cards.id = cluster_cards.card_id").
		Where("cluster_cards.cluster_id = ? AND cards.status = ?", id, CardVisible).
		Order("cluster_cards.position, cluster_cards.card_id").Pluck("cluster_cards.card_id", &c.CardIDs).Error; err != nil {
		return nil, fmt.Errorf("read cards of cluster %d: %w", id, err)
	}
	return &c, nil
}

// DissolveCluster puts a group's cards back on the loose pile and retires the group; its row
// stays for the record. Dissolving it again changes nothing. Facilitators and admins, while the
// meeting is under way.
func (s *Store) DissolveCluster(ctx context.Context, a Actor, id uint64) error {
	return s.tx(ctx, func(tx *Tx) error {
		c, m, err := tx.lockCluster(a, id)
		if err != nil {
			return err
		}
		if c.DissolvedAt != nil {
			return nil
		}
		var cards []uint64
		if err := tx.forUpdate().Model(&clusterCard{}).Where("cluster_id = ?", c.ID).Order("position, card_id").
			Pluck("card_id", &cards).Error; err != nil {
			return fmt.Errorf("read cards of cluster %d: %w", id, err)
		}
		if err := tx.Where("cluster_id = ?", c.ID).Delete(&clusterCard{}).Error; err != nil {
			return fmt.Errorf("empty cluster %d: %w", id, err)
		}
		if err := tx.Model(&Cluster{}).Where("id = ?", c.ID).Update("dissolved_at", tx.Now()).Error; err != nil {
			return fmt.Errorf("dissolve cluster %d: %w", id, err)
		}
		if err := liveClusters(tx.DB, m.ID).Where("position > ?", c.Position).
			Update("position", gorm.Expr("position - 1")).Error; err != nil {
			return fmt.Errorf("shift clusters: %w", err)
		}
		for _, card := range cards {
			if err := cardEvent(tx, a, c, card, EvCardUngrouped, CardGroupPayload{Dissolved: true}); err != nil {
				return err
			}
		}
		if cards == nil {
			cards = []uint64{}
		}
		return clusterEvent(tx, a, c, EvClusterDissolved, ClusterDissolvedPayload{Label: c.Label, CardIDs: cards, MeetingID: c.MeetingID})
	})
}

// CardMove puts a card into a group (at Position, 1-based; nil appends) or, with a nil
// ClusterID, back on the loose pile.
type CardMove struct {
	ClusterID *uint64
	Position  *int
}

// MoveCard places a visible card of the meeting's cycle: into a group of a meeting under way, or
// back on the loose pile of the cycle's meeting under way. A card lies in at most one group of a
// meeting; moving it where it already is changes nothing. Facilitators and admins only.
func (s *Store) MoveCard(ctx context.Context, a Actor, cardID uint64, in CardMove) (*CardPlacement, error) {
	var out *CardPlacement
	err := s.tx(ctx, func(tx *Tx) error {
		var card Card
		if err := tx.Select("id", "cycle_id", "community_id").Take(&card, cardID).Error; err != nil {
			return notFound(err)
		}
		if _, err := tx.writeAccess(a, card.CommunityID, RoleFacilitator, RoleAdmin); err != nil {
			return err
		}
		var target Cluster
		var meetingID uint64
		if in.ClusterID != nil {
			if err := tx.Select("id", "meeting_id", "community_id").Take(&target, *in.ClusterID).Error; err != nil ||
				target.CommunityID != card.CommunityID {
				return errNotFound
			}
			meetingID = target.MeetingID
		} else {
			id, err := cycleMeetingForGrouping(tx, card.CycleID)
			if err != nil {
				return err
			}
			meetingID = id
		}
		m, err := tx.lockGroupingMeeting(a, meetingID)
		if err != nil {
			return err
		}
		if err := tx.forUpdate().Select("id", "cycle_id", "community_id", "status").Take(&card, cardID).Error; err != nil {
			return notFound(err)
		}
		if card.CycleID != m.CycleID {
			return FieldError("cluster_id", "cluster_other_cycle")
		}
		if card.Status != CardVisible {
			return Errorf(ECONFLICT, "card_not_visible")
		}
		out = &CardPlacement{CardID: card.ID, MeetingID: m.ID}
		if in.ClusterID == nil {
			return ungroupCard(tx, a, m, card.ID)
		}
		if err := tx.forUpdate().Take(&target, *in.ClusterID).Error; err != nil {
			return notFound(err)
		}
		if target.DissolvedAt != nil {
			return Errorf(ECONFLICT, "cluster_dissolved")
		}
		pos, err := groupCard(tx, a, m, &target, card.ID, in.Position)
		if err != nil {
			return err
		}
		out.ClusterID, out.Position = &target.ID, &pos
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// cycleMeetingForGrouping is the meeting whose loose pile a card goes back to: the cycle's
// meeting under way, else its latest meeting (whose state then explains the refusal).
func cycleMeetingForGrouping(tx *Tx, cycleID uint64) (uint64, error) {
	var ms []Meeting
	if err := tx.Select("id", "status").Where("cycle_id = ?", cycleID).Order("id DESC").Find(&ms).Error; err != nil {
		return 0, fmt.Errorf("find meeting of cycle %d: %w", cycleID, err)
	}
	if len(ms) == 0 {
		return 0, Errorf(ECONFLICT, "meeting_not_started")
	}
	for _, m := range ms {
		if m.Status == MeetingStarted {
			return m.ID, nil
		}
	}
	return ms[0].ID, nil
}

// takeOut removes a card from its group and closes the gap it leaves.
func takeOut(tx *Tx, cur *clusterCard) error {
	if err := tx.Where("meeting_id = ? AND card_id = ?", cur.MeetingID, cur.CardID).Delete(&clusterCard{}).Error; err != nil {
		return fmt.Errorf("take card %d out of cluster %d: %w", cur.CardID, cur.ClusterID, err)
	}
	if err := tx.Model(&clusterCard{}).Where("cluster_id = ? AND position > ?", cur.ClusterID, cur.Position).
		Update("position", gorm.Expr("position - 1")).Error; err != nil {
		return fmt.Errorf("shift cards of cluster %d: %w", cur.ClusterID, err)
	}
	return nil
}

func currentPlace(tx *Tx, meetingID, cardID uint64) (*clusterCard, error) {
	var cur []clusterCard
	if err := tx.forUpdate().Where("meeting_id = ? AND card_id = ?", meetingID, cardID).Limit(1).Find(&cur).Error; err != nil {
		return nil, fmt.Errorf("find place of card %d: %w", cardID, err)
	}
	if len(cur) == 0 {
		return nil, nil
	}
	return &cur[0], nil
}

func ungroupCard(tx *Tx, a Actor, m *Meeting, cardID uint64) error {
	cur, err := currentPlace(tx, m.ID, cardID)
	if err != nil || cur == nil {
		return err
	}
	var from Cluster
	if err := tx.forUpdate().Take(&from, cur.ClusterID).Error; err != nil {
		return fmt.Errorf("read cluster %d: %w", cur.ClusterID, err)
	}
	if err := takeOut(tx, cur); err != nil {
		return err
	}
	return cardEvent(tx, a, &from, cardID, EvCardUngrouped, CardGroupPayload{})
}

func groupCard(tx *Tx, a Actor, m *Meeting, target *Cluster, cardID uint64, position *int) (int, error) {
	cur, err := currentPlace(tx, m.ID, cardID)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := tx.forUpdate().Model(&clusterCard{}).Where("cluster_id = ? AND card_id <> ?", target.ID, cardID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count cards of cluster %d: %w", target.ID, err)
	}
	pos := int(n) + 1
	if position != nil {
		if *position < 1 || *position > pos {
			return 0, FieldError("position", "out_of_range")
		}
		pos = *position
	}
	if cur != nil && cur.ClusterID == target.ID && cur.Position == pos {
		return pos, nil
	}
	extra := CardGroupPayload{Position: &pos}
	if cur != nil {
		if cur.ClusterID != target.ID {
			from := cur.ClusterID
			extra.FromClusterID = &from
		}
		if err := takeOut(tx, cur); err != nil {
			return 0, err
		}
	}
	if err := tx.Model(&clusterCard{}).Where("cluster_id = ? AND position >= ?", target.ID, pos).
		Update("position", gorm.Expr("position + 1")).Error; err != nil {
		return 0, fmt.Errorf("shift cards of cluster %d: %w", target.ID, err)
	}
	row := clusterCard{MeetingID: m.ID, CardID: cardID, ClusterID: target.ID, Position: pos, MovedBy: a.UserID, MovedAt: tx.Now()}
	if err := tx.Create(&row).Error; err != nil {
		return 0, fmt.Errorf("group card %d: %w", cardID, err)
	}
	if err := cardEvent(tx, a, target, cardID, EvCardGrouped, extra); err != nil {
		return 0, err
	}
	if cur != nil && cur.ClusterID == target.ID {
		return pos, nil // moved within its group: nothing new for its author
	}
	return pos, notifyCardAuthors(tx, a, target.CommunityID, []uint64{cardID}, NoteCardGrouped,
		fmt.Sprintf("grouped:%d", target.ID), map[string]any{"group": target.Label, "meeting_id": target.MeetingID})
}

// groupedCards lists the cards a meeting's groups hold, for the grouping suggestions.
func groupedCards(db *gorm.DB, meetingID uint64) ([]uint64, error) {
	var ids []uint64
	if err := db.Model(&clusterCard{}).Where("meeting_id = ?", meetingID).Pluck("card_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("read grouped cards of meeting %d: %w", meetingID, err)
	}
	return ids, nil
}
