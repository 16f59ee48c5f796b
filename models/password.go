package models

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's minimum (19 MiB, 2 passes, 1 lane). On the 2-core machines here
// one hash takes a few tens of milliseconds, which keeps logins well above the 20/s a meeting
// room of 200 people needs (measured by BenchmarkLogin).
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// argonSlots bounds how many hashes run at once. Each takes 19 MiB and a whole core, so more at
// once than there are cores only raises memory (a roomful of logins would hold hundreds of MiB)
// without adding throughput.
var argonSlots = make(chan struct{}, runtime.GOMAXPROCS(0))

func argonKey(pw, salt []byte, t, mem uint32, p uint8, n uint32) []byte {
	argonSlots <- struct{}{}
	defer func() { <-argonSlots }()
	return argon2.IDKey(pw, salt, t, mem, p, n)
}

// HashPassword returns a PHC-format argon2id hash.
func HashPassword(pw string) (string, error) {
	return hashWithCost(pw, ProductionPasswordCost)
}

// PasswordCost is the argon2id cost of a hash: memory in KiB and passes. A hash keeps its cost,
// so CheckPassword checks any hash at the cost it was made with.
type PasswordCost struct {
	MemoryKiB, Time uint32
}

// ProductionPasswordCost is what HashPassword and every store use, unless a test store sets its
// PasswordCost.
var ProductionPasswordCost = PasswordCost{MemoryKiB: argonMemoryKiB, Time: argonTime}

// TestPasswordCost is the cheapest cost argon2id allows (8 KiB, one pass), for test stores that
// make hundreds of accounts (internal/testenv): the hashing code is the same, only its work is
// smaller. The production cost keeps its own tests (TestPasswordHash, BenchmarkLogin).
var TestPasswordCost = PasswordCost{MemoryKiB: 8, Time: 1}

// Hash returns a PHC-format argon2id hash of pw at this cost.
func (c PasswordCost) Hash(pw string) (string, error) { return hashWithCost(pw, c) }

func hashWithCost(pw string, c PasswordCost) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key := argonKey([]byte(pw), salt, c.Time, c.MemoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, c.MemoryKiB, c.Time,
		argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// hashPassword hashes a password or code at the store's cost.
func (s *Store) hashPassword(pw string) (string, error) {
	if s.PasswordCost != nil {
		return hashWithCost(pw, *s.PasswordCost)
	}
	return HashPassword(pw)
}

// dummyHash is the store's hash to check against when there is no account or code, at the cost
// of the hashes it makes, so that a missing one takes as long to refuse as a wrong password.
func (s *Store) dummyHash() string {
	if s.PasswordCost == nil || *s.PasswordCost == ProductionPasswordCost {
		return dummyHash()
	}
	if h, ok := otherDummyHashes.Load(*s.PasswordCost); ok {
		return h.(string)
	}
	h, err := hashWithCost("no-such-account", *s.PasswordCost)
	if err != nil {
		return dummyHash()
	}
	otherDummyHashes.Store(*s.PasswordCost, h)
	return h
}

// otherDummyHashes are the dummy hashes of costs other than the production one, by cost.
var otherDummyHashes sync.Map

// CheckPassword reports whether pw matches the hash. A malformed hash never matches.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var mem, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil {
		return false
	}
	if mem == 0 || mem > 256*1024 || t == 0 || t > 10 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false
	}
	got := argonKey([]byte(pw), salt, t, mem, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when the phone is unknown, so that a missing account takes as long
// to refuse as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("no-such-account")
	if err != nil {
		return "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	}
	return h
})
