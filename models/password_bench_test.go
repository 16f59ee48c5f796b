package models_test

// The cost of one argon2id hash with the parameters in password.go (m=19 MiB, t=2, p=1): the
// floor under every login, register and password change. BenchmarkCheckPassword is one core's
// latency; the Parallel variant is what all cores together give, the ceiling for logins/s.
//
//	go test -run XXX -bench Password ./models/

import (
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

const benchPassword = "bench-pass-1"

func BenchmarkHashPassword(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := models.HashPassword(benchPassword); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckPassword(b *testing.B) {
	hash, err := models.HashPassword(benchPassword)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !models.CheckPassword(hash, benchPassword) {
			b.Fatal("password does not match its hash")
		}
	}
}

func BenchmarkCheckPasswordParallel(b *testing.B) {
	hash, err := models.HashPassword(benchPassword)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			// A mismatch cannot be reported from here (no b.Fatal off the benchmark goroutine);
			// BenchmarkCheckPassword checks the same call.
			models.CheckPassword(hash, benchPassword)
		}
	})
	b.StopTimer()
	if d := time.Since(start).Seconds(); d > 0 {
		b.ReportMetric(float64(b.N)/d, "checks/s")
	}
}
