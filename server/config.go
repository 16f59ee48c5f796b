package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/sms"
	"github.com/yueyuetan/yueyuetan/storage"
)

// errSilent ends a command whose message was already printed.
var errSilent = errors.New("")

// config is every setting; each is an environment variable with a flag twin.
type config struct {
	Addr       string
	DB         string
	DataDir    string
	JWTSecret  string
	BaseURL    string
	TrustProxy bool
	Demo       bool
	// MetricsToken lets /metrics answer a bearer of it from anywhere (else loopback only).
	MetricsToken string
	SMS          smsConfig
	// Backup* schedule backups (docs/operations.md "Scheduled backups").
	BackupDir   string
	BackupEvery string
	BackupKeep  int
	// NotifyChannels lists the outbound notification channels (docs/notifications.md).
	NotifyChannels string
}

// backupPlan is the parsed backup schedule; no Dir leaves it off.
type backupPlan struct {
	Dir   string
	Every time.Duration
	Keep  int
}

// backupSchedule checks and parses the backup settings.
func (c *config) backupSchedule() (backupPlan, error) {
	p := backupPlan{Dir: c.BackupDir, Keep: c.BackupKeep, Every: 24 * time.Hour}
	if c.BackupEvery != "" {
		d, err := time.ParseDuration(c.BackupEvery)
		if err != nil || d < time.Minute {
			return p, fmt.Errorf("YYT_BACKUP_EVERY=%q: want a duration of a minute or more, e.g. 24h or 6h", c.BackupEvery)
		}
		p.Every = d
	}
	if p.Keep < 1 {
		return p, fmt.Errorf("YYT_BACKUP_KEEP=%d: keep at least 1 backup", c.BackupKeep)
	}
	return p, nil
}

// filesDir is the folder of uploaded files.
func (c *config) filesDir() string { return filepath.Join(c.DataDir, "files") }

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

// smsConfig names the SMS provider that texts password reset codes; no provider leaves the SMS
// way of resetting off.
type smsConfig struct {
	Provider, AccessKeyID, AccessKeySecret, SignName, Template, Endpoint string
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func envBool(key string) bool {
	b, _ := strconv.ParseBool(os.Getenv(key))
	return b
}

// flags registers the shared settings on a flag set, defaulting to the environment.
func (c *config) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", os.Getenv("YYT_ADDR"), "listen address (YYT_ADDR; default :8080, or 127.0.0.1:8080 with --demo)")
	fs.StringVar(&c.DB, "db", envOr("YYT_DB", "sqlite:"), "database: sqlite:PATH or mysql://DSN (YYT_DB)")
	fs.StringVar(&c.DataDir, "data-dir", envOr("YYT_DATA_DIR", "./data"), "data folder (YYT_DATA_DIR)")
	fs.StringVar(&c.JWTSecret, "jwt-secret", os.Getenv("YYT_JWT_SECRET"), "access-token secret (YYT_JWT_SECRET)")
	fs.StringVar(&c.BaseURL, "base-url", envOr("YYT_BASE_URL", "http://localhost:8080"), "public base URL (YYT_BASE_URL)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", envBool("YYT_TRUST_PROXY"), "trust X-Forwarded-For from private addresses (YYT_TRUST_PROXY)")
	fs.StringVar(&c.MetricsToken, "metrics-token", os.Getenv("YYT_METRICS_TOKEN"), "bearer token that opens /metrics to other hosts (YYT_METRICS_TOKEN)")
	fs.StringVar(&c.BackupDir, "backup-dir", os.Getenv("YYT_BACKUP_DIR"), "folder of scheduled backups; empty for none (YYT_BACKUP_DIR)")
	fs.StringVar(&c.BackupEvery, "backup-every", os.Getenv("YYT_BACKUP_EVERY"), "time between scheduled backups, e.g. 24h (YYT_BACKUP_EVERY, default 24h)")
	fs.IntVar(&c.BackupKeep, "backup-keep", envInt("YYT_BACKUP_KEEP", 7), "scheduled backups kept, the newest (YYT_BACKUP_KEEP)")
	fs.BoolVar(&c.Demo, "demo", envBool("YYT_DEMO"), "load demo data into an empty database (YYT_DEMO)")
	fs.StringVar(&c.SMS.Provider, "sms-provider", os.Getenv("YYT_SMS_PROVIDER"), "SMS provider for password reset codes: aliyun, or empty for none (YYT_SMS_PROVIDER)")
	fs.StringVar(&c.SMS.AccessKeyID, "sms-access-key-id", os.Getenv("YYT_SMS_ACCESS_KEY_ID"), "SMS AccessKey ID (YYT_SMS_ACCESS_KEY_ID)")
	fs.StringVar(&c.SMS.AccessKeySecret, "sms-access-key-secret", os.Getenv("YYT_SMS_ACCESS_KEY_SECRET"), "SMS AccessKey secret (YYT_SMS_ACCESS_KEY_SECRET)")
	fs.StringVar(&c.SMS.SignName, "sms-sign-name", os.Getenv("YYT_SMS_SIGN_NAME"), "approved SMS signature, e.g. 月月谈 (YYT_SMS_SIGN_NAME)")
	fs.StringVar(&c.SMS.Template, "sms-template", os.Getenv("YYT_SMS_TEMPLATE"), "approved SMS template code with a ${code} variable (YYT_SMS_TEMPLATE)")
	fs.StringVar(&c.NotifyChannels, "notify-channels", os.Getenv("YYT_NOTIFY_CHANNELS"), "outbound notification channels, comma-separated: log, or empty for the in-app inbox only (YYT_NOTIFY_CHANNELS)")
	fs.StringVar(&c.SMS.Endpoint, "sms-endpoint", os.Getenv("YYT_SMS_ENDPOINT"), "SMS API address, when not the provider's own (YYT_SMS_ENDPOINT)")
}

