package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gorm.io/gorm"

	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
)

// Target is where a restore goes: the database (as YYT_DB names it) and the data folder.
type Target struct {
	DSN     string
	DataDir string
	// Force overwrites a database or files folder that is not empty.
	Force bool
}

// ErrNotEmpty refuses to restore over a database or files folder in use.
var ErrNotEmpty = errors.New("restore: the target is not empty")

// fileEntry is an uploaded file's name in an archive: files/ab/<62 hex digits>.
var fileEntry = regexp.MustCompile(`^files/[0-9a-f]{2}/[0-9a-f]{62}$`)

// sqlitePath is the file a "sqlite:…" DSN names, as models.Open finds it.
func sqlitePath(dsn, dataDir string) string {
	p := strings.TrimPrefix(dsn, "sqlite:")
	if p == "" {
		p = filepath.Join(dataDir, "yueyuetan.db")
	}
	return p
}

// Restore reads an archive made by Take into the target: an empty database and data folder, or
// any with Force. It returns the archive's manifest.
func Restore(ctx context.Context, archive string, t Target) (Manifest, error) {
	var m Manifest
	f, err := os.Open(archive)
	if err != nil {
		return m, fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return m, fmt.Errorf("restore: %s is not a backup archive: %w", archive, err)
	}
	tr := tar.NewReader(gz)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != manifestName {
		return m, fmt.Errorf("restore: %s is not a backup archive (no manifest first)", archive)
	}
	if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil {
		return m, fmt.Errorf("restore: read the manifest: %w", err)
	}
	if m.Format != Format {
		return m, fmt.Errorf("restore: archive format %d, this binary reads format %d", m.Format, Format)
	}
	mysqlTarget := strings.HasPrefix(t.DSN, "mysql://")
	if (m.Dialect == models.DialectMySQL) != mysqlTarget {
		return m, fmt.Errorf("restore: the archive holds a %s database and the target is %s; restore into the same kind of database", m.Dialect, redact(t.DSN))
	}
	filesDir := filepath.Join(t.DataDir, "files")
	if err := checkEmpty(t, filesDir); err != nil {
		return m, err
	}
	if err := os.MkdirAll(filesDir, 0o750); err != nil {
		return m, err
	}
	sawDB := false
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return m, fmt.Errorf("restore: read the archive: %w", err)
		}
		switch {
		case hdr.Name == sqliteName && m.Dialect == models.DialectSQLite:
			sawDB = true
			if err := restoreSQLite(ctx, tr, sqlitePath(t.DSN, t.DataDir)); err != nil {
				return m, err
			}
		case hdr.Name == mysqlName && m.Dialect == models.DialectMySQL:
			sawDB = true
			if err := restoreMySQL(ctx, tr, t); err != nil {
				return m, err
			}
		case fileEntry.MatchString(hdr.Name):
			dst := filepath.Join(filesDir, filepath.FromSlash(strings.TrimPrefix(hdr.Name, filesPrefix)))
			if err := writeFile(tr, dst); err != nil {
				return m, err
			}
		default:
			return m, fmt.Errorf("restore: unexpected entry %q in the archive", hdr.Name)
		}
	}
	if !sawDB {
		return m, errors.New("restore: the archive holds no database")
	}
	return m, nil
}

// checkEmpty refuses a target whose database has tables or whose files folder holds files,
// unless the restore is forced; a forced restore empties the database first.
func checkEmpty(t Target, filesDir string) error {
	hasFiles := false
	if ents, err := os.ReadDir(filesDir); err == nil {
		for _, e := range ents {
			if !strings.HasPrefix(e.Name(), ".") {
				hasFiles = true
				break
			}
		}
	}
	if strings.HasPrefix(t.DSN, "mysql://") {
		db, err := openMySQL(t.DSN)
		if err != nil {
			return err
		}
		defer closeDB(db)
		tables, err := db.Migrator().GetTables()
		if err != nil {
			return fmt.Errorf("restore: list the target's tables: %w", err)
		}
		if (len(tables) > 0 || hasFiles) && !t.Force {
			return fmt.Errorf("%w: the database has %d tables and the files folder %s is %s; restore into an empty database and data folder, or add --force to replace them",
				ErrNotEmpty, len(tables), filesDir, map[bool]string{true: "in use", false: "empty"}[hasFiles])
		}
		if len(tables) > 0 {
			sdb, err := db.DB()
			if err != nil {
				return err
			}
			conn, err := sdb.Conn(context.Background())
			if err != nil {
				return err
			}
			defer conn.Close()
			if _, err := conn.ExecContext(context.Background(), "SET FOREIGN_KEY_CHECKS = 0"); err != nil {
				return err
			}
			for _, tb := range tables {
				if _, err := conn.ExecContext(context.Background(), "DROP TABLE "+quoteIdent(tb)); err != nil {
					return fmt.Errorf("restore: drop %s: %w", tb, err)
				}
			}
		}
		return nil
	}
	path := sqlitePath(t.DSN, t.DataDir)
	st, err := os.Stat(path)
	inUse := err == nil && st.Size() > 0
	if (inUse || hasFiles) && !t.Force {
		return fmt.Errorf("%w: %s or %s already holds data; restore into an empty data folder, or stop the server and add --force to replace it",
			ErrNotEmpty, path, filesDir)
	}
	return nil
}

// restoreSQLite writes the snapshot beside the target, checks it, and renames it into place,
// dropping a write-ahead log of the database it replaces.
func restoreSQLite(ctx context.Context, r io.Reader, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	tmp := path + ".restoring"
	if err := writeFile(r, tmp); err != nil {
		return err
	}
	defer os.Remove(tmp)
	s, err := models.Open(models.OpenOptions{DSN: "sqlite:" + tmp})
	if err != nil {
		return fmt.Errorf("restore: open the snapshot: %w", err)
	}
	var res string
	err = s.Gorm().WithContext(ctx).Raw("PRAGMA integrity_check").Row().Scan(&res)
	if err == nil {
		err = s.Gorm().WithContext(ctx).Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
	}
	s.Close()
	if err != nil {
		return fmt.Errorf("restore: check the snapshot: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("restore: the snapshot in the archive is damaged: %s", res)
	}
	os.Remove(tmp + "-wal")
	os.Remove(tmp + "-shm")
	for _, suf := range []string{"-wal", "-shm"} {
		if err := os.Remove(path + suf); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return os.Rename(tmp, path)
}

func restoreMySQL(ctx context.Context, r io.Reader, t Target) error {
	db, err := openMySQL(t.DSN)
	if err != nil {
		return err
	}
	defer closeDB(db)
	sdb, err := db.DB()
	if err != nil {
		return err
	}
	if err := loadMySQL(ctx, sdb, r); err != nil {
		return err
	}
	// The dump carries the schema steps it had run; a newer binary's would be refused at start.
	return migrations.CheckNotNewer(db)
}

func openMySQL(dsn string) (*gorm.DB, error) {
	s, err := models.Open(models.OpenOptions{DSN: dsn})
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	return s.Gorm(), nil
}

func closeDB(db *gorm.DB) {
	if sdb, err := db.DB(); err == nil {
		sdb.Close()
	}
}

// writeFile writes r to dst durably.
func writeFile(r io.Reader, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("restore: write %s: %w", dst, err)
	}
	return nil
}

func redact(dsn string) string {
	if i := strings.Index(dsn, "@"); i > 0 {
		return "mysql://…" + dsn[i:]
	}
	return dsn
}
