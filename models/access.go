package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Roles a membership can hold (docs/domain.md).
const (
	RoleResident    = "resident"
	RoleGridWorker  = "grid_worker"
	RoleFacilitator = "facilitator"
	RolePartyMember = "party_member"
	RoleCommittee   = "committee"
	RoleAdmin       = "admin"
)

// AllRoles in display order.
var AllRoles = []string{RoleResident, RoleGridWorker, RoleFacilitator, RolePartyMember, RoleCommittee, RoleAdmin}

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool { return slices.Contains(AllRoles, r) }

// Actor is who asks: the logged-in user. The zero Actor is nobody.
type Actor struct {
	UserID     uint64
	Superadmin bool
}

func (a Actor) ref() *uint64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}

// Access is what an actor may do in one community.
type Access struct {
	CommunityID  uint64
	MembershipID uint64 // 0 for a superadmin without a membership
	Roles        []string
	Verified     bool
	Superadmin   bool
	// UserName is the member's name, for responses that show the actor as author.
	UserName string
}

// Has reports whether the access holds one of the roles; a street-level superadmin holds them all.
func (acc *Access) Has(roles ...string) bool {
	if acc.Superadmin {
		return true
	}
	for _, r := range roles {
		if slices.Contains(acc.Roles, r) {
			return true
		}
	}
	return false
}

// requireVerified lets a verified member act for themselves; staff, who type in what residents
// said offline, may act before their own verification.
func (acc *Access) requireVerified() error {
	if acc.Verified || acc.Has(staffRoles...) {
		return nil
	}
	return Errorf(EFORBIDDEN, "not_verified")
}

// require fails with EFORBIDDEN unless the access holds one of the roles.
func (acc *Access) require(roles ...string) error {
	if len(roles) == 0 || acc.Has(roles...) {
		return nil
	}
	return errForbidden
}

// access resolves the actor's membership and roles in a community, in one query. A user who is
// not a member gets ENOTFOUND, so that ids of other communities' objects reveal nothing.
func access(db *gorm.DB, a Actor, communityID uint64) (*Access, error) {
	if a.UserID == 0 {
		return nil, Errorf(EUNAUTHORIZED, "login_required")
	}
	acc := &Access{CommunityID: communityID, Superadmin: a.Superadmin}
	var row struct {
		ID         uint64
		VerifiedAt *time.Time
		UserName   string
		Roles      *string
	}
	err := db.Table("memberships").Select(`memberships.id, memberships.verified_at, users.name AS user_name,
		(SELECT GROUP_CONCAT(r.role) FROM member_roles r WHERE r.membership_id = memberships.id) AS roles`).
		Joins("JOIN users ON users.id = memberships.user_id").
		Where("memberships.user_id = ? AND memberships.community_id = ?", a.UserID, communityID).Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		if !a.Superadmin {
			return nil, errNotFound
		}
		var n int64
		if err := db.Model(&Community{}).Where("id = ?", communityID).Count(&n).Error; err != nil {
			return nil, fmt.Errorf("find community %d: %w", communityID, err)
		}
		if n == 0 {
			return nil, errNotFound
		}
		return acc, nil
	case err != nil:
		return nil, fmt.Errorf("find membership: %w", err)
	}
	acc.MembershipID = row.ID
	acc.Verified = row.VerifiedAt != nil
	acc.UserName = row.UserName
	if row.Roles != nil && *row.Roles != "" {
		acc.Roles = strings.Split(*row.Roles, ",")
		sort.Strings(acc.Roles)
	}
	return acc, nil
}

// readAccess resolves access outside a transaction and requires one of the roles.
func (s *Store) readAccess(ctx context.Context, a Actor, communityID uint64, roles ...string) (*Access, error) {
	acc, err := access(s.rdb(ctx), a, communityID)
	if err != nil {
		return nil, err
	}
	return acc, acc.require(roles...)
}

// writeAccess resolves access inside a transaction and requires one of the roles.
func (tx *Tx) writeAccess(a Actor, communityID uint64, roles ...string) (*Access, error) {
	acc, err := access(tx.DB, a, communityID)
	if err != nil {
		return nil, err
	}
	return acc, acc.require(roles...)
}

// Access returns the actor's access in a community, for handlers that shape a response by role.
func (s *Store) Access(ctx context.Context, a Actor, communityID uint64) (*Access, error) {
	return access(s.rdb(ctx), a, communityID)
}