// listenAddr is the address to listen on. With demo data every demo account shares a published
// password, so unless an address is given the server listens on loopback only.
func (c *config) listenAddr() string {
	switch {
	case c.Addr != "":
		return c.Addr
	case c.Demo:
		return "127.0.0.1:8080"
	}
	return ":8080"
}

// smsSender builds the configured SMS client, nil when none is configured.
func (c *config) smsSender() (sms.Sender, error) {
	switch strings.ToLower(strings.TrimSpace(c.SMS.Provider)) {
	case "":
		return nil, nil
	case "aliyun":
		a := &sms.Aliyun{AccessKeyID: c.SMS.AccessKeyID, AccessKeySecret: c.SMS.AccessKeySecret,
			SignName: c.SMS.SignName, TemplateCode: c.SMS.Template, Endpoint: c.SMS.Endpoint}
		if err := a.Check(); err != nil {
			return nil, fmt.Errorf("YYT_SMS_PROVIDER=aliyun: %w", err)
		}
		return a, nil
	}
	return nil, fmt.Errorf("YYT_SMS_PROVIDER=%q: the SMS providers known are: aliyun", c.SMS.Provider)
}

func parseFlags(name string, args []string, stderr io.Writer) (*config, *flag.FlagSet, error) {
	cfg := &config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.flags(fs)
	return cfg, fs, nil
}

// openStore opens the database and, when migrate is set, brings the schema up to date.
func (c *config) openStore(migrate bool) (*models.Store, error) {
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	store, err := models.Open(models.OpenOptions{DSN: c.DB, DataDir: c.DataDir})
	if err != nil {
		return nil, err
	}
	files, err := storage.NewDir(c.filesDir())
	if err != nil {
		store.Close()
		return nil, err
	}
	store.Files = files
	if migrate {
		if err := migrations.Up(store.Gorm()); err != nil {
			store.Close()
			return nil, err
		}
		// Closed cycles without a tally (closed before tallies were kept) get theirs, so the
		// dashboard reads them (docs/desk.md "The dashboard").
		if _, err := store.TallyClosedCycles(context.Background()); err != nil {
			store.Close()
			return nil, err
		}
	}
	return store, nil
}

// jwtSecret returns the configured secret, or the one generated into the data folder on first
// start (with a warning: several instances must share one secret).
func (c *config) jwtSecret(log *slog.Logger) ([]byte, error) {
	if c.JWTSecret != "" {
		if len(c.JWTSecret) < 32 {
			return nil, errors.New("YYT_JWT_SECRET must be at least 32 characters")
		}
		return []byte(c.JWTSecret), nil
	}
	path := filepath.Join(c.DataDir, "jwt.secret")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		log.Warn("YYT_JWT_SECRET is not set; using the secret kept in the data folder", "file", path)
		return []byte(strings.TrimSpace(string(b))), nil
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("keep generated JWT secret: %w", err)
	}
	log.Warn("YYT_JWT_SECRET is not set; generated one and kept it in the data folder — set it explicitly when running several instances", "file", path)
	return []byte(secret), nil
}

func readyCheck(store *models.Store) func(context.Context) error {
	return func(ctx context.Context) error {
		ok, err := migrations.Current(store.Gorm().WithContext(ctx))
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("migrations pending")
		}
		return nil
	}
}
