package models

// The record of backups (docs/operations.md "Scheduled backups"); the lease that picks the
// instance taking them is a job lease (lease.go).

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// BackupRun is one backup taken, by the schedule or by `yueyuetan backup`.
type BackupRun struct {
	ID         uint64    `json:"-"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	File       string    `json:"file"`
	Size       int64     `json:"size"`
	OK         bool      `json:"ok" gorm:"column:ok"`
	Error      string    `json:"error,omitempty"`
	Holder     string    `json:"-"`
}

func (BackupRun) TableName() string { return "backup_runs" }

// RecordBackup keeps the record of a backup taken (or failed).
func (s *Store) RecordBackup(ctx context.Context, run *BackupRun) error {
	if len(run.Error) > 500 {
		run.Error = run.Error[:500]
	}
	return s.write.WithContext(ctx).Create(run).Error
}

// LastBackups returns the newest backup that worked and the newest attempt, either nil when
// there is none.
func (s *Store) LastBackups(ctx context.Context) (ok, last *BackupRun, err error) {
	var runs []BackupRun
	if err := s.rdb(ctx).Where("ok = ?", true).Order("started_at DESC, id DESC").Limit(1).Find(&runs).Error; err != nil {
		return nil, nil, err
	}
	if len(runs) == 1 {
		ok = &runs[0]
	}
	var tries []BackupRun
	if err := s.rdb(ctx).Order("started_at DESC, id DESC").Limit(1).Find(&tries).Error; err != nil {
		return nil, nil, err
	}
	if len(tries) == 1 {
		last = &tries[0]
	}
	return ok, last, nil
}

// CanSeeOperations reports whether the actor may read the server's operations status (the
// backups): the street-level superadmin and the admins of any community.
func (s *Store) CanSeeOperations(ctx context.Context, a Actor) error {
	if a.Superadmin {
		return nil
	}
	if a.UserID == 0 {
		return Errorf(EUNAUTHORIZED, "login_required")
	}
	var n int64
	err := s.rdb(ctx).Table("member_roles").Joins("JOIN memberships m ON m.id = member_roles.membership_id").
		Where("m.user_id = ? AND member_roles.role = ?", a.UserID, RoleAdmin).Count(&n).Error
	if err != nil {
		return err
	}
	if n == 0 {
		return errForbidden
	}
	return nil
}

// SnapshotSQLite writes a consistent copy of the SQLite database to path (which must not exist)
// with VACUUM INTO, on a connection of its own: VACUUM INTO reads in one read transaction, so
// writers go on meanwhile and the copy is the database as of one moment. (The read pool's
// connections are query-only, which VACUUM INTO refuses.)
func (s *Store) SnapshotSQLite(ctx context.Context, path string) error {
	if s.dialect != DialectSQLite {
		return fmt.Errorf("snapshot: not an SQLite database")
	}
	db, err := sql.Open("sqlite", sqliteDSN(s.sqlitePath, false))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "VACUUM INTO ?", path)
	return err
}
