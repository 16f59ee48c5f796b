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

// Membership ties a user to a community with a set of roles, a home and, for party members who
// report to the community (下沉党员), skills and a home work unit.
type Membership struct {
	ID             uint64     `gorm:"primaryKey"`
	UserID         uint64     ``
	CommunityID    uint64     ``
	CompoundID     *uint64    ``
	HouseholdID    *uint64    ``
	VerifiedAt     *time.Time ``
	VerifiedBy     *uint64    ``
	WorkUnit       string     ``
	OrganizationID *uint64    ``
	CreatedAt      time.Time  ``
	UpdatedAt      time.Time  ``
}

// TableName pins the table.
func (Membership) TableName() string { return "memberships" }

type memberRole struct {
	MembershipID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Role         string `gorm:"primaryKey"`
}

func (memberRole) TableName() string { return "member_roles" }

type memberSkill struct {
	MembershipID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Skill        string `gorm:"primaryKey"`
}

func (memberSkill) TableName() string { return "member_skills" }

// MemberView is a membership as the API shows it. What a viewer may not see stays empty: phone
// numbers are masked for everyone but admins; party membership, skills and work unit are shown
// only to roles that assign work (admin, facilitator, committee).
type MemberView struct {
	MembershipID     uint64     `json:"membership_id"`
	UserID           uint64     `json:"user_id"`
	CommunityID      uint64     `json:"community_id"`
	CommunityName    string     `json:"community_name"`
	Name             string     `json:"name"`
	Phone            string     `json:"phone"`
	Roles            []string   `gorm:"-" json:"roles"`
	Verified         bool       `gorm:"-" json:"verified"`
	VerifiedAt       *time.Time `json:"verified_at"`
	VerifiedByName   string     `json:"verified_by_name"`
	CompoundID       *uint64    `json:"compound_id"`
	CompoundName     string     `json:"compound_name"`
	HouseholdID      *uint64    `json:"household_id"`
	HouseholdRoom    string     `json:"household_room"`
	BuildingName     string     `json:"building_name"`
	Skills           []string   `gorm:"-" json:"skills"`
	WorkUnit         string     `json:"work_unit"`
	OrganizationID   *uint64    `json:"organization_id"`
	OrganizationName string     `json:"organization_name"`
	CreatedAt        time.Time  `json:"created_at"`
}

// memberViews runs the member query q (a where clause over memberships) and fills each view.
func memberViews(q *gorm.DB, fullPhone, sensitive bool) ([]MemberView, error) {
	var out []MemberView
	err := q.Table("memberships").Select(`memberships.id AS membership_id, memberships.user_id, memberships.community_id,
		communities.name AS community_name, users.name, users.phone, memberships.verified_at,
		COALESCE(verifier.name, '') AS verified_by_name, memberships.compound_id,
		COALESCE(compounds.name, '') AS compound_name, memberships.household_id,
		COALESCE(households.room, '') AS household_room, COALESCE(buildings.name, '') AS building_name,
		memberships.work_unit, memberships.organization_id, COALESCE(organizations.name, '') AS organization_name,
		memberships.created_at`).
		Joins("JOIN users ON users.id = memberships.user_id").
		Joins("JOIN communities ON communities.id = memberships.community_id").
		Joins("LEFT JOIN users verifier ON verifier.id = memberships.verified_by").
		Joins("LEFT JOIN compounds ON compounds.id = memberships.compound_id").
		Joins("LEFT JOIN households ON households.id = memberships.household_id").
		Joins("LEFT JOIN buildings ON buildings.id = households.building_id").
		Joins("LEFT JOIN organizations ON organizations.id = memberships.organization_id").
		Order("memberships.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	if len(out) == 0 {
		return []MemberView{}, nil
	}
	ids := make([]uint64, len(out))
	for i := range out {
		ids[i] = out[i].MembershipID
	}
	var roles []memberRole
	var skills []memberSkill
	db := q.Session(&gorm.Session{NewDB: true})
	if err := db.Where("membership_id IN ?", ids).Order("role").Find(&roles).Error; err != nil {
		return nil, fmt.Errorf("read roles: %w", err)
	}
	if err := db.Where("membership_id IN ?", ids).Order("skill").Find(&skills).Error; err != nil {
		return nil, fmt.Errorf("read skills: %w", err)
	}
	for i := range out {
		v := &out[i]
		v.Verified = v.VerifiedAt != nil
		v.Roles, v.Skills = []string{}, []string{}
		for _, r := range roles {
			if r.MembershipID == v.MembershipID && (sensitive || r.Role != RolePartyMember) {
				v.Roles = append(v.Roles, r.Role)
			}
		}
		if sensitive {
			for _, s := range skills {
				if s.MembershipID == v.MembershipID {
					v.Skills = append(v.Skills, s.Skill)
				}
			}
		} else {
			v.WorkUnit = ""
		}
		if !fullPhone {
			v.Phone = MaskPhone(v.Phone)
		}
	}
	return out, nil
}

