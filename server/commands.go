package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/textnorm"
	"gorm.io/gorm"
)

// maxNameRunes is the longest name, as the API allows it.
const maxNameRunes = 50

func cmdMigrate(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("migrate needs up, down or status")
	}
	sub, rest := args[0], args[1:]
	cfg, fs, _ := parseFlags("migrate "+sub, rest, stderr)
	if err := fs.Parse(rest); err != nil {
		return errSilent
	}
	store, err := cfg.openStore(false)
	if err != nil {
		return err
	}
	defer store.Close()
	db := store.Gorm()
	switch sub {
	case "up":
		if err := migrations.Up(db); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "migrations: up to date at", migrations.Latest())
	case "down":
		if err := migrations.Down(db); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "migrations: rolled back the latest step")
	case "status":
		return migrateStatus(db, stdout)
	default:
		return fmt.Errorf("unknown migrate command %q: want up, down or status", sub)
	}
	return nil
}

func cmdSeed(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "demo" {
		return errors.New("seed needs: demo")
	}
	cfg, fs, _ := parseFlags("seed demo", args[1:], stderr)
	if err := fs.Parse(args[1:]); err != nil {
		return errSilent
	}
	store, err := cfg.openStore(true)
	if err != nil {
		return err
	}
	defer store.Close()
	return seedDemo(context.Background(), store, stdout, false)
}

func cmdUser(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("user needs: add")
	}
	rest := args[1:]
	cfg, fs, _ := parseFlags("user add", rest, stderr)
	var in models.AddUserInput
	fs.StringVar(&in.Phone, "phone", "", "mobile number, the login")
	fs.StringVar(&in.Name, "name", "", "name")
	fs.StringVar(&in.Password, "password", "", "initial password (8+ characters)")
	fs.StringVar(&in.Role, "role", "", "superadmin, or a role in the community: resident, grid_worker, facilitator, party_member, committee, admin")
	fs.Uint64Var(&in.CommunityID, "community", 0, "community id (not for superadmin)")
	if err := fs.Parse(rest); err != nil {
		return errSilent
	}
	// The name is stored and shown like one typed into the API: the same normalizer.
	name, nerr := textnorm.Clean(in.Name, textnorm.Line)
	in.Name = name
	switch {
	case !phonePattern.MatchString(in.Phone):
		return errors.New("--phone must be an 11-digit mobile number")
	case nerr != nil:
		return errors.New("--name holds characters that change the direction of text (U+202A–U+202E, U+2066–U+2069)")
	case in.Name == "":
		return errors.New("--name is required")
	case utf8.RuneCountInString(in.Name) > maxNameRunes:
		return fmt.Errorf("--name must be at most %d characters", maxNameRunes)
	case passwordProblem(in.Password, in.Phone) != "":
		return errors.New("--password " + passwordProblem(in.Password, in.Phone))
	case in.Role == "":
		return errors.New("--role is required")
	case in.Role == "superadmin" && in.CommunityID != 0:
		return errors.New("a superadmin works at street level: leave out --community")
	}
	store, err := cfg.openStore(true)
	if err != nil {
		return err
	}
	defer store.Close()
	u, err := store.AddUser(context.Background(), in)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "added user %d (%s, %s) as %s\n", u.ID, u.Name, u.Phone, in.Role)
	return nil
}

// passwordProblem says in a few words which password rule (models.ValidatePassword) pw breaks, or
// "" when it breaks none.
func passwordProblem(pw, phone string) string {
	var de *models.Error
	if !errors.As(models.ValidatePassword("password", pw, phone), &de) {
		return ""
	}
	rule, _, _ := strings.Cut(de.Fields["password"], ":")
	switch rule {
	case "password_too_short":
		return fmt.Sprintf("must be at least %d characters", models.PasswordMinLen)
	case "max":
		return fmt.Sprintf("must be at most %d characters", models.PasswordMaxLen)
	case "password_control":
		return "must not contain control characters"
	case "password_one_char":
		return "must not be one character repeated"
	case "password_is_phone":
		return "must not be the phone number"
	case "password_common":
		return "is one of the most common passwords; choose another"
	}
	return rule
}

// describe turns a domain error into a line for the operator.
func describe(err error) error {
	var de *models.Error
	if errors.As(err, &de) {
		for f, rule := range de.Fields {
			return fmt.Errorf("%s: %s", f, rule)
		}
		return errors.New(de.Reason)
	}
	return err
}

func cmdAudit(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("audit needs: verify")
	}
	cfg, fs, _ := parseFlags("audit verify", args[1:], stderr)
	only := fs.Uint64("community", 0, "check only this community")
	if err := fs.Parse(args[1:]); err != nil {
		return errSilent
	}
	store, err := cfg.openStore(false)
	if err != nil {
		return err
	}
	defer store.Close()
	ctx := context.Background()
	ids, err := store.CommunityIDs(ctx)
	if err != nil {
		return err
	}
	broken := 0
	for _, id := range ids {
		if *only != 0 && id != *only {
			continue
		}
		res, err := store.VerifyChain(ctx, id)
		if err != nil {
			return err
		}
		if res.OK {
			fmt.Fprintf(stdout, "community %d: OK, %d events\n", id, res.Checked)
			continue
		}
		broken++
		b := res.Broken
		fmt.Fprintf(stdout, "community %d: BROKEN at event %d (seq %d, %s): %s; %d events before it check out\n",
			id, b.EventID, b.Seq, b.Type, b.Reason, res.Checked)
	}
	if broken > 0 {
		return fmt.Errorf("%d communities have a broken event chain", broken)
	}
	return nil
}

// phonePattern is a mainland mobile number.
var phonePattern = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// migrateStatus lists every step of the binary with whether it ran, the steps the database
// records that this binary does not know, and says whether the two agree. A database migrated
// by a newer binary is an error (exit 1); pending steps are not (serve or migrate up runs them).
func migrateStatus(db *gorm.DB, stdout io.Writer) error {
	r, err := migrations.Compare(db)
	if err != nil {
		return err
	}
	for _, id := range r.Applied {
		fmt.Fprintf(stdout, "%-8s %s\n", "applied", id)
	}
	for _, id := range r.Pending {
		fmt.Fprintf(stdout, "%-8s %s\n", "pending", id)
	}
	for _, id := range r.Unknown {
		fmt.Fprintf(stdout, "%-8s %s (not known to this binary)\n", "unknown", id)
	}
	switch {
	case len(r.Unknown) > 0:
		fmt.Fprintf(stdout, "binary and database disagree: the database was migrated by a newer binary\n")
		return &migrations.ErrNewerDatabase{Unknown: r.Unknown}
	case len(r.Pending) > 0:
		fmt.Fprintf(stdout, "binary and database disagree: %d step(s) pending; `yueyuetan migrate up` or starting the server runs them\n", len(r.Pending))
	default:
		fmt.Fprintf(stdout, "binary and database agree: %d steps, newest %s\n", len(r.Applied), migrations.Latest())
	}
	return nil
}
