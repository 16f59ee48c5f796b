// Command yueyuetan runs the Yueyuetan (月月谈) server and its maintenance tasks:
//
//	yueyuetan [serve]                 start the HTTP server (runs pending migrations first)
//	yueyuetan migrate up|down|status  manage the schema
//	yueyuetan seed demo               load the 西桥社区 demo data
//	yueyuetan user add --phone P --name N --password X --role R [--community ID]
//	yueyuetan audit verify            check every community's event chain
//	yueyuetan healthcheck             ask the local server's /readyz (for container health checks)
//
// Every setting is a YYT_* environment variable with a flag twin (see config.go).
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a command line and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(args, stdout, stderr)
	case "migrate":
		err = cmdMigrate(args, stdout, stderr)
	case "seed":
		err = cmdSeed(args, stdout, stderr)
	case "user":
		err = cmdUser(args, stdout, stderr)
	case "audit":
		err = cmdAudit(args, stdout, stderr)
	case "healthcheck":
		err = cmdHealthcheck(args, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		if err != errSilent {
			fmt.Fprintln(stderr, "yueyuetan:", err)
		}
		return 1
	}
	return 0
}

const usage = `Usage:
  yueyuetan [serve] [--demo]                   start the server
  yueyuetan migrate up|down|status             manage the database schema
  yueyuetan seed demo                          load the demo community (西桥社区)
  yueyuetan user add --phone P --name N --password X --role R [--community ID]
                                               add a user (--role superadmin without --community
                                               makes the street-level super-admin)
  yueyuetan audit verify                       check every community's event chain
  yueyuetan healthcheck                        exit 0 when the local server is ready (for containers)

Settings (environment variable, or the flag of the same name):
  YYT_ADDR        --addr         listen address (default :8080; 127.0.0.1:8080 with --demo)
  YYT_DB          --db           sqlite:PATH or mysql://user:pass@tcp(host:3306)/db (default sqlite: in the data dir)
  YYT_DATA_DIR    --data-dir     data folder: SQLite file, photos, generated secret (default ./data)
  YYT_JWT_SECRET  --jwt-secret   access-token signing secret, 32+ bytes (default: generated once into the data dir)
  YYT_BASE_URL    --base-url     public URL, e.g. https://yyt.example.org (https makes cookies Secure)
  YYT_TRUST_PROXY --trust-proxy  take client addresses from X-Forwarded-For set by a private-network proxy
  YYT_DEMO        --demo         serve: load demo data into an empty database and print the demo logins
`
