package media

// Time and memory to clean a 10 MB photo: the worst upload a resident's phone can send.
//
//	go test -run XXX -bench Clean -benchmem ./media/

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"runtime"
	"testing"
)

// tenMegabyteJPEG is a 12-megapixel photo of noise (noise does not compress) just under 10 MB.
func tenMegabyteJPEG(b *testing.B) []byte {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for q := 92; q >= 40; q -= 4 {
		img := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
		for i := range img.Pix {
			img.Pix[i] = uint8(r.Uint32())
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
			b.Fatal(err)
		}
		if buf.Len() <= MaxBytes {
			return buf.Bytes()
		}
	}
	b.Fatal("could not make a photo under 10 MB")
	return nil
}

func BenchmarkClean10MB(b *testing.B) {
	in := tenMegabyteJPEG(b)
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		if _, err := Shared.Clean(context.Background(), bytes.NewReader(in)); err != nil {
			b.Fatal(err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peak {
			peak = ms.HeapInuse
		}
		runtime.GC()
	}
	b.ReportMetric(float64(peak)/1e6, "heap-inuse-MB")
	b.ReportMetric(float64(len(in))/1e6, "input-MB")
}
