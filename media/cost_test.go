package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
	"time"
)

// pngHeader is a valid 1×1 PNG of the colour type and depth whose IHDR is rewritten to claim
// w×h pixels (and interlacing): what a decompression bomb's header says, without its pixels.
func pngHeader(t *testing.T, img image.Image, w, h uint32, interlaced bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	if interlaced {
		b[28] = 1
	}
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func estimateOf(t *testing.T, b []byte) cost {
	t.Helper()
	c, err := estimate(bytes.NewReader(b), Sniff(b[:sniffLen]), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pixBytes is what a decoded picture's pixel buffers hold.
func pixBytes(img image.Image) int64 {
	switch m := img.(type) {
	case *image.YCbCr:
		return int64(cap(m.Y) + cap(m.Cb) + cap(m.Cr))
	case *image.Gray:
		return int64(cap(m.Pix))
	case *image.RGBA:
		return int64(cap(m.Pix))
	case *image.NRGBA:
		return int64(cap(m.Pix))
	case *image.RGBA64:
		return int64(cap(m.Pix))
	case *image.NRGBA64:
		return int64(cap(m.Pix))
	case *image.Gray16:
		return int64(cap(m.Pix))
	case *image.Paletted:
		return int64(cap(m.Pix))
	}
	panic("unexpected image type")
}

// TestEstimate_CoversTheDecoder decodes real pictures of each kind and checks that the estimate
// covers what the decoder allocated for the pixels, without being wildly above it.
func TestEstimate_CoversTheDecoder(t *testing.T) {
	const w, h = 301, 203
	r := image.Rect(0, 0, w, h)
	pal := color.Palette{color.Black, color.White}
	encPNG := func(img image.Image) []byte {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	encJPEG := func(img image.Image) []byte {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, nil); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	opaque := image.NewRGBA(r)
	for i := 3; i < len(opaque.Pix); i += 4 {
		opaque.Pix[i] = 0xFF
	}
	for name, b := range map[string][]byte{
		"png gray":    encPNG(image.NewGray(r)),
		"png gray16":  encPNG(image.NewGray16(r)),
		"png rgb":     encPNG(opaque),
		"png nrgba":   encPNG(image.NewNRGBA(r)),
		"png rgba64":  encPNG(image.NewNRGBA64(r)),
		"png palette": encPNG(image.NewPaletted(r, pal)),
		"jpeg ycbcr":  encJPEG(opaque),
		"jpeg gray":   encJPEG(image.NewGray(r)),
	} {
		t.Run(name, func(t *testing.T) {
			img, _, err := image.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			got, est := pixBytes(img), estimateOf(t, b)
			if est.pixels != w*h {
				t.Fatalf("pixels=%d, want %d", est.pixels, w*h)
			}
			if est.decode < got || est.decode > 2*got+64<<10 {
				t.Fatalf("estimate %d for %d decoded bytes (%T)", est.decode, got, img)
			}
			if est.total < est.decode+int64(len(b))+12*w*h {
				t.Fatalf("total %d leaves out the file or the steps after decoding", est.total)
			}
		})
	}
}

func TestEstimate_Headers(t *testing.T) {
	one := image.Rect(0, 0, 1, 1)
	for _, tc := range []struct {
		name   string
		img    image.Image
		w, h   uint32
		inter  bool
		decode int64 // without the two row buffers
	}{
		{"16-bit RGBA bomb", image.NewNRGBA64(one), 7071, 7071, false, 7071 * 7071 * 8},
		{"16-bit gray", image.NewGray16(one), 4000, 3000, false, 4000 * 3000 * 2},
		{"8-bit gray interlaced", image.NewGray(one), 4000, 3000, true, 2 * 4000 * 3000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := estimateOf(t, pngHeader(t, tc.img, tc.w, tc.h, tc.inter))
			rows := 2 * (int64(tc.w)*8 + 1)
			if c.decode != tc.decode+rows {
				t.Fatalf("decode=%d, want %d", c.decode, tc.decode+rows)
			}
		})
	}
}

func TestClean_Bounds(t *testing.T) {
	t.Run("ErrTooBigToDecode", func(t *testing.T) {
		// 7071×7071 at 16 bits a channel: under 50 megapixels, 400 MB decoded.
		bomb := pngHeader(t, image.NewNRGBA64(image.Rect(0, 0, 1, 1)), 7071, 7071, false)
		if _, err := cleanBytes(bomb); !errors.Is(err, ErrTooBigToDecode) {
			t.Fatalf("err=%v, want ErrTooBigToDecode", err)
		}
	})
	t.Run("ErrBusy", func(t *testing.T) {
		c := NewCleaner(SharedMemory, 1, 0)
		if !c.lim.acquire(context.Background(), 1, 0) {
			t.Fatal("an idle cleaner refused")
		}
		in := jpegWithExif(t, 40, 20, 1)
		if _, err := c.Clean(context.Background(), bytes.NewReader(in)); !errors.Is(err, ErrBusy) {
			t.Fatalf("err=%v, want ErrBusy while the only slot is taken", err)
		}
		c.lim.release(1)
		if _, err := c.Clean(context.Background(), bytes.NewReader(in)); err != nil {
			t.Fatalf("after release: %v", err)
		}
		if c.lim.used != 0 || c.lim.active != 0 {
			t.Fatalf("used=%d active=%d after cleaning, want 0", c.lim.used, c.lim.active)
		}
	})
	t.Run("NoSlots", func(t *testing.T) {
		c := NewCleaner(SharedMemory, 0, 0)
		if _, err := c.Clean(context.Background(), bytes.NewReader(jpegWithExif(t, 4, 4, 1))); !errors.Is(err, ErrBusy) {
			t.Fatalf("err=%v, want ErrBusy", err)
		}
	})
}

func TestLimiter(t *testing.T) {
	ctx := context.Background()
	t.Run("FirstComeFirstServed", func(t *testing.T) {
		l := &limiter{budget: 100, slots: 4}
		if !l.acquire(ctx, 60, 0) {
			t.Fatal("refused the first")
		}
		big := make(chan bool)
		go func() { big <- l.acquire(ctx, 80, time.Hour) }()
		for waiting(l) < 1 {
			time.Sleep(time.Millisecond)
		}
		// 30 would fit beside the 60, but the 80 asked first.
		if l.acquire(ctx, 30, 0) {
			t.Fatal("a small picture overtook the waiting large one")
		}
		l.release(60)
		if !<-big {
			t.Fatal("the large one was not let in after the release")
		}
		l.release(80)
	})
	t.Run("GivingUpAtTheHeadLetsOthersIn", func(t *testing.T) {
		l := &limiter{budget: 100, slots: 4}
		l.acquire(ctx, 60, 0)
		hctx, cancel := context.WithCancel(ctx)
		head := make(chan bool)
		go func() { head <- l.acquire(hctx, 80, time.Hour) }()
		for waiting(l) < 1 {
			time.Sleep(time.Millisecond)
		}
		small := make(chan bool)
		go func() { small <- l.acquire(ctx, 30, time.Hour) }()
		for waiting(l) < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
		if <-head {
			t.Fatal("a cancelled wait was granted")
		}
		if !<-small {
			t.Fatal("the one behind the cancelled head was not let in")
		}
	})
	t.Run("Slots", func(t *testing.T) {
		l := &limiter{budget: 100, slots: 1}
		l.acquire(ctx, 1, 0)
		if l.acquire(ctx, 1, 0) {
			t.Fatal("a second picture got the only slot")
		}
	})
}

func waiting(l *limiter) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waiters.Len()
}

// extendedWebP is the start of an extended (VP8X) WebP file of w×h pixels whose image chunk is
// kind ("VP8L" or "VP8 "), with an alpha chunk first when alpha is set: what the cost is read
// from, without a decodable picture.
func extendedWebP(w, h uint32, kind string, alpha bool) []byte {
	chunk := func(fourcc string, data []byte) []byte {
		b := append([]byte(fourcc), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
		b = append(b, data...)
		if len(data)%2 == 1 {
			b = append(b, 0)
		}
		return b
	}
	vp8x := make([]byte, 10)
	if alpha {
		vp8x[0] = 1 << 4
	}
	vp8x[4], vp8x[5], vp8x[6] = byte(w-1), byte((w-1)>>8), byte((w-1)>>16)
	vp8x[7], vp8x[8], vp8x[9] = byte(h-1), byte((h-1)>>8), byte((h-1)>>16)
	body := append([]byte("WEBP"), chunk("VP8X", vp8x)...)
	if alpha {
		body = append(body, chunk("ALPH", []byte{0, 1, 2})...)
	}
	body = append(body, chunk(kind, []byte{0x2f, 0, 0, 0, 0})...)
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

func TestEstimate_WebP(t *testing.T) {
	const w, h = 4000, 3000
	const mb = 4000 * 3008 // whole 16-pixel macroblocks
	for _, tc := range []struct {
		name   string
		kind   string
		alpha  bool
		decode int64
	}{
		{"lossy", "VP8 ", false, mb * 3 / 2},
		{"lossy with alpha", "VP8 ", true, mb*3/2 + w*h*5},
		// The configuration of a VP8X file says YCbCr; the lossless chunk behind it takes 8 bytes
		// a pixel.
		{"lossless behind VP8X", "VP8L", false, w * h * 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if c := estimateOf(t, extendedWebP(w, h, tc.kind, tc.alpha)); c.decode != tc.decode || c.pixels != w*h {
				t.Fatalf("cost=%+v, want decode %d", c, tc.decode)
			}
		})
	}
	t.Run("ErrTooBigToDecode", func(t *testing.T) {
		if _, err := cleanBytes(extendedWebP(5000, 4000, "VP8L", false)); !errors.Is(err, ErrTooBigToDecode) {
			t.Fatalf("err=%v, want ErrTooBigToDecode", err)
		}
	})
}
