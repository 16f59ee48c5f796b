package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// jobLease says which instance runs a periodic job until when (docs/notifications.md "Jobs on
// one instance").
type jobLease struct {
	Name      string `gorm:"primaryKey"`
	Holder    string
	ExpiresAt time.Time
}

func (jobLease) TableName() string { return "job_leases" }

// AcquireLease takes or renews the lease on a job for holder until now+ttl, and reports whether
// holder has it. It takes a lease only when it is free, expired or already holder's: one
// conditional UPDATE, or, for a job that never ran, an INSERT whose duplicate key means someone
// else was first. Both are single statements that the database serializes, on SQLite and on
// InnoDB alike, so of two instances asking at once exactly one gets it.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := s.now()
	until := now.Add(ttl)
	db := s.write.WithContext(ctx)
	res := db.Exec("UPDATE job_leases SET holder = ?, expires_at = ? WHERE name = ? AND (holder = ? OR expires_at <= ?)",
		holder, until, name, holder, now)
	if res.Error != nil {
		return false, fmt.Errorf("take lease %s: %w", name, res.Error)
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	ins := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&jobLease{Name: name, Holder: holder, ExpiresAt: until})
	if ins.Error != nil {
		return false, fmt.Errorf("take lease %s: %w", name, ins.Error)
	}
	if ins.RowsAffected == 1 {
		return true, nil
	}
	// MySQL counts a row the UPDATE matched but left as it was (holder renewing at the same
	// instant) as unaffected: read who holds it.
	var l jobLease
	if err := db.Take(&l, "name = ?", name).Error; err != nil {
		return false, fmt.Errorf("read lease %s: %w", name, err)
	}
	return l.Holder == holder && !l.ExpiresAt.Before(now), nil
}

// ReleaseLease gives a lease up, so another instance need not wait for it to expire.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.write.WithContext(ctx).Exec("UPDATE job_leases SET expires_at = ? WHERE name = ? AND holder = ?",
		time.Unix(0, 0).UTC(), name, holder).Error
}

// Outbound delivery bounds.
const (
	maxDeliveryAttempts = 5
	deliveryBatch       = 50
)

// OutboundMessage is a delivery ready to send: the channel, the recipient's phone and language,
// and the notification.
type OutboundMessage struct {
	DeliveryID uint64
	Channel    string
	Attempt    int
	UserID     uint64
	Phone      string
	Locale     string
	Note       Notification
}

// DueDeliveries lists pending deliveries whose time has come, oldest first. Only the holder of
// the outbound lease sends, so two instances never send one twice.
func (s *Store) DueDeliveries(ctx context.Context, limit int) ([]OutboundMessage, error) {
	if limit <= 0 {
		limit = deliveryBatch
	}
	var rows []struct {
		Delivery
		Phone  string
		Locale string
	}
	db := s.write.WithContext(ctx)
	if err := db.Table("notification_deliveries").
		Select("notification_deliveries.*, users.phone, users.locale").
		Joins("JOIN users ON users.id = notification_deliveries.user_id").
		Where("notification_deliveries.status = ? AND notification_deliveries.next_attempt_at <= ?", DeliveryPending, s.now()).
		Order("notification_deliveries.id").Limit(limit).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read due deliveries: %w", err)
	}
	out := make([]OutboundMessage, 0, len(rows))
	for _, r := range rows {
		var n Notification
		if err := db.Take(&n, r.NotificationID).Error; err != nil {
			return nil, fmt.Errorf("read notification %d: %w", r.NotificationID, err)
		}
		n.Data = map[string]any{}
		_ = json.Unmarshal([]byte(n.Params), &n.Data)
		out = append(out, OutboundMessage{DeliveryID: r.ID, Channel: r.Channel, Attempt: r.Attempts + 1, UserID: r.UserID,
			Phone: r.Phone, Locale: r.Locale, Note: n})
	}
	return out, nil
}

// ClaimDelivery takes a due delivery for one attempt: it moves its next attempt a few minutes
// on, only if it is still pending and due and no one recorded another attempt meanwhile. Only
// the sender whose claim succeeded sends, so even two senders at once (two loops of one
// instance, or a lease that changed hands mid-round) send an attempt once.
func (s *Store) ClaimDelivery(ctx context.Context, m OutboundMessage) (bool, error) {
	now := s.now()
	res := s.write.WithContext(ctx).Model(&Delivery{}).
		Where("id = ? AND status = ? AND attempts = ? AND next_attempt_at <= ?", m.DeliveryID, DeliveryPending, m.Attempt-1, now).
		Update("next_attempt_at", now.Add(deliveryClaim))
	if res.Error != nil {
		return false, fmt.Errorf("claim delivery %d: %w", m.DeliveryID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// deliveryClaim is how long a claimed attempt keeps others off before it may be tried again
// (a sender that died mid-send).
const deliveryClaim = 5 * time.Minute

// RecordDelivery records one attempt: sent, or failed with its error — pending again after a
// pause that doubles with each attempt (1 minute, 2, 4, 8), failed for good after
// maxDeliveryAttempts.
func (s *Store) RecordDelivery(ctx context.Context, id uint64, sendErr error) error {
	now := s.now()
	var d Delivery
	db := s.write.WithContext(ctx)
	if err := db.Take(&d, id).Error; err != nil {
		return notFound(err)
	}
	changes := map[string]any{"attempts": d.Attempts + 1, "updated_at": now}
	switch {
	case sendErr == nil:
		changes["status"], changes["sent_at"], changes["last_error"] = DeliverySent, now, ""
	case d.Attempts+1 >= maxDeliveryAttempts:
		changes["status"], changes["last_error"] = DeliveryFailed, truncateRunes(sendErr.Error(), 500)
	default:
		changes["last_error"] = truncateRunes(sendErr.Error(), 500)
		changes["next_attempt_at"] = now.Add(time.Minute << d.Attempts)
	}
	res := db.Model(&Delivery{}).Where("id = ? AND status = ? AND attempts = ?", id, DeliveryPending, d.Attempts).Updates(changes)
	if res.Error != nil {
		return fmt.Errorf("record delivery %d: %w", id, res.Error)
	}
	if res.RowsAffected != 1 {
		return errors.New("record delivery: another sender recorded it first")
	}
	return nil
}

// Deliveries lists a notification's deliveries, for tests and operators.
func (s *Store) Deliveries(ctx context.Context, notificationID uint64) ([]Delivery, error) {
	var out []Delivery
	err := s.rdb(ctx).Where("notification_id = ?", notificationID).Order("id").Find(&out).Error
	return out, err
}
