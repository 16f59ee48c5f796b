package backup

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/yueyuetan/yueyuetan/models"
)

// maxInsertBytes bounds one INSERT statement of a dump, well under MySQL's default
// max_allowed_packet (16 MB on MariaDB 10.11, 64 MB on MySQL 8).
const maxInsertBytes = 1 << 20

// dumpMySQL writes a logical dump of every table of the store's database to w: one statement a
// line, so that `mariadb DB < mysql.sql` loads it as well as restore does. All of it is read in
// one transaction started WITH CONSISTENT SNAPSHOT, so it is the database as of one moment
// while writers go on (what mysqldump --single-transaction does).
func dumpMySQL(ctx context.Context, store *models.Store, w io.Writer) error {
	sdb, err := store.Gorm().DB()
	if err != nil {
		return err
	}
	conn, err := sdb.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, q := range []string{"SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
		"START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")

	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintln(bw, "-- Yueyuetan logical dump (backup package): one statement a line, read in one consistent snapshot")
	fmt.Fprintln(bw, "SET NAMES utf8mb4;")
	fmt.Fprintln(bw, "SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO';")
	fmt.Fprintln(bw, "SET SESSION time_zone = '+00:00';")
	fmt.Fprintln(bw, "SET FOREIGN_KEY_CHECKS = 0;")
	fmt.Fprintln(bw, "SET UNIQUE_CHECKS = 0;")

	tables, err := baseTables(ctx, conn)
	if err != nil {
		return err
	}
	for _, t := range tables {
		var name, ddl string
		if err := conn.QueryRowContext(ctx, "SHOW CREATE TABLE "+quoteIdent(t)).Scan(&name, &ddl); err != nil {
			return fmt.Errorf("show create table %s: %w", t, err)
		}
		fmt.Fprintf(bw, "%s;\n", strings.ReplaceAll(ddl, "\n", " "))
		if err := dumpRows(ctx, conn, t, bw); err != nil {
			return err
		}
	}
	fmt.Fprintln(bw, "SET FOREIGN_KEY_CHECKS = 1;")
	fmt.Fprintln(bw, "SET UNIQUE_CHECKS = 1;")
	fmt.Fprintln(bw, "-- end of dump")
	return bw.Flush()
}

func baseTables(ctx context.Context, conn *sql.Conn) ([]string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// binaryTypes are the column types dumped as hex literals; every other value is a quoted string,
// which MySQL converts to the column's type on insert.
var binaryTypes = map[string]bool{"BLOB": true, "TINYBLOB": true, "MEDIUMBLOB": true, "LONGBLOB": true,
	"BINARY": true, "VARBINARY": true, "BIT": true, "GEOMETRY": true}

func dumpRows(ctx context.Context, conn *sql.Conn, table string, w *bufio.Writer) error {
	rows, err := conn.QueryContext(ctx, "SELECT * FROM "+quoteIdent(table))
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	cols := make([]string, len(types))
	bin := make([]bool, len(types))
	for i, ct := range types {
		cols[i] = quoteIdent(ct.Name())
		bin[i] = binaryTypes[strings.ToUpper(ct.DatabaseTypeName())]
	}
	head := "INSERT INTO " + quoteIdent(table) + " (" + strings.Join(cols, ",") + ") VALUES "
	vals := make([]sql.RawBytes, len(types))
	ptrs := make([]any, len(types))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var stmt strings.Builder
	flush := func() {
		if stmt.Len() > 0 {
			w.WriteString(stmt.String())
			w.WriteString(";\n")
			stmt.Reset()
		}
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		if stmt.Len() == 0 {
			stmt.WriteString(head)
		} else {
			stmt.WriteByte(',')
		}
		stmt.WriteByte('(')
		for i, v := range vals {
			if i > 0 {
				stmt.WriteByte(',')
			}
			switch {
			case v == nil:
				stmt.WriteString("NULL")
			case bin[i]:
				if len(v) == 0 {
					stmt.WriteString("''")
				} else {
					stmt.WriteString("0x")
					stmt.WriteString(hex.EncodeToString(v))
				}
			default:
				quoteString(&stmt, v)
			}
		}
		stmt.WriteByte(')')
		if stmt.Len() >= maxInsertBytes {
			flush()
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	flush()
	return nil
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// quoteString writes v as a MySQL string literal whose line breaks are escaped, so that every
// statement stays on one line.
func quoteString(b *strings.Builder, v []byte) {
	b.WriteByte('\'')
	for _, c := range v {
		switch c {
		case 0:
			b.WriteString(`\0`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		case 0x1a:
			b.WriteString(`\Z`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
}

// loadMySQL runs a dump written by dumpMySQL, a statement a line, on one connection (its SET
// statements hold for the session).
func loadMySQL(ctx context.Context, sdb *sql.DB, r io.Reader) error {
	conn, err := sdb.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	br := bufio.NewReaderSize(r, 1<<20)
	line := 0
	for {
		s, err := br.ReadString('\n')
		if err != nil && err != io.EOF {
			return err
		}
		line++
		stmt := strings.TrimSpace(s)
		if stmt != "" && !strings.HasPrefix(stmt, "--") {
			if _, xerr := conn.ExecContext(ctx, strings.TrimSuffix(stmt, ";")); xerr != nil {
				head := stmt
				if len(head) > 80 {
					head = head[:80] + "…"
				}
				return fmt.Errorf("restore: line %d (%s): %w", line, head, xerr)
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}
