package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Organization kinds: the bodies that carry out action items beside people.
var OrganizationKinds = []string{"property", "owners_committee", "self_governance", "district_department", "work_unit", "social_org"}

// Organization is a property company, owners' committee, department or other body of a community.
type Organization struct {
	ID          uint64    `gorm:"primaryKey" json:"id"`
	CommunityID uint64    `json:"community_id"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	CreatedAt   time.Time `json:"created_at"`
}

// TableName pins the table.
func (Organization) TableName() string { return "organizations" }

// CreateOrganization adds an organization to a community; admins only.
func (s *Store) CreateOrganization(ctx context.Context, a Actor, communityID uint64, name, kind string) (*Organization, error) {
	if !slices.Contains(OrganizationKinds, kind) {
		return nil, FieldError("kind", "unknown_kind")
	}
	o := &Organization{CommunityID: communityID, Name: strings.TrimSpace(name), Kind: kind}
	err := s.tx(ctx, func(tx *Tx) error {
		if _, err := tx.writeAccess(a, communityID, RoleAdmin); err != nil {
			return err
		}
		if err := tx.Create(o).Error; err != nil {
			if isDuplicate(err) {
				return FieldError("name", "organization_exists")
			}
			return fmt.Errorf("create organization: %w", err)
		}
		_, err := tx.AppendEvent(EventInput{CommunityID: communityID, Type: EvOrganizationCreated,
			SubjectType: "organization", SubjectID: o.ID, Actor: a.ref(), Visibility: VisPublic,
			Payload: OrganizationCreatedPayload{Name: o.Name, Kind: o.Kind}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// ListOrganizations lists a community's organizations to its members.
func (s *Store) ListOrganizations(ctx context.Context, a Actor, communityID uint64) ([]Organization, error) {
	if _, err := s.readAccess(ctx, a, communityID); err != nil {
		return nil, err
	}
	var out []Organization
	if err := s.rdb(ctx).Where("community_id = ?", communityID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list organizations: %w", err)
	}
	return out, nil
}
