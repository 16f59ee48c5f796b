// Package benchkit holds what the benchmark commands (cmd/yytbench, cmd/ssebench) share: building
// the server binary, running it as a child process on a free loopback port against a throwaway
// data folder or MySQL/MariaDB database, reading a process's memory and CPU from /proc, a few
// figures about the machine, percentiles and logging in. It exists so that both commands start
// and measure the server the same way; what only one command needs stays in that command.
//
// It reads Linux /proc files; elsewhere those figures come out as zero or "unknown".
package benchkit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/yueyuetan/yueyuetan/models"
)

// ---- build

// Workspace returns the repository's root, where ./server is built from, and a new temporary
// folder, named after the command name, for the binaries, data and server logs. cleanup removes
// that folder unless keep is set, in which case its path is printed so it can be looked at
// after the run.
func Workspace(name string, keep bool) (root, tmp string, cleanup func(), err error) {
	if root, err = moduleRoot(name); err != nil {
		return "", "", nil, err
	}
	if tmp, err = os.MkdirTemp("", name+"-"); err != nil {
		return "", "", nil, err
	}
	if keep {
		fmt.Println("keeping", tmp)
		return root, tmp, func() {}, nil
	}
	return root, tmp, func() { os.RemoveAll(tmp) }, nil
}

// moduleRoot returns the folder of the repository's go.mod. The commands build ./server from
// there, so they must be run inside the repository; name (the command) goes into the error
// that says so.
func moduleRoot(name string) (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run %s inside the repository (go run ./cmd/%s)", name, name)
	}
	return filepath.Dir(gomod), nil
}

// BuildServer runs `go build [flags] [-tags tags] -o out ./server` in root, with the go tool's
// output on this process's, and returns how long it took (a figure yytbench prints).
func BuildServer(root, out, tags string, flags ...string) (time.Duration, error) {
	args := append([]string{"build"}, flags...)
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	args = append(args, "-o", out, "./server")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return time.Since(start), nil
}

// ---- databases

// Target is one database for the server: a data folder, the --db value, and Drop, which removes
// what NewTarget made outside the data folder (a MySQL database; nothing for SQLite).
type Target struct {
	DataDir, DB string
	Drop        func()
}

// NewTarget makes the data folder dir and, for MySQL, a new empty database on the server of dsn,
// named prefix plus a random suffix so that runs never meet each other's (or anyone's) data.
func NewTarget(dir, dialect, dsn, prefix string) (*Target, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	if dialect == models.DialectSQLite {
		return &Target{DataDir: dir, DB: "sqlite:", Drop: func() {}}, nil
	}
	admin, err := gorm.Open(mysql.Open(models.MySQLDSN(dsn)), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		return nil, fmt.Errorf("connect to MySQL: %w", err)
	}
	buf := make([]byte, 5)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	name := prefix + hex.EncodeToString(buf)
	if err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").Error; err != nil {
		return nil, fmt.Errorf("create database: %w", err)
	}
	return &Target{DataDir: dir, DB: "mysql://" + models.MySQLWithDatabase(dsn, name), Drop: func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name)
		if db, err := admin.DB(); err == nil {
			db.Close()
		}
	}}, nil
}

// ---- the server process

// childEnv is this environment without YYT_* settings, so only the flags configure the server.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "YYT_") {
			env = append(env, kv)
		}
	}
	return env
}

// RunCLI runs a maintenance command of the binary (such as `seed demo`) against the target and
// returns its output in the error when it fails.
func RunCLI(ctx context.Context, bin string, t *Target, args ...string) error {
	args = append(args, "--data-dir", t.DataDir, "--db", t.DB)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = childEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago, for the server's --addr.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Server is a running `serve` child process.
type Server struct {
	Cmd  *exec.Cmd // Cmd.Process.Pid is what the /proc readers take
	Base string    // http://127.0.0.1:PORT
	Log  string    // the file that holds its stdout and stderr
	done chan struct{}
	err  error
}

// Start runs `serve` of bin on a free loopback port against t, with its output in logPath, and
// returns once /readyz answers 200 (polled every poll), with the time from process start to that
// answer: the cold start yytbench reports. It gives up, stopping the server, after 60 s or when
// ctx ends.
func Start(ctx context.Context, bin, logPath string, t *Target, poll time.Duration) (*Server, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data-dir", t.DataDir, "--db", t.DB, "--base-url", "http://"+addr)
	cmd.Env = childEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	s := &Server{Cmd: cmd, Base: "http://" + addr, Log: logPath, done: make(chan struct{})}
	// No keep-alive: each poll is a fresh connection, as a load balancer's probe would be.
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	startAt := time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, 0, err
	}
	go func() { s.err = cmd.Wait(); logf.Close(); close(s.done) }()
	deadline := startAt.Add(60 * time.Second)
	for {
		resp, err := client.Get(s.Base + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, time.Since(startAt), nil
			}
		}
		select {
		case <-s.done:
			return nil, 0, fmt.Errorf("server exited before /readyz (%v); log:\n%s", s.err, tail(logPath))
		case <-ctx.Done():
			s.Stop()
			return nil, 0, ctx.Err()
		default:
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, 0, fmt.Errorf("/readyz not OK after 60s; log:\n%s", tail(logPath))
		}
		time.Sleep(poll)
	}
}

