package models

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// A person who forgot their password gets a one-time reset code, from the community office after a
// grid worker or admin has checked who they are face to face (8 digits, valid 24 hours), or by SMS
// when a provider is configured (6 digits, valid 15 minutes). Only an argon2id hash of a code is
// stored, one live code per person and channel (a new one replaces the old, and an SMS request
// cannot wipe out the code the office handed over). Using a code ends all the person's sessions.
const (
	ResetCodeTTL = 24 * time.Hour
	SMSCodeTTL   = 15 * time.Minute

	resetChannelStaff = "staff"
	resetChannelSMS   = "sms"
	staffCodeDigits   = 8
	smsCodeDigits     = 6

	resetPhoneLimit = 5  // wrong codes per phone per throttle window
	resetAddrLimit  = 50 // wrong codes per client address
	smsPhoneLimit   = 3  // texts per phone per throttle window
	smsAddrLimit    = 10 // texts requested per client address
)

type passwordResetCode struct {
	UserID      uint64 `gorm:"primaryKey;autoIncrement:false"`
	Channel     string `gorm:"primaryKey"`
	CodeHash    string
	CommunityID *uint64
	IssuedBy    *uint64
	ExpiresAt   time.Time
	CreatedAt   time.Time
}

func (passwordResetCode) TableName() string { return "password_reset_codes" }

// ResetCode is a code just issued, shown once to the staff member who hands it over.
type ResetCode struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}

var (
	errResetCode       = FieldError("code", "reset_code_invalid")
	errResetNeedsAdmin = Errorf(EFORBIDDEN, "reset_needs_admin")
)

func randomDigits(n int) (string, error) {
	b := make([]byte, n)
	ten := big.NewInt(10)
	for i := range b {
		d, err := rand.Int(rand.Reader, ten)
		if err != nil {
			return "", fmt.Errorf("read random: %w", err)
		}
		b[i] = byte('0' + d.Int64())
	}
	return string(b), nil
}

// IssueResetCode gives a member of the community a new one-time reset code. Grid workers and
// admins issue codes after checking the person face to face; the log names who issued it, never
// the code. A grid worker resets only residents and party members; a member holding a staff or
// committee role anywhere is reset by an admin of that community (or the street), so no one can
// take over an account with more rights than their own.
func (s *Store) IssueResetCode(ctx context.Context, a Actor, communityID, userID uint64) (*ResetCode, error) {
	code, err := randomDigits(staffCodeDigits)
	if err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(code)
	if err != nil {
		return nil, err
	}
	out := &ResetCode{Code: code}
	err = s.tx(ctx, func(tx *Tx) error {
		acc, err := tx.writeAccess(a, communityID, RoleGridWorker, RoleAdmin)
		if err != nil {
			return err
		}
		var target User
		if err := tx.Joins("JOIN memberships ON memberships.user_id = users.id").
			Where("memberships.community_id = ? AND users.id = ? AND users.closed_at IS NULL", communityID, userID).
			Take(&target).Error; err != nil {
			return notFound(err)
		}
		if err := resetGuard(tx, acc, communityID, &target); err != nil {
			return err
		}
		out.ExpiresAt = tx.Now().Add(ResetCodeTTL)
		if err := storeResetCode(tx, passwordResetCode{UserID: userID, Channel: resetChannelStaff, CodeHash: hash,
			CommunityID: &communityID, IssuedBy: a.ref(), ExpiresAt: out.ExpiresAt}); err != nil {
			return err
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: communityID, Type: EvMemberPasswordResetIssue,
			SubjectType: "user", SubjectID: userID, Actor: a.ref(), Visibility: VisCommittee,
			Payload: PasswordResetIssuedPayload{UserID: userID, ExpiresAt: out.ExpiresAt}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// resetGuard refuses a reset that would hand the actor an account with roles beyond their own.
func resetGuard(tx *Tx, acc *Access, communityID uint64, target *User) error {
	if acc.Superadmin {
		return nil
	}
	if target.IsSuperadmin {
		return errResetNeedsAdmin
	}
	var roles []struct {
		CommunityID uint64
		Role        string
	}
	if err := tx.Table("member_roles").Select("memberships.community_id, member_roles.role").
		Joins("JOIN memberships ON memberships.id = member_roles.membership_id").
		Where("memberships.user_id = ?", target.ID).Scan(&roles).Error; err != nil {
		return fmt.Errorf("read roles of user %d: %w", target.ID, err)
	}
	for _, r := range roles {
		if r.Role == RoleResident || r.Role == RolePartyMember {
			continue
		}
		if r.CommunityID != communityID || !acc.Has(RoleAdmin) {
			return errResetNeedsAdmin
		}
	}
	return nil
}

// storeResetCode keeps a code, replacing the person's earlier code of the same channel.
func storeResetCode(tx *Tx, c passwordResetCode) error {
	c.CreatedAt = tx.Now()
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "channel"}},
		DoUpdates: clause.AssignmentColumns([]string{"code_hash", "community_id", "issued_by", "expires_at", "created_at"}),
	}).Create(&c).Error
	if err != nil {
		return fmt.Errorf("store reset code of user %d: %w", c.UserID, err)
	}
	return nil
}

