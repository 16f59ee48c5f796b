package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// InvitationTTL is how long an invitation waits for its answer.
const InvitationTTL = 14 * 24 * time.Hour

// Invitation states.
const (
	InvitationPending  = "pending"
	InvitationAccepted = "accepted"
	InvitationDeclined = "declined"
)

// memberInvitation is a community admin's offer of membership to the account of a phone number
// (docs/invitations.md). Name and phone are what the admin typed; the account's own name is never
// shown to the admin.
type memberInvitation struct {
	ID          uint64 `gorm:"primaryKey"`
	CommunityID uint64
	UserID      uint64
	Name        string
	Phone       string
	Roles       string // sorted, comma-separated
	CompoundID  *uint64
	HouseholdID *uint64
	Verify      bool
	InvitedBy   uint64
	Status      string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	DecidedAt   *time.Time
}

func (memberInvitation) TableName() string { return "member_invitations" }

// Invitation is an invitation as the inviting admin and the invited person see it: what the admin
// typed and offered, nothing of the account it reached.
type Invitation struct {
	ID            uint64    `json:"id"`
	CommunityID   uint64    `json:"community_id"`
	CommunityName string    `json:"community_name"`
	Name          string    `json:"name"`
	Phone         string    `json:"phone"`
	Roles         []string  `gorm:"-" json:"roles"`
	RolesText     string    `json:"-"`
	CompoundID    *uint64   `json:"compound_id"`
	CompoundName  string    `json:"compound_name"`
	HouseholdID   *uint64   `json:"household_id"`
	BuildingName  string    `json:"building_name"`
	HouseholdRoom string    `json:"household_room"`
	Verified      bool      `json:"verified"`
	InvitedByName string    `json:"invited_by_name"`
	Status        string    `json:"status"`
	CreatedAt     time.Time `json:"created_at"`
	ExpiresAt     time.Time `json:"expires_at"`
}

func invitationViews(q *gorm.DB) ([]Invitation, error) {
	var out []Invitation
	err := q.Table("member_invitations").Select(`member_invitations.id, member_invitations.community_id,
		communities.name AS community_name, member_invitations.name, member_invitations.phone,
		member_invitations.roles AS roles_text, member_invitations.compound_id, COALESCE(compounds.name, '') AS compound_name,
		member_invitations.household_id, COALESCE(buildings.name, '') AS building_name,
		COALESCE(households.room, '') AS household_room, member_invitations.verify AS verified,
		COALESCE(inviter.name, '') AS invited_by_name, member_invitations.status, member_invitations.created_at,
		member_invitations.expires_at`).
		Joins("JOIN communities ON communities.id = member_invitations.community_id").
		Joins("LEFT JOIN users inviter ON inviter.id = member_invitations.invited_by").
		Joins("LEFT JOIN compounds ON compounds.id = member_invitations.compound_id").
		Joins("LEFT JOIN households ON households.id = member_invitations.household_id").
		Joins("LEFT JOIN buildings ON buildings.id = households.building_id").
		Order("member_invitations.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	if out == nil {
		out = []Invitation{}
	}
	for i := range out {
		out[i].Roles = strings.Split(out[i].RolesText, ",")
	}
	return out, nil
}

// checkRoles normalizes the offered roles and refuses unknown ones.
func checkRoles(in []string) ([]string, error) {
	roles := normSet(in)
	if len(roles) == 0 {
		return nil, FieldError("roles", "required")
	}
	for _, r := range roles {
		if !ValidRole(r) {
			return nil, FieldError("roles", "unknown_role")
		}
	}
	return roles, nil
}

// InviteMember is a community admin adding a person by phone: it never joins an account to the
// community by itself, but leaves an invitation the account's holder accepts or declines. The
// answer is the same whether the phone had an account or not, so it reveals nothing about it:
// a phone without an account gets one, with the name and initial password the admin typed (so
// the password is always required, and always hashed, which also keeps both cases equally
// slow); an existing account keeps its own name and password.
func (s *Store) InviteMember(ctx context.Context, a Actor, communityID uint64, in AddMemberInput) (*Invitation, error) {
	roles, err := checkRoles(in.Roles)
	if err != nil {
		return nil, err
	}
	if in.Password == "" {
		return nil, FieldError("password", "initial_password_required")
	}
	hash, err := s.hashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	var id uint64
	err = s.tx(ctx, func(tx *Tx) error {
		if _, err := tx.writeAccess(a, communityID, RoleAdmin); err != nil {
			return err
		}
		compoundID, householdID, err := checkHome(tx.DB, communityID, in.CompoundID, in.HouseholdID)
		if err != nil {
			return err
		}
		name := strings.TrimSpace(in.Name)
		var u User
		err = tx.forUpdate().Where("phone = ? AND closed_at IS NULL", in.Phone).Take(&u).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			u = User{Phone: in.Phone, Name: name, PasswordHash: hash, Locale: "zh-CN"}
			if err := tx.Create(&u).Error; err != nil {
				return fmt.Errorf("create user: %w", err)
			}
		case err != nil:
			return err
		default:
			var n int64
			if err := tx.Model(&Membership{}).Where("user_id = ? AND community_id = ?", u.ID, communityID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				// Only a member of the admin's own community, whom the admin can list anyway.
				return FieldError("phone", "already_member")
			}
		}
		now := tx.Now()
		inv := memberInvitation{CommunityID: communityID, UserID: u.ID, Name: name, Phone: in.Phone,
			Roles: strings.Join(roles, ","), CompoundID: compoundID, HouseholdID: householdID, Verify: in.Verified == nil || *in.Verified,
			InvitedBy: a.UserID, Status: InvitationPending, CreatedAt: now, ExpiresAt: now.Add(InvitationTTL)}
		var old memberInvitation
		err = tx.forUpdate().Where("community_id = ? AND user_id = ?", communityID, u.ID).Take(&old).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			if err := tx.Create(&inv).Error; err != nil {
				return fmt.Errorf("create invitation: %w", err)
			}
		case err != nil:
			return err
		default:
			// Asked again: the new offer replaces the old one, whatever its answer was.
			inv.ID = old.ID
			if err := tx.Model(&old).Select("*").Omit("id").Updates(&inv).Error; err != nil {
				return fmt.Errorf("renew invitation: %w", err)
			}
		}
		id = inv.ID
		_, err = tx.AppendEvent(EventInput{CommunityID: communityID, Type: EvMemberInvited, SubjectType: "invitation",
			SubjectID: inv.ID, Actor: a.ref(), Visibility: VisCommittee,
			Payload: MemberInvitedPayload{InvitationID: inv.ID, Roles: roles, CompoundID: compoundID,
				HouseholdID: householdID, Verified: inv.Verify}})
		return err
	})
	if err != nil {
		return nil, err
	}
	views, err := invitationViews(s.rdb(ctx).Where("member_invitations.id = ?", id))
	if err != nil || len(views) == 0 {
		return nil, fmt.Errorf("read invitation %d: %w", id, err)
	}
	return &views[0], nil
}