// setRoles makes a membership's roles exactly roles. have are the roles it holds now, read with
// lockedSet (nil for a membership made in this transaction): only the roles no longer wanted are
// deleted, by their keys, and only the missing ones inserted. Clearing and inserting them all
// again would lock the gap after the membership's keys and deadlock with concurrent writes of
// the neighbouring membership (MySQL/MariaDB).
func setRoles(tx *Tx, membershipID uint64, have, roles []string) error {
	gone, missing := setDiff(have, roles)
	if len(gone) > 0 {
		if err := tx.Where("membership_id = ? AND role IN ?", membershipID, gone).Delete(&memberRole{}).Error; err != nil {
			return fmt.Errorf("revoke roles: %w", err)
		}
	}
	for _, r := range missing {
		if err := tx.Create(&memberRole{MembershipID: membershipID, Role: r}).Error; err != nil {
			return fmt.Errorf("grant %s: %w", r, err)
		}
	}
	return nil
}

// setSkills makes a membership's skills exactly skills, the way setRoles does.
func setSkills(tx *Tx, membershipID uint64, skills []string) error {
	have, err := lockedSet(tx, &memberSkill{}, "skill", membershipID)
	if err != nil {
		return err
	}
	gone, missing := setDiff(have, skills)
	if len(gone) > 0 {
		if err := tx.Where("membership_id = ? AND skill IN ?", membershipID, gone).Delete(&memberSkill{}).Error; err != nil {
			return fmt.Errorf("remove skills: %w", err)
		}
	}
	for _, s := range missing {
		if err := tx.Create(&memberSkill{MembershipID: membershipID, Skill: s}).Error; err != nil {
			// MySQL's collation takes "Cafe" and "café" for the same skill.
			if isDuplicate(err) {
				return FieldError("skills", "duplicate_skill")
			}
			return fmt.Errorf("add skill %s: %w", s, err)
		}
	}
	return nil
}

// lockedSet reads a membership's roles or skills (column col of model's table), sorted, locking
// the rows: a plain read on MySQL would see the transaction's first snapshot, which may predate
// a change committed by a concurrent request.
func lockedSet(tx *Tx, model any, col string, membershipID uint64) ([]string, error) {
	var out []string
	if err := tx.forUpdate().Model(model).Where("membership_id = ?", membershipID).Order(col).Pluck(col, &out).Error; err != nil {
		return nil, fmt.Errorf("read %ss: %w", col, err)
	}
	return out, nil
}

// setDiff returns what is in have but not in want, and what is in want but not in have.
func setDiff(have, want []string) (gone, missing []string) {
	for _, h := range have {
		if !slices.Contains(want, h) {
			gone = append(gone, h)
		}
	}
	for _, w := range want {
		if !slices.Contains(have, w) {
			missing = append(missing, w)
		}
	}
	return gone, missing
}

