package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// cmdHealthcheck asks the local server's /readyz, for container health checks in images that
// have no curl.
func cmdHealthcheck(args []string, stdout, stderr io.Writer) error {
	cfg, fs, _ := parseFlags("healthcheck", args, stderr)
	if err := fs.Parse(args); err != nil {
		return errSilent
	}
	host, port, err := net.SplitHostPort(cfg.listenAddr())
	if err != nil {
		return fmt.Errorf("bad --addr %q: %w", cfg.listenAddr(), err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + "/readyz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready: %s", resp.Status)
	}
	fmt.Fprintln(stdout, "ready")
	return nil
}