// Stop sends SIGTERM and waits, so the server shuts down as it would in production; it kills
// the process after 20 s.
func (s *Server) Stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.Cmd.Process.Kill()
		<-s.done
	}
}

// tail returns the last 2000 bytes of the file at path, enough of a server log to show why it
// failed without flooding the terminal.
func tail(path string) string {
	raw, _ := os.ReadFile(path)
	if len(raw) > 2000 {
		raw = raw[len(raw)-2000:]
	}
	return string(raw)
}

// ---- the server's API

// API is a JSON client of the server's HTTP API.
type API struct {
	Base string       // http://127.0.0.1:PORT
	HC   *http.Client // the caller's, so it chooses timeouts and connection reuse
}

// NewAPI returns a client of the server at base whose requests time out after timeout, on its
// own transport that ignores any proxy settings (the server is on loopback).
func NewAPI(base string, timeout time.Duration) *API {
	return &API{Base: base, HC: &http.Client{Timeout: timeout, Transport: &http.Transport{Proxy: nil}}}
}

// Login signs in with a phone number and password and returns the access token.
func (a *API) Login(ctx context.Context, phone, password string) (string, error) {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := a.Do(ctx, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"phone": phone, "password": password},
		http.StatusOK, &out); err != nil {
		return "", fmt.Errorf("login %s: %w", phone, err)
	}
	if out.AccessToken == "" {
		return "", fmt.Errorf("login %s: no access_token", phone)
	}
	return out.AccessToken, nil
}

// Do sends one JSON request (body marshalled when not nil, token as a bearer when not empty) and
// decodes the answer into out when its status is want; any other status is an error that
// quotes the answer.
func (a *API) Do(ctx context.Context, method, path, token string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.Base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.HC.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d (want %d): %.500s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// ---- /proc

// ProcStatus returns VmRSS and VmHWM of a process in bytes (zero when it cannot be read).
func ProcStatus(pid int) (rss, hwm int64) {
	raw, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(raw), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			hwm = kb << 10
		}
	}
	return rss, hwm
}

// CPUTime is the user+system CPU a process has used (from /proc/PID/stat, USER_HZ = 100).
func CPUTime(pid int) time.Duration {
	raw, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	s := string(raw)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// ---- the machine

// CPUModel names the first CPU from /proc/cpuinfo as "model name (family F, model M)", or
// "unknown", so a result can be matched to the hardware it came from.
func CPUModel() string {
	var name, family, model string
	raw, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(raw), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case k == "model name" && name == "":
			name = v
		case k == "cpu family" && family == "":
			family = v
		case k == "model" && model == "":
			model = v
		}
	}
	if name == "" {
		return "unknown"
	}
	return fmt.Sprintf("%s (family %s, model %s)", name, family, model)
}

// MemTotal returns the machine's RAM from /proc/meminfo as "N.N GiB", or "unknown" when there is
// no MemTotal line.
func MemTotal() string {
	raw, _ := os.ReadFile("/proc/meminfo")
	for _, line := range strings.Split(string(raw), "\n") {
		if v, found := strings.CutPrefix(line, "MemTotal:"); found {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	return "unknown"
}

// LoadAvg returns the 1, 5 and 15 minute load averages as "a b c" ("unknown" when unreadable):
// on a shared machine they tell how far others' work may have moved the figures.
func LoadAvg() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// ---- figures

// Percentile returns the p-th percentile (nearest rank, 0 < p ≤ 100) of sorted, which must be in
// ascending order; 0 when it is empty. p = 100 is the maximum.
func Percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

// PercentileOf is Percentile for values in any order; it sorts a copy, leaving v as it was.
func PercentileOf(v []time.Duration, p int) time.Duration {
	s := slices.Clone(v)
	slices.Sort(s)
	return Percentile(s, p)
}

// MS is d in milliseconds, the unit of the commands' tables.
func MS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// MiB is n bytes in MiB, the unit of the commands' memory figures.
func MiB(n int64) float64 { return float64(n) / (1 << 20) }