// MyInvitations lists the caller's invitations still waiting for an answer.
func (s *Store) MyInvitations(ctx context.Context, a Actor) ([]Invitation, error) {
	return invitationViews(s.rdb(ctx).Where("member_invitations.user_id = ? AND member_invitations.status = ? AND member_invitations.expires_at > ?",
		a.UserID, InvitationPending, s.now()))
}

// openInvitation locks the caller's invitation and checks it still waits for an answer. Another
// person's invitation is not found.
func openInvitation(tx *Tx, a Actor, id uint64) (*memberInvitation, error) {
	var inv memberInvitation
	if err := tx.forUpdate().Where("id = ? AND user_id = ?", id, a.UserID).Take(&inv).Error; err != nil {
		return nil, notFound(err)
	}
	if inv.Status != InvitationPending || !tx.Now().Before(inv.ExpiresAt) {
		return nil, Errorf(ECONFLICT, "invitation_closed")
	}
	return &inv, nil
}

// AcceptInvitation makes the caller a member with the offered roles and home. The membership is
// verified, in the inviting admin's name, when the admin vouched for the person's identity; the
// offer holds only while its admin still is one.
func (s *Store) AcceptInvitation(ctx context.Context, a Actor, id uint64) (*MemberView, error) {
	var view *MemberView
	err := s.tx(ctx, func(tx *Tx) error {
		inv, err := openInvitation(tx, a, id)
		if err != nil {
			return err
		}
		var inviter User
		if err := tx.Where("closed_at IS NULL").Take(&inviter, inv.InvitedBy).Error; err != nil {
			return Errorf(ECONFLICT, "invitation_withdrawn")
		}
		acc, err := access(tx.DB, inviter.Actor(), inv.CommunityID)
		if err != nil || !acc.Has(RoleAdmin) {
			return Errorf(ECONFLICT, "invitation_withdrawn")
		}
		now := tx.Now()
		m := &Membership{UserID: a.UserID, CommunityID: inv.CommunityID, CompoundID: inv.CompoundID, HouseholdID: inv.HouseholdID}
		if inv.Verify {
			m.VerifiedAt, m.VerifiedBy = &now, &inv.InvitedBy
		}
		if err := tx.Create(m).Error; err != nil {
			if isDuplicate(err) {
				return Errorf(ECONFLICT, "already_member")
			}
			return fmt.Errorf("create membership: %w", err)
		}
		roles := strings.Split(inv.Roles, ",")
		if err := setRoles(tx, m.ID, nil, roles); err != nil {
			return err
		}
		if err := tx.Model(inv).Updates(map[string]any{"status": InvitationAccepted, "decided_at": now}).Error; err != nil {
			return fmt.Errorf("accept invitation: %w", err)
		}
		if _, err := tx.AppendEvent(EventInput{CommunityID: inv.CommunityID, Type: EvMemberAdded, SubjectType: "user",
			SubjectID: a.UserID, Actor: a.ref(), Visibility: VisCommittee,
			Payload: MemberAddedPayload{UserID: a.UserID, Roles: roles, CompoundID: inv.CompoundID,
				HouseholdID: inv.HouseholdID, InvitationID: &inv.ID, Verified: &inv.Verify}}); err != nil {
			return err
		}
		views, err := memberViews(tx.DB.Where("memberships.id = ?", m.ID), true, true)
		if err != nil {
			return err
		}
		view = &views[0]
		return nil
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

// DeclineInvitation records the caller's no; the admin may ask again later.
func (s *Store) DeclineInvitation(ctx context.Context, a Actor, id uint64) error {
	return s.tx(ctx, func(tx *Tx) error {
		inv, err := openInvitation(tx, a, id)
		if err != nil {
			return err
		}
		if err := tx.Model(inv).Updates(map[string]any{"status": InvitationDeclined, "decided_at": tx.Now()}).Error; err != nil {
			return fmt.Errorf("decline invitation: %w", err)
		}
		// No actor: the declining account's id would tell the admin whether it existed before.
		_, err = tx.AppendEvent(EventInput{CommunityID: inv.CommunityID, Type: EvMemberInvitationDeclined,
			SubjectType: "invitation", SubjectID: inv.ID, Visibility: VisCommittee,
			Payload: InvitationPayload{InvitationID: inv.ID}})
		return err
	})
}
