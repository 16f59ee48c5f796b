package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Street 街道 is the level above the communities. A community belongs to the street whose name,
// district and city it names (docs/desk.md "The street observer").
type Street struct {
	ID        uint64    `gorm:"primaryKey" json:"id"`
	Name      string    `json:"name"`
	District  string    `json:"district"`
	City      string    `json:"city"`
	CreatedBy uint64    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	// Communities of the street, filled when it is read.
	Communities []StreetCommunity `gorm:"-" json:"communities"`
}

// TableName pins the table.
func (Street) TableName() string { return "streets" }

// StreetCommunity names one community of a street.
type StreetCommunity struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
}

// StreetObserver is a person who reads every community of a street and changes nothing.
type StreetObserver struct {
	StreetID  uint64    `gorm:"primaryKey;autoIncrement:false" json:"street_id"`
	UserID    uint64    `gorm:"primaryKey;autoIncrement:false" json:"user_id"`
	CreatedBy uint64    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// TableName pins the table.
func (StreetObserver) TableName() string { return "street_observers" }

// StreetInput creates a street.
type StreetInput struct{ Name, District, City string }

// CreateStreet records a street; only the street-level superadmin may.
func (s *Store) CreateStreet(ctx context.Context, a Actor, in StreetInput) (*Street, error) {
	if a.UserID == 0 {
		return nil, Errorf(EUNAUTHORIZED, "login_required")
	}
	if !a.Superadmin {
		return nil, errForbidden
	}
	st := &Street{Name: strings.TrimSpace(in.Name), District: strings.TrimSpace(in.District),
		City: strings.TrimSpace(in.City), CreatedBy: a.UserID}
	err := s.tx(ctx, func(tx *Tx) error {
		st.ID, st.CreatedAt = 0, tx.Now()
		if err := tx.Omit("Communities").Create(st).Error; err != nil {
			if isDuplicate(err) {
				return FieldError("name", "street_exists")
			}
			return fmt.Errorf("create street: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return st, s.fillStreetCommunities(s.rdb(ctx), st)
}

// StreetObserverInput names the user to make an observer: by id, or by the phone of an account.
type StreetObserverInput struct {
	UserID uint64
	Phone  string
}

// AddStreetObserver makes a user an observer of a street; only the superadmin may. Adding an
// observer twice is no error.
func (s *Store) AddStreetObserver(ctx context.Context, a Actor, streetID uint64, in StreetObserverInput) error {
	if err := superadminOnly(a); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *Tx) error {
		if err := streetExists(tx.DB, streetID); err != nil {
			return err
		}
		userID := in.UserID
		if userID == 0 {
			var u User
			if err := tx.Select("id").Where("phone = ? AND closed_at IS NULL", strings.TrimSpace(in.Phone)).Take(&u).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return FieldError("phone", "phone_without_account")
				}
				return fmt.Errorf("find user: %w", err)
			}
			userID = u.ID
		} else {
			var n int64
			if err := tx.Model(&User{}).Where("id = ?", userID).Count(&n).Error; err != nil {
				return fmt.Errorf("find user: %w", err)
			}
			if n == 0 {
				return FieldError("user_id", "user_not_found")
			}
		}
		o := StreetObserver{StreetID: streetID, UserID: userID, CreatedBy: a.UserID, CreatedAt: tx.Now()}
		if err := tx.Create(&o).Error; err != nil && !isDuplicate(err) {
			return fmt.Errorf("add street observer: %w", err)
		}
		return nil
	})
}

func superadminOnly(a Actor) error {
	if a.UserID == 0 {
		return Errorf(EUNAUTHORIZED, "login_required")
	}
	if !a.Superadmin {
		return errForbidden
	}
	return nil
}

func streetExists(db *gorm.DB, streetID uint64) error {
	var n int64
	if err := db.Model(&Street{}).Where("id = ?", streetID).Count(&n).Error; err != nil {
		return fmt.Errorf("find street: %w", err)
	}
	if n == 0 {
		return errNotFound
	}
	return nil
}

// StreetObserverView is an observer of a street as the superadmin's screen lists it.
type StreetObserverView struct {
	UserID    uint64    `json:"user_id"`
	Name      string    `json:"name"`
	Phone     string    `json:"phone"`
	CreatedAt time.Time `json:"created_at"`
}

// ListStreetObservers lists a street's observers; only the superadmin may.
func (s *Store) ListStreetObservers(ctx context.Context, a Actor, streetID uint64) ([]StreetObserverView, error) {
	if err := superadminOnly(a); err != nil {
		return nil, err
	}
	db := s.rdb(ctx)
	if err := streetExists(db, streetID); err != nil {
		return nil, err
	}
	out := []StreetObserverView{}
	if err := db.Table("street_observers o").Select("o.user_id, u.name, u.phone, o.created_at").
		Joins("JOIN users u ON u.id = o.user_id").Where("o.street_id = ?", streetID).
		Order("o.created_at, o.user_id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list street observers: %w", err)
	}
	return out, nil
}

