package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/yueyuetan/yueyuetan/backup"
	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
)

// cmdBackup archives the database as of one moment and the uploaded files while the server
// runs (docs/operations.md "Backups").
func cmdBackup(args []string, stdout, stderr io.Writer) error {
	cfg, fs, _ := parseFlags("backup", args, stderr)
	to := fs.String("to", "", "archive file to write (.tar.gz)")
	if err := fs.Parse(args); err != nil {
		return errSilent
	}
	if *to == "" {
		return errors.New("backup needs --to FILE")
	}
	store, err := cfg.openStore(false)
	if err != nil {
		return err
	}
	defer store.Close()
	ctx := context.Background()
	if err := migrations.CheckNotNewer(store.Gorm()); err != nil {
		return err
	}
	started := time.Now().UTC()
	m, size, err := backup.TakeFile(ctx, store, cfg.filesDir(), *to)
	run := &models.BackupRun{StartedAt: started, FinishedAt: time.Now().UTC(), File: *to, Size: size, OK: err == nil, Holder: "cli"}
	if err != nil {
		run.Error = err.Error()
	}
	// The record feeds the admin screen's "last backup" line; a database without the table yet
	// (not migrated) just has no record.
	_ = store.RecordBackup(ctx, run)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s: %d bytes, %s database (%s, %d bytes), %d uploaded files (%d bytes), schema at %s\n",
		*to, size, m.Dialect, m.Method, m.DBBytes, m.Files, m.FileBytes, last(m.Migrations))
	return nil
}

// cmdRestore reads an archive into an empty database and data folder; --force replaces what is
// there (stop the server first).
func cmdRestore(args []string, stdout, stderr io.Writer) error {
	cfg, fs, _ := parseFlags("restore", args, stderr)
	from := fs.String("from", "", "archive file written by `yueyuetan backup`")
	force := fs.Bool("force", false, "replace a database and files folder that are not empty (stop the server first)")
	if err := fs.Parse(args); err != nil {
		return errSilent
	}
	if *from == "" {
		return errors.New("restore needs --from FILE")
	}
	m, err := backup.Restore(context.Background(), *from, backup.Target{DSN: cfg.DB, DataDir: cfg.DataDir, Force: *force})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored the %s database of %s (schema at %s) and %d uploaded files; check it with `yueyuetan audit verify`, then start the server\n",
		m.Dialect, m.CreatedAt.Format(time.RFC3339), last(m.Migrations), m.Files)
	return nil
}

func last(ids []string) string {
	if len(ids) == 0 {
		return "(none)"
	}
	return ids[len(ids)-1]
}
