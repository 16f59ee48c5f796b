package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// communityZone is the calendar of due dates: China Standard Time, which has no daylight saving.
var communityZone = time.FixedZone("CST", 8*3600)

// reminderLead is how many days before its due date an item's first reminder goes out.
const reminderLead = 3

// Reminder kinds, as stored in item_reminders.
const (
	reminderDueSoon  = "due_soon"
	reminderDueToday = "due_today"
	reminderOverdue  = "overdue"
)

type itemReminder struct {
	ItemID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	Kind      string `gorm:"primaryKey"`
	Day       string `gorm:"primaryKey"`
	CreatedAt time.Time
}

func (itemReminder) TableName() string { return "item_reminders" }

// CommunityToday is today's date on the community's calendar, as 'YYYY-MM-DD'.
func (s *Store) CommunityToday() string { return s.now().In(communityZone).Format(time.DateOnly) }

// RunReminders sends the reminders that are due now to each open item's assignee and the
// facilitator (docs/notifications.md "Reminders"): three days before the due date (or later, if
// the job did not run then), on the due date, and once when it has passed (overdue). Each
// reminder is one row of item_reminders keyed by (item, kind, due date), inserted in the
// transaction that writes its notifications, so however many instances run the job at once, and
// however often, each goes out once. It returns how many reminders it sent.
func (s *Store) RunReminders(ctx context.Context) (int, error) {
	now := s.now().In(communityZone)
	today := now.Format(time.DateOnly)
	horizon := now.AddDate(0, 0, reminderLead).Format(time.DateOnly)
	var items []ActionItem
	if err := s.write.WithContext(ctx).Joins("JOIN resolutions ON resolutions.id = action_items.resolution_id").
		Where("action_items.status NOT IN ? AND action_items.due_date <> '' AND action_items.due_date <= ?",
			[]string{ItemDone, ItemCancelled}, horizon).
		Where("resolutions.status NOT IN ?", []string{ResolutionAccepted, ResolutionRejected}).
		Order("action_items.id").Find(&items).Error; err != nil {
		return 0, fmt.Errorf("find items to remind: %w", err)
	}
	sent := 0
	for i := range items {
		it := &items[i]
		kind, note := reminderDueSoon, NoteItemDueSoon
		switch {
		case it.DueDate == today:
			kind, note = reminderDueToday, NoteItemDueToday
		case it.DueDate < today:
			kind, note = reminderOverdue, NoteItemOverdue
		}
		did := false
		err := s.tx(ctx, func(tx *Tx) error {
			did = false
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).
				Create(&itemReminder{ItemID: it.ID, Kind: kind, Day: it.DueDate, CreatedAt: tx.now})
			if res.Error != nil {
				return fmt.Errorf("record reminder of item %d: %w", it.ID, res.Error)
			}
			if res.RowsAffected == 0 {
				return nil // another run sent it
			}
			var r Resolution
			if err := tx.Select("id", "cycle_id", "title").Take(&r, it.ResolutionID).Error; err != nil {
				return notFound(err)
			}
			to, err := facilitatorsOf(tx.DB, it.CommunityID, r.CycleID)
			if err != nil {
				return err
			}
			if it.AssigneeUserID != nil {
				to = append(to, *it.AssigneeUserID)
			}
			if err := tx.Notify(Note{CommunityID: it.CommunityID, Type: note, SubjectType: "item", SubjectID: it.ID,
				Params: map[string]any{"item_id": it.ID, "item": it.Title, "due_date": it.DueDate,
					"resolution_id": r.ID, "resolution": r.Title},
				Key: fmt.Sprintf("reminder:%d:%s:%s", it.ID, kind, it.DueDate)}, to...); err != nil {
				return err
			}
			if _, err := tx.AppendEvent(EventInput{CommunityID: it.CommunityID, Type: EvItemReminderSent, SubjectType: "item",
				SubjectID: it.ID, Visibility: VisCommittee,
				Payload: ItemReminderPayload{DueDate: it.DueDate, Kind: kind, ResolutionID: r.ID}}); err != nil {
				return err
			}
			did = true
			return nil
		})
		if err != nil {
			return sent, err
		}
		if did {
			sent++
		}
	}
	return sent, nil
}