// RemoveStreetObserver ends a user's reading of a street; only the superadmin may. Removing
// someone who is not an observer is no error.
func (s *Store) RemoveStreetObserver(ctx context.Context, a Actor, streetID, userID uint64) error {
	if err := superadminOnly(a); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *Tx) error {
		if err := streetExists(tx.DB, streetID); err != nil {
			return err
		}
		if err := tx.Where("street_id = ? AND user_id = ?", streetID, userID).Delete(&StreetObserver{}).Error; err != nil {
			return fmt.Errorf("remove street observer: %w", err)
		}
		return nil
	})
}

// AddStreetCommunity puts a community in a street: the community takes the street's name,
// district and city, which is what belonging to a street means (docs/desk.md "The street
// observer"). Only the superadmin may; the change is logged as any change of the community's place.
func (s *Store) AddStreetCommunity(ctx context.Context, a Actor, streetID, communityID uint64) (*Street, error) {
	if err := superadminOnly(a); err != nil {
		return nil, err
	}
	var st Street
	if err := s.rdb(ctx).Where("id = ?", streetID).Take(&st).Error; err != nil {
		return nil, notFound(err)
	}
	if _, err := s.UpdateCommunity(ctx, a, communityID, CommunityPatch{Street: &st.Name, District: &st.District, City: &st.City}); err != nil {
		return nil, err
	}
	return &st, s.fillStreetCommunities(s.rdb(ctx), &st)
}

// ListStreets lists the streets the actor reads: all of them for the superadmin, those it
// observes for an observer, none for anyone else.
func (s *Store) ListStreets(ctx context.Context, a Actor) ([]Street, error) {
	if a.UserID == 0 {
		return nil, Errorf(EUNAUTHORIZED, "login_required")
	}
	db := s.rdb(ctx)
	q := db.Model(&Street{}).Order("id")
	if !a.Superadmin {
		q = q.Where("id IN (SELECT street_id FROM street_observers WHERE user_id = ?)", a.UserID)
	}
	out := []Street{}
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list streets: %w", err)
	}
	for i := range out {
		if err := s.fillStreetCommunities(db, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) fillStreetCommunities(db *gorm.DB, st *Street) error {
	st.Communities = []StreetCommunity{}
	return db.Model(&Community{}).Select("id, name").
		Where("street = ? AND district = ? AND city = ?", st.Name, st.District, st.City).
		Order("id").Find(&st.Communities).Error
}

// streetAccess resolves a street the actor may read (superadmin or observer) and its communities.
// Anyone else gets ENOTFOUND, as for another tenant's objects.
func (s *Store) streetAccess(db *gorm.DB, a Actor, streetID uint64) (*Street, error) {
	if a.UserID == 0 {
		return nil, Errorf(EUNAUTHORIZED, "login_required")
	}
	var st Street
	if err := db.Where("id = ?", streetID).Take(&st).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, errNotFound
		}
		return nil, fmt.Errorf("find street: %w", err)
	}
	if !a.Superadmin {
		var n int64
		if err := db.Model(&StreetObserver{}).Where("street_id = ? AND user_id = ?", streetID, a.UserID).
			Count(&n).Error; err != nil {
			return nil, fmt.Errorf("find street observer: %w", err)
		}
		if n == 0 {
			return nil, errNotFound
		}
	}
	return &st, s.fillStreetCommunities(db, &st)
}

// deskAccess lets the committee, the admins, the superadmin and the observers of the community's
// street read a community's dashboard (docs/desk.md "Who reads the dashboard"). It never grants a
// membership: observers pass only here, so every write path still refuses them.
func (s *Store) deskAccess(db *gorm.DB, a Actor, communityID uint64) error {
	acc, err := access(db, a, communityID)
	switch {
	case err == nil:
		if acc.Has(RoleCommittee, RoleAdmin) {
			return nil
		}
		if observesCommunity(db, a.UserID, communityID) {
			return nil
		}
		return errForbidden
	case ErrorCode(err) == ENOTFOUND && a.UserID != 0:
		if observesCommunity(db, a.UserID, communityID) {
			return nil
		}
		return err
	default:
		return err
	}
}

// observesCommunity: the user observes the street the community belongs to.
func observesCommunity(db *gorm.DB, userID, communityID uint64) bool {
	var n int64
	err := db.Table("street_observers o").
		Joins("JOIN streets s ON s.id = o.street_id").
		Joins("JOIN communities c ON c.street = s.name AND c.district = s.district AND c.city = s.city").
		Where("o.user_id = ? AND c.id = ?", userID, communityID).Count(&n).Error
	return err == nil && n > 0
}
