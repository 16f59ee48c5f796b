package models

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Community 社区 is the tenant: everything else belongs to one.
type Community struct {
	ID       uint64 `gorm:"primaryKey" json:"id"`
	Name     string `json:"name"`
	Street   string `json:"street"`
	District string `json:"district"`
	City     string `json:"city"`
	// PublicityDays is how long an adopted resolution is published for objections (0: none).
	PublicityDays int `json:"publicity_days"`
	// SatisfactionThreshold is the satisfaction rate, in percent, below which a resolution under
	// evaluation is flagged for reopening (docs/notifications.md "Survey and sign-off").
	SatisfactionThreshold int       `json:"satisfaction_threshold"`
	CreatedAt             time.Time `json:"created_at"`
	UpdatedAt             time.Time `json:"updated_at"`
}

// TableName pins the table.
func (Community) TableName() string { return "communities" }

// CommunityInput creates a community.
type CommunityInput struct {
	Name, Street, District, City string
}

// CommunityPatch changes the fields that are set.
type CommunityPatch struct {
	Name, Street, District, City *string
	// SatisfactionThreshold in percent, 0–100.
	SatisfactionThreshold *int
	// PublicityDays: the publicity period of resolutions, 0–90 days.
	PublicityDays *int
}

// CreateCommunity makes a new tenant; only a street-level superadmin may.
func (s *Store) CreateCommunity(ctx context.Context, a Actor, in CommunityInput) (*Community, error) {
	if a.UserID == 0 {
		return nil, Errorf(EUNAUTHORIZED, "login_required")
	}
	if !a.Superadmin {
		return nil, errForbidden
	}
	c := &Community{Name: strings.TrimSpace(in.Name), Street: strings.TrimSpace(in.Street),
		District: strings.TrimSpace(in.District), City: strings.TrimSpace(in.City), PublicityDays: DefaultPublicityDays}
	c.SatisfactionThreshold = DefaultSatisfactionThreshold
	err := s.tx(ctx, func(tx *Tx) error {
		if err := tx.Create(c).Error; err != nil {
			if isDuplicate(err) {
				return FieldError("name", "community_exists")
			}
			return fmt.Errorf("create community: %w", err)
		}
		_, err := tx.AppendEvent(EventInput{CommunityID: c.ID, Type: EvCommunityCreated,
			SubjectType: "community", SubjectID: c.ID, Actor: a.ref(), Visibility: VisMembers,
			Payload: CommunityCreatedPayload{Name: c.Name, Street: c.Street, District: c.District, City: c.City}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ListCommunities lists all communities to a superadmin and the caller's own to anyone else.
func (s *Store) ListCommunities(ctx context.Context, a Actor) ([]Community, error) {
	if a.UserID == 0 {
		return nil, Errorf(EUNAUTHORIZED, "login_required")
	}
	q := s.rdb(ctx).Model(&Community{}).Order("communities.id")
	if !a.Superadmin {
		q = q.Where("id IN (?)", s.rdb(ctx).Model(&Membership{}).Select("community_id").Where("user_id = ?", a.UserID))
	}
	var out []Community
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list communities: %w", err)
	}
	return out, nil
}

// PublicCommunities lists every community for the registration form; a community's name and
// place are public.
func (s *Store) PublicCommunities(ctx context.Context) ([]Community, error) {
	var out []Community
	if err := s.rdb(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list communities: %w", err)
	}
	return out, nil
}

// GetCommunity returns one community to its members.
func (s *Store) GetCommunity(ctx context.Context, a Actor, id uint64) (*Community, error) {
	if _, err := s.readAccess(ctx, a, id); err != nil {
		return nil, err
	}
	var c Community
	if err := s.rdb(ctx).Take(&c, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// UpdateCommunity changes a community's name or place; admins only.
func (s *Store) UpdateCommunity(ctx context.Context, a Actor, id uint64, p CommunityPatch) (*Community, error) {
	var c Community
	err := s.tx(ctx, func(tx *Tx) error {
		if _, err := tx.writeAccess(a, id, RoleAdmin); err != nil {
			return err
		}
		if err := tx.Take(&c, id).Error; err != nil {
			return notFound(err)
		}
		changed := map[string]any{}
		var payload CommunityUpdatedPayload
		set := func(col string, dst *string, v *string, logged **string) {
			if v != nil && strings.TrimSpace(*v) != *dst {
				*dst = strings.TrimSpace(*v)
				changed[col] = *dst
				*logged = dst
			}
		}
		set("name", &c.Name, p.Name, &payload.Name)
		set("street", &c.Street, p.Street, &payload.Street)
		set("district", &c.District, p.District, &payload.District)
		set("city", &c.City, p.City, &payload.City)
		if t := p.SatisfactionThreshold; t != nil && *t != c.SatisfactionThreshold {
			if *t < 0 || *t > 100 {
				return FieldError("satisfaction_threshold", "percent_range")
			}
			c.SatisfactionThreshold = *t
			changed["satisfaction_threshold"] = *t
			payload.SatisfactionThreshold = ptr(*t)
		}
		if p.PublicityDays != nil && *p.PublicityDays != c.PublicityDays {
			if *p.PublicityDays < 0 || *p.PublicityDays > MaxPublicityDays {
				return FieldError("publicity_days", "publicity_days_range")
			}
			c.PublicityDays = *p.PublicityDays
			changed["publicity_days"] = c.PublicityDays
			payload.PublicityDays = ptr(c.PublicityDays)
		}
		if len(changed) == 0 {
			return nil
		}
		if err := tx.Model(&c).Updates(changed).Error; err != nil {
			if isDuplicate(err) {
				return FieldError("name", "community_exists")
			}
			return fmt.Errorf("update community %d: %w", id, err)
		}
		_, err := tx.AppendEvent(EventInput{CommunityID: id, Type: EvCommunityUpdated,
			SubjectType: "community", SubjectID: id, Actor: a.ref(), Payload: payload})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}
