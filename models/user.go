package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// PrivacyVersion names the privacy notice that registration asks consent to.
const PrivacyVersion = "2026-11"

// User is a person who can log in; the phone number is the login.
type User struct {
	ID               uint64     `gorm:"primaryKey" json:"id"`
	Phone            string     `json:"phone"`
	Name             string     `json:"name"`
	PasswordHash     string     `json:"-"`
	Locale           string     `json:"locale"`
	LargeText        bool       `json:"large_text"`
	IsSuperadmin     bool       `json:"is_superadmin"`
	PrivacyConsentAt *time.Time `json:"privacy_consent_at"`
	PrivacyVersion   string     `json:"privacy_version"`
	ClosedAt         *time.Time `json:"-"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// TableName pins the table.
func (User) TableName() string { return "users" }

// Actor is the user as the one who acts.
func (u *User) Actor() Actor { return Actor{UserID: u.ID, Superadmin: u.IsSuperadmin} }

// MaskPhone shows the first three and last four digits: 138****1234.
func MaskPhone(p string) string {
	if len(p) < 8 {
		return "****"
	}
	return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
}

// RegisterInput is a resident's self-registration.
type RegisterInput struct {
	Phone, Name, Password string
	CommunityID           uint64
	CompoundID            *uint64
	HouseholdID           *uint64
	PrivacyConsent        bool
	Locale                string
	// ClientAddr is the address the registration came from; when set, registrations are limited
	// per address (registerLimit an hour).
	ClientAddr string
}

// Register creates a user with an unverified resident membership; a grid worker or admin
// verifies it later (实名核验).
func (s *Store) Register(ctx context.Context, in RegisterInput) (*User, error) {
	u, _, err := s.register(ctx, in, false)
	return u, err
}

// RegisterSession registers like Register and starts the new resident's session in the same
// transaction: the account and the login exist together or not at all, and no login throttle can
// stand between them.
func (s *Store) RegisterSession(ctx context.Context, in RegisterInput) (*User, Session, error) {
	return s.register(ctx, in, true)
}

func (s *Store) register(ctx context.Context, in RegisterInput, withSession bool) (*User, Session, error) {
	if !in.PrivacyConsent {
		return nil, Session{}, FieldError("privacy_consent", "consent_required")
	}
	if in.ClientAddr != "" {
		rule := throttleRule{key: "register:" + in.ClientAddr, limit: registerLimit, window: registerWindow, lock: registerWindow}
		if err := s.reserveAttempt(ctx, "register_limited", []throttleRule{rule}); err != nil {
			return nil, Session{}, err
		}
	}
	if err := ValidatePassword("password", in.Password, in.Phone); err != nil {
		return nil, Session{}, err
	}
	hash, err := s.hashPassword(in.Password)
	if err != nil {
		return nil, Session{}, err
	}
	var sess Session
	var u *User
	err = s.tx(ctx, func(tx *Tx) error {
		// Made afresh on every run: a run that lost a lock race left its id in the old one.
		u = &User{Phone: in.Phone, Name: strings.TrimSpace(in.Name), PasswordHash: hash, Locale: normLocale(in.Locale),
			PrivacyVersion: PrivacyVersion}
		var c Community
		if err := tx.Take(&c, in.CommunityID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return FieldError("community_id", "community_not_found")
			}
			return err
		}
		compoundID, householdID, err := checkHome(tx.DB, in.CommunityID, in.CompoundID, in.HouseholdID)
		if err != nil {
			return err
		}
		now := tx.Now()
		u.PrivacyConsentAt = &now
		if err := tx.Create(u).Error; err != nil {
			if isDuplicate(err) {
				return FieldError("phone", "phone_taken")
			}
			return fmt.Errorf("create user: %w", err)
		}
		m := &Membership{UserID: u.ID, CommunityID: in.CommunityID, CompoundID: compoundID, HouseholdID: householdID}
		if err := tx.Create(m).Error; err != nil {
			return fmt.Errorf("create membership: %w", err)
		}
		if err := setRoles(tx, m.ID, nil, []string{RoleResident}); err != nil {
			return err
		}
		if _, err = tx.AppendEvent(EventInput{CommunityID: in.CommunityID, Type: EvMemberRegistered,
			SubjectType: "user", SubjectID: u.ID, Actor: &u.ID, Visibility: VisCommittee,
			Payload: MemberRegisteredPayload{UserID: u.ID, CompoundID: compoundID, HouseholdID: householdID,
				PrivacyVersion: PrivacyVersion}}); err != nil {
			return err
		}
		if !withSession {
			return nil
		}
		sess, err = startSession(tx, u.ID)
		return err
	})
	if err != nil {
		return nil, Session{}, err
	}
	return u, sess, nil
}

// checkHome makes sure a compound belongs to the community and a household to the compound; a
// household alone implies its compound.
func checkHome(db *gorm.DB, communityID uint64, compoundID, householdID *uint64) (*uint64, *uint64, error) {
	if householdID != nil {
		var h Household
		if err := db.Select("id", "compound_id").Take(&h, *householdID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil, nil, FieldError("household_id", "household_not_found")
			}
			return nil, nil, err
		}
		if compoundID != nil && *compoundID != h.CompoundID {
			return nil, nil, FieldError("household_id", "household_not_in_compound")
		}
		compoundID = &h.CompoundID
	}
	if compoundID != nil {
		var c Compound
		err := db.Select("id").Where("id = ? AND community_id = ?", *compoundID, communityID).Take(&c).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			if householdID != nil {
				return nil, nil, FieldError("household_id", "household_not_found")
			}
			return nil, nil, FieldError("compound_id", "compound_not_found")
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return compoundID, householdID, nil
}

func normLocale(l string) string {
	if strings.HasPrefix(strings.ToLower(l), "en") {
		return "en"
	}
	return "zh-CN"
}

// UserByID loads an open (not closed) account.
func (s *Store) UserByID(ctx context.Context, id uint64) (*User, error) {
	var u User
	if err := s.rdb(ctx).Where("closed_at IS NULL").Take(&u, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, Errorf(EUNAUTHORIZED, "login_required")
		}
		return nil, err
	}
	return &u, nil
}

// ProfilePatch changes the caller's own name and preferences.
type ProfilePatch struct {
	Name      *string
	Locale    *string
	LargeText *bool
}

// UpdateProfile changes the caller's name, language or elder mode (长辈版). Preferences are not
// community state, so they append no event; a name change does, in every community.
func (s *Store) UpdateProfile(ctx context.Context, a Actor, p ProfilePatch) (*User, error) {
	var u User
	err := s.tx(ctx, func(tx *Tx) error {
		if err := tx.Where("closed_at IS NULL").Take(&u, a.UserID).Error; err != nil {
			return Errorf(EUNAUTHORIZED, "login_required")
		}
		changes := map[string]any{}
		if p.Locale != nil {
			u.Locale = normLocale(*p.Locale)
			changes["locale"] = u.Locale
		}
		if p.LargeText != nil {
			u.LargeText = *p.LargeText
			changes["large_text"] = u.LargeText
		}
		renamed := p.Name != nil && strings.TrimSpace(*p.Name) != u.Name
		if renamed {
			u.Name = strings.TrimSpace(*p.Name)
			changes["name"] = u.Name
		}
		if len(changes) == 0 {
			return nil
		}
		if err := tx.Model(&u).Updates(changes).Error; err != nil {
			return fmt.Errorf("update profile: %w", err)
		}
		if !renamed {
			return nil
		}
		var cids []uint64
		if err := tx.Model(&Membership{}).Where("user_id = ?", u.ID).Order("community_id").Pluck("community_id", &cids).Error; err != nil {
			return err
		}
		for _, cid := range cids {
			if _, err := tx.AppendEvent(EventInput{CommunityID: cid, Type: EvMemberRenamed, SubjectType: "user",
				SubjectID: u.ID, Actor: a.ref(), Visibility: VisCommittee, Payload: MemberPayload{UserID: u.ID}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// Me is the caller with their memberships.
type Me struct {
	User        *User        `json:"user"`
	Memberships []MemberView `json:"memberships"`
}

// GetMe returns the caller and every community they belong to.
func (s *Store) GetMe(ctx context.Context, a Actor) (*Me, error) {
	u, err := s.UserByID(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	return s.MeOf(ctx, u)
}

// MeOf returns an already loaded user with their memberships.
func (s *Store) MeOf(ctx context.Context, u *User) (*Me, error) {
	views, err := memberViews(s.rdb(ctx).Where("memberships.user_id = ?", u.ID), true, true)
	if err != nil {
		return nil, err
	}
	return &Me{User: u, Memberships: views}, nil
}

// MyData is everything the product keeps about a person, for the PIPL download.
type MyData struct {
	ExportedAt  time.Time    `json:"exported_at"`
	User        *User        `json:"user"`
	Memberships []MemberView `json:"memberships"`
	Sessions    []SessionRef `json:"sessions"`
	Events      []Event      `json:"events"`
	// Records are what the cycles keep about the person (export.go).
	Records *MyRecords `json:"records"`
}

// SessionRef is a login session without its secret.
type SessionRef struct {
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// ExportMyData collects the caller's data: account, memberships, sessions, the log entries they
// caused and their records in the cycles (export.go).
func (s *Store) ExportMyData(ctx context.Context, a Actor) (*MyData, error) {
	me, err := s.GetMe(ctx, a)
	if err != nil {
		return nil, err
	}
	out := &MyData{ExportedAt: s.now(), User: me.User, Memberships: me.Memberships, Sessions: []SessionRef{}, Events: []Event{}}
	db := s.rdb(ctx)
	if err := db.Model(&refreshToken{}).Select("created_at", "expires_at", "revoked_at").
		Where("user_id = ?", a.UserID).Order("id").Find(&out.Sessions).Error; err != nil {
		return nil, fmt.Errorf("export sessions: %w", err)
	}
	if err := db.Where("actor_id = ?", a.UserID).Order("id").Limit(10000).Find(&out.Events).Error; err != nil {
		return nil, fmt.Errorf("export events: %w", err)
	}
	for i := range out.Events {
		out.Events[i].Data = []byte(out.Events[i].Payload)
	}
	if out.Records, err = exportRecords(db, a.UserID); err != nil {
		return nil, err
	}
	return out, nil
}

// CloseAccount closes the caller's account after checking the password: the name and phone are
// erased, sessions revoked and memberships ended. Log entries stay (they hold ids, not names).
func (s *Store) CloseAccount(ctx context.Context, a Actor, password string) error {
	u, err := s.UserByID(ctx, a.UserID)
	if err != nil {
		return err
	}
	if !CheckPassword(u.PasswordHash, password) {
		return FieldError("password", "wrong_password")
	}
	return s.tx(ctx, func(tx *Tx) error {
		var ms []Membership
		if err := tx.Where("user_id = ?", u.ID).Order("community_id").Find(&ms).Error; err != nil {
			return err
		}
		for _, m := range ms {
			if err := lastAdminGuard(tx, m, nil); err != nil {
				return err
			}
			if err := tx.Where("membership_id = ?", m.ID).Delete(&memberRole{}).Error; err != nil {
				return err
			}
			if err := tx.Where("membership_id = ?", m.ID).Delete(&memberSkill{}).Error; err != nil {
				return err
			}
			if err := tx.Delete(&m).Error; err != nil {
				return fmt.Errorf("end membership %d: %w", m.ID, err)
			}
			if _, err := tx.AppendEvent(EventInput{CommunityID: m.CommunityID, Type: EvMemberLeft,
				SubjectType: "user", SubjectID: u.ID, Actor: a.ref(), Visibility: VisCommittee,
				Payload: MemberLeftPayload{UserID: u.ID, Reason: LeftAccountClosed}}); err != nil {
				return err
			}
		}
		if err := revokeSessions(tx, u.ID, ""); err != nil {
			return err
		}
		return tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{
			"phone": fmt.Sprintf("closed-%d", u.ID), "name": "", "password_hash": "", "closed_at": tx.Now(),
		}).Error
	})
}

// AddUserInput is the command line's `user add`.
type AddUserInput struct {
	Phone, Name, Password, Role string
	CommunityID                 uint64
}

// AddUser creates an account from the command line: a street-level superadmin (Role
// "superadmin", no community) or a verified member of a community with one role.
func (s *Store) AddUser(ctx context.Context, in AddUserInput) (*User, error) {
	super := in.Role == "superadmin"
	if !super && !ValidRole(in.Role) {
		return nil, FieldError("role", "unknown_role")
	}
	if !super && in.CommunityID == 0 {
		return nil, FieldError("community", "required")
	}
	if err := ValidatePassword("password", in.Password, in.Phone); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	var u *User
	err = s.tx(ctx, func(tx *Tx) error {
		// Made afresh on every run: a run that lost a lock race left its id in the old one.
		u = &User{Phone: in.Phone, Name: strings.TrimSpace(in.Name), PasswordHash: hash, Locale: "zh-CN", IsSuperadmin: super}
		if err := tx.Create(u).Error; err != nil {
			if isDuplicate(err) {
				return FieldError("phone", "phone_taken")
			}
			return fmt.Errorf("create user: %w", err)
		}
		if super {
			return nil
		}
		var c Community
		if err := tx.Take(&c, in.CommunityID).Error; err != nil {
			return FieldError("community", "community_not_found")
		}
		now := tx.Now()
		m := &Membership{UserID: u.ID, CommunityID: c.ID, VerifiedAt: &now}
		if err := tx.Create(m).Error; err != nil {
			return fmt.Errorf("create membership: %w", err)
		}
		if err := setRoles(tx, m.ID, nil, []string{in.Role}); err != nil {
			return err
		}
		_, err := tx.AppendEvent(EventInput{CommunityID: c.ID, Type: EvMemberAdded, SubjectType: "user",
			SubjectID: u.ID, Visibility: VisCommittee,
			Payload: MemberAddedPayload{UserID: u.ID, Roles: []string{in.Role}, Via: "command_line"}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// CountSuperadmins tells a fresh install whether the operator still has to create one.
func (s *Store) CountSuperadmins(ctx context.Context) (int64, error) {
	var n int64
	err := s.rdb(ctx).Model(&User{}).Where("is_superadmin = ? AND closed_at IS NULL", true).Count(&n).Error
	return n, err
}
