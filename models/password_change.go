package models

import (
	"context"
	"fmt"
	"strconv"
)

// Changing a password in 我的 asks for the current one, throttled like a login, and ends every
// session of the person: the device that asked gets a new session in the same transaction, so
// only the others are logged out.
const changeFailureLimit = 5

// ChangePassword sets a new password for the caller after checking the current one, ends all the
// caller's sessions and starts a new one, returning it.
func (s *Store) ChangePassword(ctx context.Context, a Actor, current, next string) (*User, Session, error) {
	u, err := s.UserByID(ctx, a.UserID)
	if err != nil {
		return nil, Session{}, err
	}
	if err := ValidatePassword("new_password", next, u.Phone); err != nil {
		return nil, Session{}, err
	}
	if next == current {
		return nil, Session{}, FieldError("new_password", "password_same")
	}
	key := "pwchange:" + strconv.FormatUint(u.ID, 10)
	if err := s.reserveAttempt(ctx, "password_change_locked", attemptRules(map[string]int{key: changeFailureLimit})); err != nil {
		return nil, Session{}, err
	}
	if !CheckPassword(u.PasswordHash, current) {
		return nil, Session{}, FieldError("current_password", "wrong_password")
	}
	hash, err := s.hashPassword(next)
	if err != nil {
		return nil, Session{}, err
	}
	var sess Session
	err = s.tx(ctx, func(tx *Tx) error {
		if err := setPassword(tx, u, hash, EvMemberPasswordChanged, a.ref(), MemberPayload{UserID: u.ID}); err != nil {
			return err
		}
		if err := clearAttempts(tx, key); err != nil {
			return err
		}
		var err error
		sess, err = startSession(tx, u.ID)
		return err
	})
	if err != nil {
		return nil, Session{}, err
	}
	return u, sess, nil
}

// setPassword stores a new hash for a user whose old hash is still u.PasswordHash (a concurrent
// change wins, this one fails), ends every session of the user and logs the change in each of the
// user's communities. The payload never holds the password or a code.
func setPassword(tx *Tx, u *User, hash string, eventType EventType, actor *uint64, payload any) error {
	res := tx.Model(&User{}).Where("id = ? AND password_hash = ? AND closed_at IS NULL", u.ID, u.PasswordHash).
		Update("password_hash", hash)
	if res.Error != nil {
		return fmt.Errorf("set password of user %d: %w", u.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return Errorf(ECONFLICT, "password_changed_meanwhile")
	}
	u.PasswordHash = hash
	if err := revokeSessions(tx, u.ID, ""); err != nil {
		return err
	}
	var cids []uint64
	if err := tx.Model(&Membership{}).Where("user_id = ?", u.ID).Order("community_id").Pluck("community_id", &cids).Error; err != nil {
		return fmt.Errorf("list communities of user %d: %w", u.ID, err)
	}
	for _, cid := range cids {
		if _, err := tx.AppendEvent(EventInput{CommunityID: cid, Type: eventType, SubjectType: "user",
			SubjectID: u.ID, Actor: actor, Visibility: VisCommittee, Payload: payload}); err != nil {
			return err
		}
	}
	return nil
}