// ResetInput is a person turning a reset code into a new password.
type ResetInput struct {
	Phone, Code, NewPassword, ClientAddr string
}

// ResetPassword sets a new password with a reset code. A wrong phone, a wrong, used or expired
// code all fail alike, so the answer says nothing about which phones have accounts; attempts are
// counted per phone and per address before the code is checked.
func (s *Store) ResetPassword(ctx context.Context, in ResetInput) error {
	if err := ValidatePassword("new_password", in.NewPassword, in.Phone); err != nil {
		return err
	}
	phoneKey := "reset:phone:" + in.Phone
	if err := s.reserveAttempt(ctx, "reset_locked",
		attemptRules(map[string]int{phoneKey: resetPhoneLimit, "reset:addr:" + in.ClientAddr: resetAddrLimit})); err != nil {
		return err
	}
	channel := ""
	if digitsOnly(in.Code) {
		switch len(in.Code) {
		case staffCodeDigits:
			channel = resetChannelStaff
		case smsCodeDigits:
			channel = resetChannelSMS
		}
	}
	var u User
	var rc passwordResetCode
	db := s.rdb(ctx)
	err := db.Where("phone = ? AND closed_at IS NULL", in.Phone).Take(&u).Error
	if err == nil && channel != "" {
		err = db.Where("user_id = ? AND channel = ? AND expires_at > ?", u.ID, channel, s.now()).Take(&rc).Error
	}
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("find reset code: %w", err)
	}
	hash := rc.CodeHash
	if hash == "" {
		hash = s.dummyHash()
	}
	if !CheckPassword(hash, in.Code) || rc.CodeHash == "" {
		return errResetCode
	}
	next, err := s.hashPassword(in.NewPassword)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *Tx) error {
		// Taking the code is the single use: of two requests with the same code, one deletes it.
		res := tx.Where("user_id = ? AND channel = ? AND code_hash = ? AND expires_at > ?", u.ID, channel, rc.CodeHash, tx.Now()).
			Delete(&passwordResetCode{})
		if res.Error != nil {
			return fmt.Errorf("use reset code: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return errResetCode
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&passwordResetCode{}).Error; err != nil {
			return fmt.Errorf("drop reset codes: %w", err)
		}
		if err := setPassword(tx, &u, next, EvMemberPasswordReset, &u.ID,
			PasswordResetPayload{Channel: channel, IssuedBy: rc.IssuedBy, UserID: u.ID}); err != nil {
			return err
		}
		return clearAttempts(tx, phoneKey)
	})
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// SendCode delivers a reset code by text message; an SMS provider's client implements it.
type SendCode func(ctx context.Context, phone, code string) error

// RequestSMSCode texts a reset code to the phone when it belongs to an account. The caller cannot
// tell whether it does: an unknown phone is counted and answered alike. Texts are limited per
// phone and per address. When sending fails nothing is stored and send's error is returned.
func (s *Store) RequestSMSCode(ctx context.Context, phone, clientAddr string, send SendCode) error {
	if err := s.reserveAttempt(ctx, "sms_too_many",
		attemptRules(map[string]int{"sms:phone:" + phone: smsPhoneLimit, "sms:addr:" + clientAddr: smsAddrLimit})); err != nil {
		return err
	}
	var u User
	err := s.rdb(ctx).Where("phone = ? AND closed_at IS NULL", phone).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find user: %w", err)
	}
	code, err := randomDigits(smsCodeDigits)
	if err != nil {
		return err
	}
	hash, err := s.hashPassword(code)
	if err != nil {
		return err
	}
	// The text goes out before the code is stored: holding a write transaction open across a
	// provider's round trip would stall every other write on SQLite.
	if err := send(ctx, phone, code); err != nil {
		return fmt.Errorf("text reset code: %w", err)
	}
	return s.tx(ctx, func(tx *Tx) error {
		return storeResetCode(tx, passwordResetCode{UserID: u.ID, Channel: resetChannelSMS, CodeHash: hash,
			ExpiresAt: tx.Now().Add(SMSCodeTTL)})
	})
}