// normSet trims, drops empties and duplicates, and sorts.
func normSet(in []string) []string {
	out := []string{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// lastAdminGuard refuses to leave a community without an admin. newRoles nil means the
// membership ends. The admin rows are read with a lock: a plain read on MySQL sees the
// transaction's first snapshot, and two admins demoting each other at once would both pass.
func lastAdminGuard(tx *Tx, m Membership, newRoles []string) error {
	if newRoles != nil && slices.Contains(newRoles, RoleAdmin) {
		return nil
	}
	var members []uint64
	if err := tx.Model(&Membership{}).Where("community_id = ?", m.CommunityID).Order("id").Pluck("id", &members).Error; err != nil {
		return err
	}
	var admins []uint64
	if err := tx.forUpdate().Model(&memberRole{}).Where("role = ? AND membership_id IN ?", RoleAdmin, members).
		Order("membership_id").Pluck("membership_id", &admins).Error; err != nil {
		return err
	}
	if slices.Contains(admins, m.ID) && len(admins) <= 1 {
		return Errorf(ECONFLICT, "last_admin")
	}
	return nil
}

// MemberFilter narrows a member list.
type MemberFilter struct {
	Role     string
	Verified *bool
	Query    string
	After    uint64 // membership id cursor
	Limit    int
}

// ListMembers lists a community's members to staff: admins, grid workers, facilitators and the
// committee. It returns the page and the cursor of the next one (0 when there is none).
func (s *Store) ListMembers(ctx context.Context, a Actor, communityID uint64, f MemberFilter) ([]MemberView, uint64, error) {
	acc, err := s.readAccess(ctx, a, communityID, RoleAdmin, RoleGridWorker, RoleFacilitator, RoleCommittee)
	if err != nil {
		return nil, 0, err
	}
	sensitive := acc.Has(RoleAdmin, RoleFacilitator, RoleCommittee)
	if f.Role == RolePartyMember && !sensitive {
		return []MemberView{}, 0, nil
	}
	limit := clampLimit(f.Limit)
	db := s.rdb(ctx)
	q := db.Where("memberships.community_id = ? AND memberships.id > ?", communityID, f.After)
	if f.Role != "" {
		q = q.Where("EXISTS (SELECT 1 FROM member_roles r WHERE r.membership_id = memberships.id AND r.role = ?)", f.Role)
	}
	if f.Verified != nil {
		if *f.Verified {
			q = q.Where("memberships.verified_at IS NOT NULL")
		} else {
			q = q.Where("memberships.verified_at IS NULL")
		}
	}
	if qs := strings.TrimSpace(f.Query); qs != "" {
		// The escape character is '!': a backslash literal reads differently in MySQL and SQLite.
		like := "%" + strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(qs) + "%"
		if acc.Has(RoleAdmin) {
			q = q.Where(`(users.name LIKE ? ESCAPE '!' OR users.phone LIKE ? ESCAPE '!')`, like, like)
		} else {
			q = q.Where(`users.name LIKE ? ESCAPE '!'`, like)
		}
	}
	views, err := memberViews(q.Limit(limit+1), acc.Has(RoleAdmin), sensitive)
	if err != nil {
		return nil, 0, err
	}
	var next uint64
	if len(views) > limit {
		views = views[:limit]
		next = views[limit-1].MembershipID
	}
	return views, next, nil
}

// memberView loads one member of a community as the viewer may see it.
func memberView(db *gorm.DB, acc *Access, communityID, userID uint64) (*MemberView, error) {
	views, err := memberViews(db.Where("memberships.community_id = ? AND memberships.user_id = ?", communityID, userID),
		acc.Has(RoleAdmin), acc.Has(RoleAdmin, RoleFacilitator, RoleCommittee))
	if err != nil {
		return nil, err
	}
	if len(views) == 0 {
		return nil, errNotFound
	}
	return &views[0], nil
}

// AddMemberInput is an admin adding a person to the community. A person new to the product
// needs an initial password; an existing account (by phone) keeps its own. Verified nil means
// true: the admin has checked the person face to face.
type AddMemberInput struct {
	Phone, Name, Password string
	Roles                 []string
	CompoundID            *uint64
	HouseholdID           *uint64
	Verified              *bool
}

// AddMember adds a person to a community at once, verified, with roles. Only the street-level
// superadmin does this (the command line, the demo data and the UI of a superadmin): they see
// every community's members anyway. A community admin invites instead (InviteMember).
func (s *Store) AddMember(ctx context.Context, a Actor, communityID uint64, in AddMemberInput) (*MemberView, error) {
	if !a.Superadmin {
		return nil, errForbidden
	}
	roles, err := checkRoles(in.Roles)
	if err != nil {
		return nil, err
	}
	var hash string
	if in.Password != "" {
		if err := ValidatePassword("password", in.Password, in.Phone); err != nil {
			return nil, err
		}
		h, err := s.hashPassword(in.Password)
		if err != nil {
			return nil, err
		}
		hash = h
	}
	var view *MemberView
	err = s.tx(ctx, func(tx *Tx) error {
		acc, err := tx.writeAccess(a, communityID, RoleAdmin)
		if err != nil {
			return err
		}
		compoundID, householdID, err := checkHome(tx.DB, communityID, in.CompoundID, in.HouseholdID)
		if err != nil {
			return err
		}
		var u User
		err = tx.Where("phone = ? AND closed_at IS NULL", in.Phone).Take(&u).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			if hash == "" {
				return FieldError("password", "required_for_new_user")
			}
			u = User{Phone: in.Phone, Name: strings.TrimSpace(in.Name), PasswordHash: hash, Locale: "zh-CN"}
			if err := tx.Create(&u).Error; err != nil {
				if isDuplicate(err) {
					return FieldError("phone", "phone_taken")
				}
				return fmt.Errorf("create user: %w", err)
			}
		case err != nil:
			return err
		}
		now := tx.Now()
		m := &Membership{UserID: u.ID, CommunityID: communityID, CompoundID: compoundID, HouseholdID: householdID}
		if in.Verified == nil || *in.Verified {
			m.VerifiedAt, m.VerifiedBy = &now, a.ref()
		}
		if err := tx.Create(m).Error; err != nil {
			if isDuplicate(err) {
				return FieldError("phone", "already_member")
			}
			return fmt.Errorf("create membership: %w", err)
		}
		if err := setRoles(tx, m.ID, nil, roles); err != nil {
			return err
		}
		if _, err := tx.AppendEvent(EventInput{CommunityID: communityID, Type: EvMemberAdded, SubjectType: "user",
			SubjectID: u.ID, Actor: a.ref(), Visibility: VisCommittee,
			Payload: MemberAddedPayload{UserID: u.ID, Roles: roles, CompoundID: compoundID, HouseholdID: householdID}}); err != nil {
			return err
		}
		view, err = memberView(tx.DB, acc, communityID, u.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

// MemberPatch changes the fields that are set. For the optional links a pointer to 0 clears.
type MemberPatch struct {
	Roles          *[]string
	Verified       *bool
	Skills         *[]string
	WorkUnit       *string
	OrganizationID *uint64
	CompoundID     *uint64
	HouseholdID    *uint64
}

// UpdateMember changes a member. Admins change roles, skills, work unit and organization; admins
// and grid workers verify residents (实名核验) and set their home. Nobody verifies themselves.
func (s *Store) UpdateMember(ctx context.Context, a Actor, communityID, userID uint64, p MemberPatch) (*MemberView, error) {
	var view *MemberView
	err := s.tx(ctx, func(tx *Tx) error {
		need := []string{RoleAdmin, RoleGridWorker}
		if p.Roles != nil || p.Skills != nil || p.WorkUnit != nil || p.OrganizationID != nil {
			need = []string{RoleAdmin}
		}
		acc, err := tx.writeAccess(a, communityID, need...)
		if err != nil {
			return err
		}
		var m Membership
		if err := tx.forUpdate().Where("community_id = ? AND user_id = ?", communityID, userID).Take(&m).Error; err != nil {
			return notFound(err)
		}
		ev := func(typ EventType, payload any) error {
			_, err := tx.AppendEvent(EventInput{CommunityID: communityID, Type: typ, SubjectType: "user",
				SubjectID: userID, Actor: a.ref(), Visibility: VisCommittee, Payload: payload})
			return err
		}
		if p.Roles != nil {
			if err := s.changeRoles(tx, m, *p.Roles, ev); err != nil {
				return err
			}
		}
		if p.Verified != nil && *p.Verified != (m.VerifiedAt != nil) {
			if userID == a.UserID && !a.Superadmin {
				return FieldError("verified", "cannot_verify_self")
			}
			changes := map[string]any{"verified_at": nil, "verified_by": nil}
			typ := EvMemberUnverified
			if *p.Verified {
				now := tx.Now()
				changes = map[string]any{"verified_at": now, "verified_by": a.UserID}
				typ = EvMemberVerified
			}
			if err := tx.Model(&m).Updates(changes).Error; err != nil {
				return fmt.Errorf("verify member: %w", err)
			}
			if err := ev(typ, MemberPayload{UserID: userID}); err != nil {
				return err
			}
		}
		fields, err := s.changeDetails(tx, &m, p)
		if err != nil {
			return err
		}
		if len(fields) > 0 {
			if err := ev(EvMemberUpdated, MemberUpdatedPayload{Fields: fields, UserID: userID}); err != nil {
				return err
			}
		}
		view, err = memberView(tx.DB, acc, communityID, userID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

func (s *Store) changeRoles(tx *Tx, m Membership, want []string, ev func(EventType, any) error) error {
	roles := normSet(want)
	if len(roles) == 0 {
		return FieldError("roles", "required")
	}
	for _, r := range roles {
		if !ValidRole(r) {
			return FieldError("roles", "unknown_role")
		}
	}
	old, err := lockedSet(tx, &memberRole{}, "role", m.ID)
	if err != nil {
		return err
	}
	if slices.Equal(old, roles) {
		return nil
	}
	if err := lastAdminGuard(tx, m, roles); err != nil {
		return err
	}
	if err := setRoles(tx, m.ID, old, roles); err != nil {
		return err
	}
	removed, added := setDiff(old, roles)
	if added == nil {
		added = []string{}
	}
	if removed == nil {
		removed = []string{}
	}
	return ev(EvMemberRolesChanged, MemberRolesChangedPayload{Roles: roles, Added: added, Removed: removed, UserID: m.UserID})
}

// changeDetails applies skills, work unit, organization and home; it returns the names of the
// fields that changed.
func (s *Store) changeDetails(tx *Tx, m *Membership, p MemberPatch) ([]string, error) {
	var fields []string
	if p.Skills != nil {
		skills := normSet(*p.Skills)
		if err := setSkills(tx, m.ID, skills); err != nil {
			return nil, err
		}
		fields = append(fields, "skills")
	}
	changes := map[string]any{}
	if p.WorkUnit != nil && strings.TrimSpace(*p.WorkUnit) != m.WorkUnit {
		changes["work_unit"] = strings.TrimSpace(*p.WorkUnit)
	}
	if p.OrganizationID != nil {
		if *p.OrganizationID == 0 {
			changes["organization_id"] = nil
		} else {
			var o Organization
			if err := tx.Where("id = ? AND community_id = ?", *p.OrganizationID, m.CommunityID).Take(&o).Error; err != nil {
				return nil, FieldError("organization_id", "organization_not_found")
			}
			changes["organization_id"] = o.ID
		}
	}
	if p.CompoundID != nil || p.HouseholdID != nil {
		compoundID, householdID := m.CompoundID, m.HouseholdID
		if p.CompoundID != nil {
			compoundID, householdID = nilIfZero(*p.CompoundID), nil
		}
		if p.HouseholdID != nil {
			householdID = nilIfZero(*p.HouseholdID)
		}
		c, h, err := checkHome(tx.DB, m.CommunityID, compoundID, householdID)
		if err != nil {
			return nil, err
		}
		changes["compound_id"], changes["household_id"] = c, h
	}
	if len(changes) > 0 {
		if err := tx.Model(m).Updates(changes).Error; err != nil {
			return nil, fmt.Errorf("update member: %w", err)
		}
		for k := range changes {
			fields = append(fields, k)
		}
	}
	sort.Strings(fields)
	return fields, nil
}

func nilIfZero(v uint64) *uint64 {
	if v == 0 {
		return nil
	}
	return &v
}
